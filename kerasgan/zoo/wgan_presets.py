"""Wasserstein presets: `wgan`, `shared_wgan` (seed 003) and `wgan_gp` (keras.io).

Example:
>>> gan = kerasgan.zoo.get("shared_wgan", seed=0)
>>> gan = kerasgan.zoo.get("shared_wgan", loss="wgan_cross_entropy", critic_output="tanh")
>>> gan = kerasgan.zoo.get("wgan_gp")
"""

from kerasgan.gan import GAN
from kerasgan.networks import (
    shared_wgan_critic,
    shared_wgan_generator,
    wgan_gp_critic,
    wgan_gp_generator,
)
from kerasgan.networks.families import build_pair
from kerasgan.networks.wgan import (
    SHARED_CRITIC_LAYER,
    SHARED_GENERATOR_LAYER,
    shared_wgan_critic_spec,
)
from kerasgan.zoo.common import seed_everything
from kerasgan.zoo.common_presets import (
    ADVERSARIAL_DEFAULTS,
    RUN_DEFAULTS,
    adam,
    compile_gan,
    output_activation,
    rmsprop,
)
from kerasgan.zoo.registry import register

_CRITIC_OUTPUTS = {"linear": None, "tanh": "tanh"}


def build_shared_wgan(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    hidden,
    shared,
    generator,
    discriminator,
    critic_output,
    d_steps,
    real_batches,
    clip_value,
    learning_rate,
    rho,
    epsilon,
    loss,
    fake_source,
    anneal_steps,
    seed,
    jit_compile,
    steps_per_execution,
    name="wgan",
):
    """Builds the Shared-WGAN baseline (`shared=False`) or the shared model.

    Args:
        image_shape: `(H, W, C)`, (28, 28, 1) in the reference.
        value_range: `(0, 1)` (sigmoid generator, as the reference) or `(-1, 1)`.
        batch_size: Real images per critic update; a `fit()` step takes
            `batch_size * d_steps` with `real_batches="split"`.
        latent_dim: Noise size; noise is U(-1, 1).
        hidden: Filters `h` (64 as SPEC.md; the reference's argparse default is 256).
        shared: Tie the generator's "gshared" kernel to the critic's "dshared".
        generator, discriminator: `"wgan"` (the reference networks) or a generic family.
        critic_output: `"linear"` (WGAN objective) or `"tanh"` (the reference code).
        d_steps: Critic updates per generator update (n_critic = 5).
        real_batches: `"split"`: a fresh real batch per critic update (the reference).
        clip_value: Critic weight clipping bound (0.01).
        learning_rate, rho, epsilon: RMSprop of both networks (TF1 RMSPropOptimizer:
            rho 0.9, epsilon 1e-10, added inside the square root as Keras does).
        loss: `"wasserstein"` (paper) or `"wgan_cross_entropy"` (reference code), or any family.
        fake_source, anneal_steps, seed, jit_compile, steps_per_execution: See `kerasgan.GAN`.

    Example:
    >>> gan = kerasgan.zoo.get("shared_wgan", hidden=32, batch_size=16)

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture; github arjun23496/Shared-WGAN.
    """
    seed_everything(seed)
    image_shape = tuple(int(d) for d in image_shape)
    if critic_output not in _CRITIC_OUTPUTS:
        raise ValueError(
            f"critic_output must be 'linear' or 'tanh'. Received: critic_output={critic_output!r}"
        )
    if shared and (generator, discriminator) != ("wgan", "wgan"):
        raise ValueError(
            f"Preset '{name}' shares a kernel between its own networks; it takes "
            "generator='wgan', discriminator='wgan'. "
            f"Received: generator={generator!r}, discriminator={discriminator!r}. "
            "Use the 'wgan' preset for other families."
        )
    activation = output_activation(name, value_range)
    d_activation = _CRITIC_OUTPUTS[critic_output]
    g, d = build_pair(
        generator,
        discriminator,
        native="wgan",
        latent_dim=latent_dim,
        image_shape=image_shape,
        output_activation=activation,
        d_output_activation=d_activation,
        native_generator=lambda: shared_wgan_generator(
            latent_dim, image_shape, hidden, shared=shared, output_activation=activation),
        native_discriminator=lambda: shared_wgan_critic(image_shape, hidden, d_activation),
        native_spec=shared_wgan_critic_spec(hidden),
    )
    gan = GAN(
        g,
        d,
        latent_dim=latent_dim,
        noise="uniform",
        d_steps=d_steps,
        d_update="joint",
        real_batches=real_batches,
        output_range=tuple(value_range),
        clip_value=clip_value,
        fake_source=fake_source,
        anneal_steps=anneal_steps,
        shared_weights=[(SHARED_GENERATOR_LAYER, SHARED_CRITIC_LAYER)] if shared else (),
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


def build_wgan(**config):
    return build_shared_wgan(name="wgan", **config)


def build_shared(**config):
    return build_shared_wgan(name="shared_wgan", **config)


def build_wgan_gp(
    image_shape,
    value_range,
    batch_size,
    latent_dim,
    generator,
    discriminator,
    d_steps,
    gradient_penalty_weight,
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
    """Builds the keras.io WGAN-GP (`kerasgan.zoo.get("wgan_gp")`).

    Args:
        image_shape: `(H, W, C)` with H, W <= 32 (the critic zero-pads to 32).
        value_range: `(-1, 1)`.
        batch_size: Real images per step; every critic update reuses them (as the example).
        latent_dim: 128.
        generator, discriminator: `"wgan_gp"` or a generic family.
        d_steps: 3 critic updates per generator update.
        gradient_penalty_weight: 10; interpolation factor U(0, 1) (the paper;
            the example draws it from N(0, 1)).
        learning_rate, beta_1, beta_2: Adam 2e-4, 0.5, 0.9.
        loss, fake_source, anneal_steps, seed, jit_compile, steps_per_execution: As the others.

    Example:
    >>> gan = kerasgan.zoo.get("wgan_gp", batch_size=64)

    Reference: Gulrajani et al., Improved Training of Wasserstein GANs, 2017;
    keras.io examples/generative/wgan_gp.py.
    """
    seed_everything(seed)
    image_shape = tuple(int(d) for d in image_shape)
    activation = output_activation("wgan_gp", value_range)
    g, d = build_pair(
        generator,
        discriminator,
        native="wgan_gp",
        latent_dim=latent_dim,
        image_shape=image_shape,
        output_activation=activation,
        native_generator=lambda: wgan_gp_generator(latent_dim, image_shape),
        native_discriminator=lambda: wgan_gp_critic(image_shape),
        native_spec=None,  # the critic pads to 32x32 first; mirror the generic families instead
    )
    gan = GAN(
        g,
        d,
        latent_dim=latent_dim,
        noise="normal",
        d_steps=d_steps,
        d_update="joint",
        real_batches="reuse",
        output_range=tuple(value_range),
        gradient_penalty_weight=gradient_penalty_weight,
        fake_source=fake_source,
        anneal_steps=anneal_steps,
        seed=seed,
        name="wgan_gp",
    )
    return compile_gan(
        gan,
        adam(learning_rate, beta_1, beta_2),
        adam(learning_rate, beta_1, beta_2),
        loss,
        jit_compile,
        steps_per_execution,
    )


_SHARED_WGAN_CONFIG = dict(
    image_shape=(28, 28, 1),
    value_range=(0.0, 1.0),
    batch_size=64,
    latent_dim=100,
    hidden=64,
    generator="wgan",
    discriminator="wgan",
    critic_output="linear",
    d_steps=5,
    real_batches="split",
    clip_value=0.01,
    learning_rate=5e-5,
    rho=0.9,
    epsilon=1e-10,
    loss="wasserstein",
    **ADVERSARIAL_DEFAULTS,
    **RUN_DEFAULTS,
)

_PAPER = ("Karuvally, A Study into the similarity in generator and discriminator in GAN "
          "architecture (seed 003); code github arjun23496/Shared-WGAN")

register(
    "wgan",
    build_wgan,
    config=dict(_SHARED_WGAN_CONFIG, shared=False),
    description="Shared-WGAN baseline: conv critic/generator, clip 0.01, n_critic 5, RMSprop 5e-5.",
    paper=_PAPER,
    dataset="mnist",
)

register(
    "shared_wgan",
    build_shared,
    config=dict(_SHARED_WGAN_CONFIG, shared=True),
    description="WGAN whose generator reuses the critic's 2nd conv kernel (updated by the critic only).",
    paper=_PAPER,
    dataset="mnist",
)

register(
    "wgan_gp",
    build_wgan_gp,
    config=dict(
        image_shape=(28, 28, 1),
        value_range=(-1.0, 1.0),
        batch_size=512,
        latent_dim=128,
        generator="wgan_gp",
        discriminator="wgan_gp",
        d_steps=3,
        gradient_penalty_weight=10.0,
        learning_rate=2e-4,
        beta_1=0.5,
        beta_2=0.9,
        loss="wasserstein",
        **ADVERSARIAL_DEFAULTS,
        **RUN_DEFAULTS,
    ),
    description="keras.io WGAN-GP on Fashion-MNIST: GP 10 with U(0,1) interpolation, n_critic 3.",
    paper="Gulrajani et al., Improved Training of Wasserstein GANs, 2017; keras.io wgan_gp",
    dataset="fashion_mnist",
)
