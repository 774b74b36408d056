"""L1-GAN presets of "unbounded discriminators" (seed 004): `l1` and `l1_unbounded`.

Example:
>>> gan = kerasgan.zoo.get("l1_unbounded", seed=0)
"""

from kerasgan.gan import GAN
from kerasgan.networks import l1_discriminator, l1_generator
from kerasgan.networks.families import build_pair
from kerasgan.networks.l1 import l1_discriminator_spec
from kerasgan.zoo.common import seed_everything
from kerasgan.zoo.common_presets import (
    ADVERSARIAL_DEFAULTS,
    RUN_DEFAULTS,
    compile_gan,
    require_range,
    rmsprop,
)
from kerasgan.zoo.registry import register


def build_l1(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    generator,
    discriminator,
    sigmoid_output,
    learning_rate,
    rho,
    epsilon,
    loss,
    fake_source,
    anneal_steps,
    seed,
    jit_compile,
    steps_per_execution,
    name="l1",
):
    """Builds the L1 GAN; `sigmoid_output` is the one line the two presets differ in.

    Args:
        image_shape: `(H, W, C)`, H and W divisible by 4.
        value_range: `(-1, 1)` (tanh generator).
        batch_size: 50.
        latent_dim: 100, N(0, 1).
        generator, discriminator: `"l1"` (the reference networks) or a generic family.
        sigmoid_output: End the discriminator with a sigmoid (`l1`) or not (`l1_unbounded`).
        learning_rate, rho, epsilon: RMSprop 5e-5, 0.99; `epsilon` is Keras'
            (inside the square root): 1e-16 stands for PyTorch's eps=1e-8
            outside it (the denominators differ by at most 1e-8).
        loss: `"l1"`: D minimises |D(x)-1| + |D(G(z))| in two separate updates,
            G minimises |D(G(z))-1|.
        fake_source, anneal_steps, seed, jit_compile, steps_per_execution: See `kerasgan.GAN`.

    Example:
    >>> gan = kerasgan.zoo.get("l1", sigmoid_output=False)  # same as "l1_unbounded"

    Reference: github atiyo/unbounded_gan (l1_gan.py, l1_gan_unbounded.py).
    """
    seed_everything(seed)
    image_shape = tuple(int(d) for d in image_shape)
    require_range(name, value_range, (-1.0, 1.0))
    d_activation = "sigmoid" if sigmoid_output else None
    g, d = build_pair(
        generator,
        discriminator,
        native="l1",
        latent_dim=latent_dim,
        image_shape=image_shape,
        output_activation="tanh",
        d_output_activation=d_activation,
        native_generator=lambda: l1_generator(latent_dim, image_shape),
        native_discriminator=lambda: l1_discriminator(image_shape, d_activation),
        native_spec=l1_discriminator_spec(),
    )
    gan = GAN(
        g,
        d,
        latent_dim=latent_dim,
        noise="normal",
        d_steps=1,
        d_update="split",  # the reference: a real-only update, then a fake-only update
        real_batches="reuse",
        output_range=(-1.0, 1.0),
        fake_source=fake_source,
        anneal_steps=anneal_steps,
        seed=seed,
        name=name,
    )
    return compile_gan(
        gan,
        rmsprop(learning_rate, rho, epsilon),
        rmsprop(learning_rate, rho, epsilon),
        loss,
        jit_compile,
        steps_per_execution,
    )


def build_l1_bounded(**config):
    return build_l1(name="l1", **config)


def build_l1_unbounded(**config):
    return build_l1(name="l1_unbounded", **config)


_L1_CONFIG = dict(
    image_shape=(28, 28, 1),
    value_range=(-1.0, 1.0),
    batch_size=50,
    latent_dim=100,
    generator="l1",
    discriminator="l1",
    learning_rate=5e-5,
    rho=0.99,
    epsilon=1e-16,
    loss="l1",
    **ADVERSARIAL_DEFAULTS,
    **RUN_DEFAULTS,
)
_PAPER = "Unbounded discriminators / L1 GAN (seed 004); code github atiyo/unbounded_gan"

register(
    "l1",
    build_l1_bounded,
    config=dict(_L1_CONFIG, sigmoid_output=True),
    description="L1 GAN with a sigmoid discriminator (the seed's failing case).",
    paper=_PAPER,
    dataset="fashion_mnist",
)

register(
    "l1_unbounded",
    build_l1_unbounded,
    config=dict(_L1_CONFIG, sigmoid_output=False),
    description="L1 GAN with an unbounded discriminator (the sigmoid line deleted).",
    paper=_PAPER,
    dataset="fashion_mnist",
)
