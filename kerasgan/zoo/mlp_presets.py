"""MLP presets: `mnist_mlp` ("Your First GAN", seed 001)."""

from kerasgan.gan import GAN
from kerasgan.networks import mlp_discriminator, mlp_generator
from kerasgan.networks.families import build_pair
from kerasgan.zoo.common import seed_everything
from kerasgan.zoo.common_presets import (
    ADVERSARIAL_DEFAULTS,
    RUN_DEFAULTS,
    adam,
    compile_gan,
    require_range,
)
from kerasgan.zoo.registry import register


def build_mnist_mlp(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    g_widths,
    d_widths,
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
):
    """Builds Coursera's "Your First GAN": a BN-ReLU MLP generator against a LeakyReLU MLP.

    Args:
        image_shape: `(H, W, C)` of the images (28x28x1 in the reference).
        value_range: Must be (0, 1): the generator ends in a sigmoid.
        batch_size: Images per step (128).
        latent_dim: Noise size (64), N(0, 1).
        g_widths, d_widths: Hidden widths of the two MLPs.
        generator, discriminator: `"mlp"` (the reference) or another family
            (`"dcgan"`, `"mirror"`) for asymmetric pairs.
        learning_rate, beta_1, beta_2: Adam of both networks (1e-5, 0.9, 0.999).
        loss: `"non_saturating"` (the reference: BCE with label 1 for G) or any family.
        fake_source, anneal_steps, seed, jit_compile, steps_per_execution: See `kerasgan.GAN`.

    Example:
    >>> gan = kerasgan.zoo.get("mnist_mlp", discriminator="dcgan")  # seed 000's pair

    Reference: Coursera, Build Basic Generative Adversarial Networks, week 1.
    """
    seed_everything(seed)
    require_range("mnist_mlp", value_range, (0.0, 1.0))
    image_shape = tuple(int(d) for d in image_shape)
    g, d = build_pair(
        generator,
        discriminator,
        native="mlp",
        latent_dim=latent_dim,
        image_shape=image_shape,
        output_activation="sigmoid",
        native_generator=lambda: mlp_generator(latent_dim, g_widths, image_shape, "sigmoid"),
        native_discriminator=lambda: mlp_discriminator(image_shape, d_widths),
        native_spec={"type": "dense", "widths": list(d_widths)},
    )
    gan = GAN(
        g,
        d,
        latent_dim=latent_dim,
        noise="normal",
        output_range=(0.0, 1.0),
        d_loss_weight=0.5,  # the reference averages the real and fake terms
        fake_source=fake_source,
        anneal_steps=anneal_steps,
        seed=seed,
        name="mnist_mlp",
    )
    optimizer = lambda: adam(learning_rate, beta_1, beta_2)  # noqa: E731
    return compile_gan(gan, optimizer(), optimizer(), loss, jit_compile, steps_per_execution)


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
        generator="mlp",
        discriminator="mlp",
        learning_rate=1e-5,
        beta_1=0.9,
        beta_2=0.999,
        loss="non_saturating",
        **ADVERSARIAL_DEFAULTS,
        # Four steps per compiled call: this network's step is short enough that per-call
        # overhead shows (BUILD_NOTES.md, "steps_per_execution"). Keep steps_per_epoch a multiple.
        **{**RUN_DEFAULTS, "steps_per_execution": 4},
    ),
    description="MLP GAN of Coursera's 'Your First GAN': BN-ReLU generator, LeakyReLU discriminator.",
    paper="Coursera, Build Basic Generative Adversarial Networks, week 1 (seed 001)",
    dataset="mnist",
)
