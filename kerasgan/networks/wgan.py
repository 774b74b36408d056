"""Shared-WGAN networks (Karuvally) and the keras.io WGAN-GP networks (Gulrajani et al., 2017)."""

import keras
from keras import layers

from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.layers import PatchConv2D, TiedConv2D
from kerasgan.networks.catalog import register_discriminator, register_generator

SHARED_GENERATOR_LAYER = "gshared"
SHARED_CRITIC_LAYER = "dshared"


def _trunc():
    # The reference's conv2d uses tf.truncated_normal_initializer(stddev=0.02).
    return keras.initializers.TruncatedNormal(0.0, 0.02)


def _normal():
    # The reference's linear uses tf.random_normal_initializer(stddev=0.02).
    return keras.initializers.RandomNormal(0.0, 0.02)


def _bn(name):
    # tf.contrib.layers.batch_norm(decay=0.9, epsilon=1e-5, scale=True) of the reference's ops.py.
    return BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


def shared_wgan_generator(
    latent_dim=100,
    image_shape=(28, 28, 1),
    hidden=64,
    shared=False,
    output_activation="sigmoid",
    name="generator",
):
    """The Shared-WGAN generator: a dense projection, then six stride-1 5x5 convolutions.

    Dense(H*W) -> BN -> LReLU -> reshape (H, W, 1); Conv(hidden) + BN + LReLU;
    the shared Conv(hidden) ("gshared") + BN + LReLU; 3 x [Conv(hidden) + BN +
    LReLU]; Conv(C) -> sigmoid. With `shared=True` the "gshared" layer is a
    `kerasgan.networks.TiedConv2D`; `kerasgan.GAN(shared_weights=[("gshared",
    "dshared")])` ties its kernel to the critic's "dshared" kernel (the
    generator keeps its own bias, as in the reference).

    Args:
        latent_dim: Noise size.
        image_shape: Output `(H, W, C)`.
        hidden: Filters `h` of the hidden convolutions.
        shared: Whether "gshared" is a tied layer.
        output_activation: `"sigmoid"` for [0, 1] images.

    Example:
    >>> g = kerasgan.networks.shared_wgan_generator(100, shared=True)

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture (github arjun23496/Shared-WGAN,
    experimental_wgan_shared.py).
    """
    h, w, c = (int(d) for d in image_shape)
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(h * w, kernel_initializer=_normal(), name="g0t")(noise)
    x = _bn("g_bn_l0")(x)
    x = layers.LeakyReLU(0.2, name="g_lrelu_l0")(x)
    x = layers.Reshape((h, w, 1), name="to_image_grid")(x)
    conv_names = ["g0", SHARED_GENERATOR_LAYER, "g2", "gt3", "gt1"]
    for i, conv_name in enumerate(conv_names):
        conv = TiedConv2D if (shared and conv_name == SHARED_GENERATOR_LAYER) else layers.Conv2D
        x = conv(hidden, 5, strides=1, padding="same", kernel_initializer=_trunc(), name=conv_name)(x)
        x = _bn(f"g_bn_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"g_lrelu_{i}")(x)
    x = layers.Conv2D(c, 5, strides=1, padding="same", kernel_initializer=_trunc(), name="g3")(x)
    images = layers.Activation(output_activation, name="output", dtype="float32")(x)
    return keras.Model(noise, images, name=name)


def shared_wgan_critic(
    image_shape=(28, 28, 1),
    hidden=64,
    output_activation=None,
    name="critic",
):
    """The Shared-WGAN critic: four stride-2 5x5 convolutions, then Dense 1.

    Conv(h) -> 14x14; the shared Conv(h) ("dshared") -> 7x7; Conv(h/2) -> 4x4;
    Conv(h/4) -> 2x2; each + BN + LReLU; Flatten -> Dense 1.

    Args:
        image_shape: Input `(H, W, C)`.
        hidden: Filters `h`.
        output_activation: None (WGAN objective) or `"tanh"` (the reference
            code's cross-entropy variant).

    Example:
    >>> d = kerasgan.networks.shared_wgan_critic((28, 28, 1), output_activation="tanh")

    Reference: Karuvally (github arjun23496/Shared-WGAN).
    """
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    specs = [("d0", hidden), (SHARED_CRITIC_LAYER, hidden), ("d2", hidden // 2), ("d3", hidden // 4)]
    for i, (conv_name, filters) in enumerate(specs):
        x = layers.Conv2D(filters, 5, strides=2, padding="same", kernel_initializer=_trunc(),
                          name=conv_name)(x)
        x = _bn(f"d_bn_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"d_lrelu_{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(1, kernel_initializer=_normal(), name="d4")(x)
    if output_activation is not None:
        x = layers.Activation(output_activation, name="output_activation")(x)
    return keras.Model(images, x, name=name)


def shared_wgan_critic_spec(hidden=64):
    """The convolution spec of `shared_wgan_critic`, for `kerasgan.networks.mirror_generator`."""
    return {"type": "conv", "filters": [hidden, hidden, hidden // 2, hidden // 4],
            "kernel_sizes": [5] * 4, "strides": [2] * 4}


def wgan_gp_generator(latent_dim=128, image_shape=(28, 28, 1), output_activation="tanh",
                      name="generator"):
    """The keras.io WGAN-GP generator: Dense 4x4x256, three upsample+conv blocks, crop.

    Dense(4*4*256, no bias) -> BN -> LReLU -> (4, 4, 256); 3 x [UpSampling2D
    x2 -> Conv 3x3 (no bias) -> BN -> activation] with 128, 64 and C filters
    (LReLU, LReLU, `output_activation`) -> 32x32; Cropping2D to the image
    size. Keras default initialisers and BatchNorm settings, as in the example.

    Args:
        latent_dim: Noise size (128 in the example).
        image_shape: Output `(H, W, C)` with H, W <= 32.
        output_activation: `"tanh"` (the example, images in [-1, 1]) or
            `"sigmoid"` (images in [0, 1]).

    Example:
    >>> g = kerasgan.networks.wgan_gp_generator(128, (28, 28, 1))

    Reference: Gulrajani et al., Improved Training of Wasserstein GANs, 2017;
    keras.io examples/generative/wgan_gp.py (A_K_Nain).
    """
    h, w, c = (int(d) for d in image_shape)
    if h > 32 or w > 32:
        raise ValueError(
            "Expected image_shape of at most 32x32 for wgan_gp_generator (it draws 32x32 images "
            f"and crops them). Received: image_shape={image_shape}"
        )
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(4 * 4 * 256, use_bias=False, name="project")(noise)
    x = BatchNormalization(name="bn_0")(x)
    x = layers.LeakyReLU(0.2, name="lrelu_0")(x)
    x = layers.Reshape((4, 4, 256), name="to_4x4")(x)
    for i, (filters, act) in enumerate([(128, None), (64, None), (c, output_activation)], start=1):
        x = layers.UpSampling2D(2, name=f"upsample_{i}")(x)
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv_{i}")(x)
        x = BatchNormalization(name=f"bn_{i}")(x)
        if act is None:
            x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        else:
            x = layers.Activation(act, name="output", dtype="float32")(x)
    top, left = (32 - h) // 2, (32 - w) // 2
    x = layers.Cropping2D(((top, 32 - h - top), (left, 32 - w - left)), name="crop")(x)
    return keras.Model(noise, x, name=name)


def wgan_gp_critic(image_shape=(28, 28, 1), output_activation=None, name="critic"):
    """The keras.io WGAN-GP critic: zero-pad to 32x32, four 5x5 stride-2 convolutions.

    ZeroPadding2D to 32x32; Conv 64, 128, 256, 512 (5x5, stride 2, bias,
    LReLU 0.2, no BatchNorm), Dropout 0.3 after the 2nd and 3rd; Flatten;
    Dropout 0.2; Dense 1.

    Args:
        image_shape: Input `(H, W, C)` with H, W <= 32.
        output_activation: None for the Wasserstein critic.

    Example:
    >>> d = kerasgan.networks.wgan_gp_critic((28, 28, 1))

    Reference: keras.io examples/generative/wgan_gp.py.
    """
    h, w, _ = (int(d) for d in image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    top, left = (32 - h) // 2, (32 - w) // 2
    x = layers.ZeroPadding2D(((top, 32 - h - top), (left, 32 - w - left)), name="pad")(images)
    for i, (filters, dropout) in enumerate([(64, 0), (128, 0.3), (256, 0.3), (512, 0)]):
        # Small output maps run as one matmul (PatchConv2D's max_positions="auto"): the last
        # layer's (2x2) on every backend, under JAX the two before it (4x4, 8x8) too.
        x = PatchConv2D(filters, 5, strides=2, padding="same", name=f"conv_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.2, name="dropout_out")(x)
    x = layers.Dense(1, name="output")(x)
    if output_activation is not None:
        x = layers.Activation(output_activation, name="output_activation")(x)
    return keras.Model(images, x, name=name)


register_generator("wgan", shared_wgan_generator,
                   shared_layers=(SHARED_GENERATOR_LAYER, SHARED_CRITIC_LAYER))
register_discriminator("wgan", shared_wgan_critic, spec=shared_wgan_critic_spec)
register_generator("wgan_gp", wgan_gp_generator)
# No spec: the critic pads to 32x32 first, so a mirror of it would not end at the image size.
register_discriminator("wgan_gp", wgan_gp_critic)
