"""Small MLPs for the 1-D Gaussian experiment of Shared-WGAN (paper section 5)."""

import keras
from keras import layers

from kerasgan.networks.layers import TiedDense, replace_trainable_variable
from kerasgan.networks.catalog import register_discriminator, register_generator

SHARED_GENERATOR_LAYER = "g_shared"
SHARED_DISCRIMINATOR_LAYER = "d_shared"


@keras.saving.register_keras_serializable(package="kerasgan")
class TiedAffine(TiedDense):
    """A `TiedDense` that takes the source layer's bias too: the whole affine map is shared.

    The reference code's `common_layer` (one `w` and one `b` used by both
    networks). `kerasgan.GAN(shared_weights=...)` ties it in `build()`.

    Example:
    >>> shared = kerasgan.networks.toy.TiedAffine(16, name="g_shared")

    Reference: github arjun23496/Shared-WGAN gan_shared.py (common_layer).
    """

    def tie(self, source):
        super().tie(source)
        new, old = getattr(source, "bias", None), self.bias
        if new is None or old is None:
            raise ValueError(
                f"Expected two layers with biases to tie layer '{self.name}' to '{source.name}' "
                f"as a whole. Received: use_bias={self.use_bias} and {source.name}.use_bias="
                f"{getattr(source, 'use_bias', None)}. Use TiedDense to tie the kernel only."
            )
        if old is new:
            return self
        if tuple(old.shape) != tuple(new.shape):
            raise ValueError(
                f"Expected equal bias shapes to tie layer '{self.name}' to '{source.name}'. "
                f"Received: {tuple(old.shape)} and {tuple(new.shape)}."
            )
        # In place, as the kernel: the variable list keeps an untied layer's layout.
        replace_trainable_variable(self, old, new)
        self.bias = new
        return self


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


def toy_generator(latent_dim=1, hidden=16, output_dim=1, shared=False, share_bias=False,
                  middle_activation="softplus", image_shape=None, name="generator"):
    """1-D generator: Dense(hidden) softplus -> Dense(hidden) ("g_shared") -> Dense(output_dim).

    With `shared=True` the middle layer is tied to the discriminator's
    "d_shared" layer by `kerasgan.GAN(shared_weights=...)`: its kernel (a
    `kerasgan.networks.TiedDense`; G keeps its bias) or, with `share_bias=True`,
    kernel and bias (a `TiedAffine`: the reference code's `common_layer`).

    Args:
        latent_dim: Noise size.
        hidden: Hidden width (equal to the discriminator's for sharing).
        output_dim: Sample size (1 for the 1-D Gaussian).
        shared: Whether the middle layer is tied.
        share_bias: With `shared`, tie the bias too.
        middle_activation: Activation of the middle layer ("softplus" in the
            reference's baseline, "linear" in its shared model).
        image_shape: `(output_dim,)`, the catalog's way of giving `output_dim`.

    Example:
    >>> g = kerasgan.networks.toy_generator(1, 16, shared=True, share_bias=True,
    ...                                     middle_activation="linear")

    Reference: Karuvally, section 5; github arjun23496/Shared-WGAN gan.py, gan_shared.py.
    """
    if share_bias and not shared:
        raise ValueError(
            "Expected share_bias=True only with shared=True. Received: shared=False, "
            "share_bias=True. Pass shared=True to tie the layer, or share_bias=False."
        )
    output_dim = _sample_size(image_shape, output_dim)
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(hidden, activation="softplus", kernel_initializer=_init(), name="g0")(noise)
    dense = (TiedAffine if share_bias else TiedDense) if shared else layers.Dense
    x = dense(hidden, activation=middle_activation, kernel_initializer=_init(),
              name=SHARED_GENERATOR_LAYER)(x)
    out = layers.Dense(output_dim, kernel_initializer=_init(), name="g1", dtype="float32")(x)
    return keras.Model(noise, out, name=name)


def toy_discriminator(input_dim=1, hidden=16, output_activation=None, middle_activation="relu",
                      image_shape=None, name="discriminator"):
    """1-D discriminator: Dense h, h ("d_shared"), 2h, 2h with ReLU, then Dense 1 (logits).

    Args:
        input_dim: Sample size.
        hidden: Hidden width `h`.
        output_activation: None for logits.
        middle_activation: Activation of "d_shared" ("relu" in the reference's
            baseline, "linear" in its shared model).
        image_shape: `(input_dim,)`, the catalog's way of giving `input_dim`.

    Example:
    >>> d = kerasgan.networks.toy_discriminator(1, 16)

    Reference: github arjun23496/Shared-WGAN gan.py, gan_shared.py (without minibatch
    discrimination: its "d2" layer takes that place).
    """
    samples = keras.Input((_sample_size(image_shape, input_dim),), name="samples")
    x = layers.Dense(hidden, activation="relu", kernel_initializer=_init(), name="d0")(samples)
    x = layers.Dense(hidden, activation=middle_activation, kernel_initializer=_init(),
                     name=SHARED_DISCRIMINATOR_LAYER)(x)
    x = layers.Dense(2 * hidden, activation="relu", kernel_initializer=_init(), name="d1")(x)
    x = layers.Dense(2 * hidden, activation="relu", kernel_initializer=_init(), name="d2")(x)
    out = layers.Dense(1, activation=output_activation, kernel_initializer=_init(), name="d3")(x)
    return keras.Model(samples, out, name=name)


register_generator("toy", toy_generator, shared_layers=(SHARED_GENERATOR_LAYER, SHARED_DISCRIMINATOR_LAYER))
register_discriminator("toy", toy_discriminator)
