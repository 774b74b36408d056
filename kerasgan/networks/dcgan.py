"""DCGAN generators and discriminators for 64x64, 32x32 and 28x28 images."""

import keras
from keras import layers

from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.catalog import register_discriminator, register_generator


def dcgan_stages(image_shape):
    """`(start_size, n_upsamplings)` of the DCGAN family for a square image size.

    The image side is halved while the half is even-sized and at least 4:
    64 -> 4 with 4 stride-2 stages (the paper), 32 -> 4 with 3 stages,
    28 -> 7 with 2 stages.

    Args:
        image_shape: `(H, W, C)` with `H == W`.
    """
    h, w = int(image_shape[0]), int(image_shape[1])
    if h != w:
        raise ValueError(
            "Expected square images (H == W) for the DCGAN family. "
            f"Received: image_shape={image_shape}"
        )
    size, stages = h, 0
    while size % 2 == 0 and size // 2 >= 4:
        size //= 2
        stages += 1
    if stages == 0:
        raise ValueError(
            "Expected an image side that halves at least once to >= 4 for the DCGAN family "
            f"(e.g. 28, 32, 64). Received: image_shape={image_shape}"
        )
    return size, stages


def _conv_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def _bn(name, epsilon, momentum):
    return BatchNormalization(
        epsilon=epsilon,
        momentum=momentum,
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        beta_initializer="zeros",
        name=name,
    )


def dcgan_generator(
    latent_dim=100,
    image_shape=(64, 64, 3),
    base_filters=64,
    output_activation="tanh",
    bn_epsilon=1e-5,
    bn_momentum=0.9,
    name="generator",
):
    """The DCGAN generator: transposed convolutions with BatchNorm and ReLU.

    The noise is seen as a 1x1 image; a `Conv2DTranspose` with kernel
    `start_size` and "valid" padding projects it to `start_size x start_size`
    (4x4 for 64 and 32 pixels, 7x7 for 28), then stride-2 `k4` transposed
    convolutions double the size, halving the filters, up to the image.
    Kernels are drawn from N(0, 0.02), BatchNorm gamma from N(1, 0.02); no
    convolution has a bias.

    Args:
        latent_dim: Noise size (`nz`).
        image_shape: `(H, W, C)`; H in {28, 32, 64} and similar sizes.
        base_filters: `ngf`, the filters of the last hidden stage.
        output_activation: `"tanh"` for images in [-1, 1].
        bn_epsilon: BatchNorm epsilon (PyTorch's 1e-5).
        bn_momentum: BatchNorm momentum (Keras convention; PyTorch 0.1 = 0.9).

    Example:
    >>> g = kerasgan.networks.dcgan_generator(100, (64, 64, 3))

    Reference: Radford et al., Unsupervised Representation Learning with Deep
    Convolutional Generative Adversarial Networks, 2016; the PyTorch DCGAN example.
    """
    start, stages = dcgan_stages(image_shape)
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Reshape((1, 1, latent_dim), name="to_1x1")(noise)
    filters = base_filters * 2 ** (stages - 1)
    x = layers.Conv2DTranspose(
        filters, start, strides=1, padding="valid", use_bias=False,
        kernel_initializer=_conv_init(), name="project",
    )(x)
    x = _bn("bn_0", bn_epsilon, bn_momentum)(x)
    x = layers.ReLU(name="relu_0")(x)
    for i in range(1, stages):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=_conv_init(), name=f"up_{i}",
        )(x)
        x = _bn(f"bn_{i}", bn_epsilon, bn_momentum)(x)
        x = layers.ReLU(name=f"relu_{i}")(x)
    x = layers.Conv2DTranspose(
        int(image_shape[-1]), 4, strides=2, padding="same", use_bias=False,
        kernel_initializer=_conv_init(), name="to_image",
    )(x)
    images = layers.Activation(output_activation, name="output", dtype="float32")(x)
    return keras.Model(noise, images, name=name)


def dcgan_discriminator(
    image_shape=(64, 64, 3),
    base_filters=64,
    negative_slope=0.2,
    output_activation=None,
    bn_epsilon=1e-5,
    bn_momentum=0.9,
    name="discriminator",
):
    """The DCGAN discriminator: stride-2 convolutions, BatchNorm, LeakyReLU.

    Mirrors `dcgan_generator`: `k4 s2` convolutions from `ndf` filters up,
    no BatchNorm after the first, then a "valid" convolution with kernel
    `start_size` to a 1x1 logit, flattened to `(batch, 1)`.

    Args:
        image_shape: `(H, W, C)`.
        base_filters: `ndf`, the filters of the first convolution.
        negative_slope: LeakyReLU slope.
        output_activation: None for logits; `"sigmoid"`, `"tanh"` for bounded outputs.
        bn_epsilon: BatchNorm epsilon.
        bn_momentum: BatchNorm momentum (Keras convention).

    Example:
    >>> d = kerasgan.networks.dcgan_discriminator((64, 64, 3))

    Reference: Radford et al., 2016; the PyTorch DCGAN example.
    """
    start, stages = dcgan_stages(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for i in range(stages):
        x = layers.Conv2D(
            base_filters * 2**i, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=_conv_init(), name=f"down_{i}",
        )(x)
        if i > 0:
            x = _bn(f"bn_{i}", bn_epsilon, bn_momentum)(x)
        x = layers.LeakyReLU(negative_slope=negative_slope, name=f"lrelu_{i}")(x)
    x = layers.Conv2D(
        1, start, strides=1, padding="valid", use_bias=False,
        kernel_initializer=_conv_init(), name="to_logit",
    )(x)
    x = layers.Flatten(name="flatten")(x)
    if output_activation is not None:
        x = layers.Activation(output_activation, name="output_activation")(x)
    return keras.Model(images, x, name=name)


def dcgan_discriminator_spec(image_shape, base_filters=64):
    """The convolution spec of `dcgan_discriminator`, for `kerasgan.networks.mirror_generator`."""
    _, stages = dcgan_stages(image_shape)
    return {
        "type": "conv",
        "filters": [base_filters * 2**i for i in range(stages)],
        "kernel_sizes": [4] * stages,
        "strides": [2] * stages,
    }


register_generator("dcgan", dcgan_generator)
register_discriminator("dcgan", dcgan_discriminator, spec=dcgan_discriminator_spec)
