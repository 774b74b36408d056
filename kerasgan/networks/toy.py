"""Small MLPs for the 1-D Gaussian experiment of Shared-WGAN (paper section 5)."""

import keras
from keras import layers

from kerasgan.networks.layers import TiedDense
from kerasgan.networks.registry import register_discriminator, register_generator

SHARED_GENERATOR_LAYER = "g_shared"
SHARED_DISCRIMINATOR_LAYER = "d_shared"


def _sample_size(image_shape, size):
    """The flat sample size: `image_shape=(n,)` when given, else `size`."""
    if image_shape is None:
        return int(size)
    if len(tuple(image_shape)) != 1:
        raise ValueError(
            "Expected flat samples, image_shape=(n,), for the toy networks. "
            f"Received: image_shape={tuple(image_shape)}"
        )
    return int(image_shape[0])


def _init():
    # The reference's linear() draws weights from N(0, 1), biases 0.
    return keras.initializers.RandomNormal(0.0, 1.0)


def toy_generator(latent_dim=1, hidden=16, output_dim=1, shared=False, image_shape=None,
                  name="generator"):
    """1-D generator: Dense(hidden) softplus -> Dense(hidden) softplus -> Dense(output_dim).

    With `shared=True` the second layer ("g_shared") is a
    `kerasgan.networks.TiedDense` whose hidden x hidden kernel is tied to the
    discriminator's "d_shared" layer by `kerasgan.GAN(shared_weights=...)`.

    Args:
        latent_dim: Noise size.
        hidden: Hidden width (equal to the discriminator's for sharing).
        output_dim: Sample size (1 for the 1-D Gaussian).
        shared: Whether the middle layer is tied.
        image_shape: `(output_dim,)`, the registry's way of giving `output_dim`.

    Example:
    >>> g = kerasgan.networks.toy_generator(1, 16, shared=True)

    Reference: Karuvally, section 5; github arjun23496/Shared-WGAN gan_shared.py.
    """
    output_dim = _sample_size(image_shape, output_dim)
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(hidden, activation="softplus", kernel_initializer=_init(), name="g0")(noise)
    dense = TiedDense if shared else layers.Dense
    x = dense(hidden, activation="softplus", kernel_initializer=_init(), name=SHARED_GENERATOR_LAYER)(x)
    out = layers.Dense(output_dim, kernel_initializer=_init(), name="g1", dtype="float32")(x)
    return keras.Model(noise, out, name=name)


def toy_discriminator(input_dim=1, hidden=16, output_activation=None, image_shape=None,
                      name="discriminator"):
    """1-D discriminator: Dense h, h ("d_shared"), 2h, 2h with ReLU, then Dense 1 (logits).

    Args:
        input_dim: Sample size.
        hidden: Hidden width `h`.
        output_activation: None for logits.
        image_shape: `(input_dim,)`, the registry's way of giving `input_dim`.

    Example:
    >>> d = kerasgan.networks.toy_discriminator(1, 16)

    Reference: github arjun23496/Shared-WGAN gan_shared.py (without minibatch
    discrimination: its "d2" layer takes that place).
    """
    samples = keras.Input((_sample_size(image_shape, input_dim),), name="samples")
    x = layers.Dense(hidden, activation="relu", kernel_initializer=_init(), name="d0")(samples)
    x = layers.Dense(hidden, activation="relu", kernel_initializer=_init(),
                     name=SHARED_DISCRIMINATOR_LAYER)(x)
    x = layers.Dense(2 * hidden, activation="relu", kernel_initializer=_init(), name="d1")(x)
    x = layers.Dense(2 * hidden, activation="relu", kernel_initializer=_init(), name="d2")(x)
    out = layers.Dense(1, activation=output_activation, kernel_initializer=_init(), name="d3")(x)
    return keras.Model(samples, out, name=name)


register_generator("toy", toy_generator, shared_layers=(SHARED_GENERATOR_LAYER, SHARED_DISCRIMINATOR_LAYER))
register_discriminator("toy", toy_discriminator)
