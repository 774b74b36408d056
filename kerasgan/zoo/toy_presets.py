"""1-D Gaussian presets: `gaussian_1d` and `gaussian_1d_shared` (Shared-WGAN, section 5).

Example:
>>> gan = kerasgan.zoo.get("gaussian_1d_shared", seed=0)
>>> gan.fit(kerasgan.zoo.toy.gaussian_samples(20_000, seed=0), batch_size=64, epochs=3)
"""

from kerasgan.gan import GAN
from kerasgan.networks import toy_discriminator, toy_generator
from kerasgan.networks.toy import SHARED_DISCRIMINATOR_LAYER, SHARED_GENERATOR_LAYER
from kerasgan.zoo.common import seed_everything
from kerasgan.zoo.common_presets import ADVERSARIAL_DEFAULTS, RUN_DEFAULTS, adam, compile_gan
from kerasgan.zoo.registry import register


def build_gaussian_1d(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    hidden,
    shared,
    generator,
    discriminator,
    d_learning_rate,
    g_learning_rate,
    beta_1,
    beta_2,
    loss,
    fake_source,
    anneal_steps,
    seed,
    jit_compile,
    steps_per_execution,
    name="gaussian_1d",
):
    """Builds the 1-D Gaussian GAN: U(-1, 1) noise -> N(4, 0.5) with small MLPs.

    Args:
        image_shape: `(1,)`: each sample is one number.
        value_range: Range `generate()` maps to [0, 1] (0 to 8); the generator is unbounded.
        batch_size: Samples per step.
        latent_dim: Noise size (1).
        hidden: Hidden width of both networks (equal widths make the shared
            hidden x hidden kernel possible).
        shared: Tie G's "g_shared" kernel to D's "d_shared" kernel (D updates it).
        generator, discriminator: `"toy"` only (the synthetic networks).
        d_learning_rate, g_learning_rate, beta_1, beta_2: Adam of each network.
        loss: `"non_saturating"` (the reference) or any family.
        fake_source, anneal_steps, seed, jit_compile, steps_per_execution: See `kerasgan.GAN`.

    Example:
    >>> gan = kerasgan.zoo.get("gaussian_1d", hidden=8)

    Reference: Karuvally, section 5; github arjun23496/Shared-WGAN gan_shared.py.
    """
    seed_everything(seed)
    if (generator, discriminator) != ("toy", "toy"):
        raise ValueError(
            f"Preset '{name}' takes generator='toy', discriminator='toy' (1-D samples). "
            f"Received: generator={generator!r}, discriminator={discriminator!r}"
        )
    dim = int(image_shape[0])
    if tuple(image_shape) != (dim,):
        raise ValueError(f"Preset '{name}' draws flat samples, image_shape=(n,). Received: {image_shape}")
    g = toy_generator(latent_dim, hidden, dim, shared=shared)
    d = toy_discriminator(dim, hidden)
    gan = GAN(
        g,
        d,
        latent_dim=latent_dim,
        noise="uniform",
        output_range=tuple(value_range),
        fake_source=fake_source,
        anneal_steps=anneal_steps,
        shared_weights=[(SHARED_GENERATOR_LAYER, SHARED_DISCRIMINATOR_LAYER)] if shared else (),
        seed=seed,
        name=name,
    )
    return compile_gan(
        gan,
        adam(d_learning_rate, beta_1, beta_2),
        adam(g_learning_rate, beta_1, beta_2),
        loss,
        jit_compile,
        steps_per_execution,
    )


def build_baseline(**config):
    return build_gaussian_1d(name="gaussian_1d", **config)


def build_shared(**config):
    return build_gaussian_1d(name="gaussian_1d_shared", **config)


_CONFIG = dict(
    image_shape=(1,),
    value_range=(0.0, 8.0),
    batch_size=64,
    latent_dim=1,
    hidden=16,
    generator="toy",
    discriminator="toy",
    d_learning_rate=1e-3,
    g_learning_rate=1e-3,
    beta_1=0.5,
    beta_2=0.999,
    loss="non_saturating",
    **ADVERSARIAL_DEFAULTS,
    **RUN_DEFAULTS,
)
_PAPER = ("Karuvally, A Study into the similarity in generator and discriminator in GAN "
          "architecture, section 5; code github arjun23496/Shared-WGAN gan_shared.py")

register(
    "gaussian_1d",
    build_baseline,
    config=dict(_CONFIG, shared=False),
    description="U(-1,1) noise -> N(4, 0.5) with small MLPs (baseline).",
    paper=_PAPER,
    dataset="gaussian_1d",
)

register(
    "gaussian_1d_shared",
    build_shared,
    config=dict(_CONFIG, shared=True),
    description="The 1-D Gaussian GAN with G's hidden kernel tied to D's (updated by D only).",
    paper=_PAPER,
    dataset="gaussian_1d",
)
