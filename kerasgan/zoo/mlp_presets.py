"""MLP presets: `mnist_mlp` ("Your First GAN", seed 001)."""

import keras

from kerasgan.gan import GAN
from kerasgan.networks import mlp_discriminator, mlp_generator
from kerasgan.zoo.common import check_learning_rate, compile_kwargs, seed_everything
from kerasgan.zoo.registry import register


def build_mnist_mlp(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    g_widths,
    d_widths,
    learning_rate,
    beta_1,
    beta_2,
    loss,
    seed,
    jit_compile,
    steps_per_execution,
):
    seed_everything(seed)
    lr = check_learning_rate("learning_rate", learning_rate)
    if tuple(value_range) != (0.0, 1.0):
        raise ValueError(
            f"mnist_mlp's generator ends in a sigmoid, so its images lie in [0, 1]. "
            f"Received: value_range={value_range}"
        )
    generator = mlp_generator(latent_dim, g_widths, image_shape, "sigmoid")
    discriminator = mlp_discriminator(image_shape, d_widths)
    gan = GAN(
        generator,
        discriminator,
        latent_dim=latent_dim,
        noise="normal",
        output_range=(0.0, 1.0),
        d_loss_weight=0.5,  # the reference averages the real and fake terms
        seed=seed,
        name="mnist_mlp",
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=beta_2),
        g_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=beta_2),
        loss=loss,
        **compile_kwargs(jit_compile, steps_per_execution),
    )
    return gan


register(
    "mnist_mlp",
    build_mnist_mlp,
    config=dict(
        image_shape=(28, 28, 1),
        value_range=(0.0, 1.0),
        batch_size=128,
        latent_dim=64,
        g_widths=(128, 256, 512, 1024),
        d_widths=(512, 256, 128),
        learning_rate=1e-5,
        beta_1=0.9,
        beta_2=0.999,
        loss="non_saturating",
        seed=None,
        jit_compile="auto",
        steps_per_execution=1,
    ),
    description="MLP GAN of Coursera's 'Your First GAN': BN-ReLU generator, LeakyReLU discriminator.",
    paper="Coursera, Build Basic Generative Adversarial Networks, week 1 (seed 001)",
    dataset="mnist",
)
