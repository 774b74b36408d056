"""DCGAN presets: `dcgan` (28x28 / 32x32 images) and `dcgan_celeba` (64x64, the paper).

Example:
>>> gan = kerasgan.zoo.get("dcgan", seed=0)                       # Fashion-MNIST 28x28x1
>>> gan = kerasgan.zoo.get("dcgan", image_shape=(32, 32, 3))      # CIFAR-sized
>>> gan = kerasgan.zoo.get("dcgan", generator="mlp")              # asymmetric pair (seed 000)
>>> gan = kerasgan.zoo.get("dcgan_celeba")
"""

from kerasgan.gan import GAN
from kerasgan.networks import dcgan_discriminator, dcgan_generator
from kerasgan.networks.dcgan import dcgan_discriminator_spec
from kerasgan.networks.families import build_pair
from kerasgan.zoo.common import seed_everything
from kerasgan.zoo.common_presets import (
    ADVERSARIAL_DEFAULTS,
    RUN_DEFAULTS,
    adam,
    compile_gan,
    output_activation,
)
from kerasgan.zoo.registry import register


def build_dcgan(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    base_filters,
    generator,
    discriminator,
    learning_rate,
    beta_1,
    beta_2,
    loss,
    fake_source,
    anneal_steps,
    seed,
    jit_compile,
    steps_per_execution,
    name="dcgan",
):
    """Builds a compiled DCGAN (`kerasgan.zoo.get("dcgan")` / `"dcgan_celeba"`).

    Args:
        image_shape: `(H, W, C)`; 64 uses 4 upsampling stages, 32 three, 28 two
            (see `kerasgan.networks.dcgan_stages`).
        value_range: `(-1, 1)` (tanh output) or `(0, 1)` (sigmoid output).
        batch_size: Images per discriminator update (read by `kerasgan.data.load`).
        latent_dim: `nz`.
        base_filters: `ngf = ndf`.
        generator: `"dcgan"`, `"mlp"` or `"mirror"`.
        discriminator: `"dcgan"` or `"mlp"`.
        learning_rate, beta_1, beta_2: Adam, both networks.
        loss: A family of `kerasgan.losses.names()`.
        fake_source, anneal_steps: See `kerasgan.GAN`.
        seed, jit_compile, steps_per_execution: Run options.

    Example:
    >>> gan = kerasgan.zoo.get("dcgan", image_shape=(32, 32, 3), loss="least_squares")

    Reference: Radford et al., Unsupervised Representation Learning with Deep
    Convolutional Generative Adversarial Networks, 2016.
    """
    seed_everything(seed)
    image_shape = tuple(int(d) for d in image_shape)
    activation = output_activation(name, value_range)
    g, d = build_pair(
        generator,
        discriminator,
        native="dcgan",
        latent_dim=latent_dim,
        image_shape=image_shape,
        output_activation=activation,
        native_generator=lambda: dcgan_generator(
            latent_dim, image_shape, base_filters, output_activation=activation),
        native_discriminator=lambda: dcgan_discriminator(image_shape, base_filters),
        native_spec=dcgan_discriminator_spec(image_shape, base_filters),
    )
    gan = GAN(
        g,
        d,
        latent_dim=latent_dim,
        noise="normal",
        output_range=tuple(value_range),
        fake_source=fake_source,
        anneal_steps=anneal_steps,
        seed=seed,
        name=name,
    )
    return compile_gan(
        gan,
        adam(learning_rate, beta_1, beta_2),
        adam(learning_rate, beta_1, beta_2),
        loss,
        jit_compile,
        steps_per_execution,
    )


def build_dcgan_celeba(**config):
    return build_dcgan(name="dcgan_celeba", **config)


_DCGAN_CONFIG = dict(
    latent_dim=100,
    base_filters=64,
    generator="dcgan",
    discriminator="dcgan",
    learning_rate=2e-4,
    beta_1=0.5,
    beta_2=0.999,
    loss="non_saturating",
    **ADVERSARIAL_DEFAULTS,
    **RUN_DEFAULTS,
)

register(
    "dcgan",
    build_dcgan,
    config=dict(image_shape=(28, 28, 1), value_range=(-1.0, 1.0), batch_size=128, **_DCGAN_CONFIG),
    description="DCGAN for small images (28x28 from a 7x7 start, 32x32 from 4x4); Adam 2e-4/0.5.",
    paper="Radford et al., DCGAN, 2016 (arXiv:1511.06434); PyTorch examples/dcgan",
    dataset="fashion_mnist",
)

register(
    "dcgan_celeba",
    build_dcgan_celeba,
    config=dict(image_shape=(64, 64, 3), value_range=(-1.0, 1.0), batch_size=128, **_DCGAN_CONFIG),
    description="DCGAN of the paper on 64x64x3 CelebA: ngf=ndf=64, nz=100, Adam 2e-4/0.5, batch 128.",
    paper="Radford et al., DCGAN, 2016 (arXiv:1511.06434); PyTorch examples/dcgan",
    dataset="celeb_a",
)
