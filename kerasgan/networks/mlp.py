"""Fully connected generators and discriminators."""

import math

import keras
from keras import layers

from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.catalog import register_discriminator, register_generator


def mlp_generator(
    latent_dim=64,
    widths=(128, 256, 512, 1024),
    image_shape=(28, 28, 1),
    output_activation="sigmoid",
    batch_norm=True,
    bn_epsilon=1e-5,
    bn_momentum=0.9,
    name="generator",
):
    """An MLP generator: [Dense -> BatchNorm -> ReLU] blocks, then Dense -> image.

    Args:
        latent_dim: Noise size.
        widths: Hidden widths, first block first.
        image_shape: Output image shape `(H, W, C)`.
        output_activation: `"sigmoid"` for [0, 1] images, `"tanh"` for [-1, 1].
        batch_norm: Whether each block has BatchNorm.

    Example:
    >>> g = kerasgan.networks.mlp_generator(64, (128, 256, 512, 1024))

    Reference: Coursera "Build Basic GANs", week 1 ("Your First GAN").
    """
    noise = keras.Input((latent_dim,), name="noise")
    x = noise
    for i, width in enumerate(widths):
        x = layers.Dense(width, name=f"dense_{i}")(x)
        if batch_norm:
            x = BatchNormalization(epsilon=bn_epsilon, momentum=bn_momentum, name=f"bn_{i}")(x)
        x = layers.ReLU(name=f"relu_{i}")(x)
    x = layers.Dense(math.prod(image_shape), activation=output_activation, name="to_pixels")(x)
    images = layers.Reshape(tuple(image_shape), name="to_image")(x)
    return keras.Model(noise, images, name=name)


def mlp_discriminator(
    image_shape=(28, 28, 1),
    widths=(512, 256, 128),
    negative_slope=0.2,
    output_activation=None,
    name="discriminator",
):
    """An MLP discriminator: Flatten, [Dense -> LeakyReLU] blocks, Dense 1.

    Args:
        image_shape: Input image shape `(H, W, C)`.
        widths: Hidden widths, first block first.
        negative_slope: LeakyReLU slope.
        output_activation: None for logits.

    Reference: Coursera "Build Basic GANs", week 1 ("Your First GAN").
    """
    images = keras.Input(tuple(image_shape), name="images")
    x = layers.Flatten(name="flatten")(images)
    for i, width in enumerate(widths):
        x = layers.Dense(width, name=f"dense_{i}")(x)
        x = layers.LeakyReLU(negative_slope=negative_slope, name=f"lrelu_{i}")(x)
    out = layers.Dense(1, activation=output_activation, name="output")(x)
    return keras.Model(images, out, name=name)


def mlp_discriminator_spec(widths=(512, 256, 128)):
    """The dense spec of `mlp_discriminator`, for `kerasgan.networks.mirror_generator`."""
    return {"type": "dense", "widths": [int(w) for w in widths]}


register_generator("mlp", mlp_generator)
register_discriminator("mlp", mlp_discriminator, spec=mlp_discriminator_spec)
