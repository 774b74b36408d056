"""The "standard CNN" of the spectral-normalization paper, for 28x28 and 32x32 images,
optionally class-conditional (conditional BatchNorm in G, a projection or other head in D)."""

import keras
from keras import layers

from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.conditional import (
    ConditionalBatchNormalization,
    check_conditioning,
    conditional_head,
    label_plane,
    labels_input,
)
from kerasgan.networks.dcgan import dcgan_stages
from kerasgan.networks.spectral_norm import maybe_spectral_norm


def sngan_generator(latent_dim=128, image_shape=(32, 32, 3), base_filters=64, num_classes=None,
                    output_activation="tanh", bn_momentum=0.9, bn_epsilon=1e-5,
                    name="generator"):
    """SNGAN's standard-CNN generator: dense to 4x4 (7x7 for 28 pixels), `k4 s2` transposed
    convolutions with BatchNorm and ReLU, a `k3` convolution to the image.

    With `num_classes` every BatchNorm is a `ConditionalBatchNormalization`
    and the model is `[noise, labels] -> images`; otherwise `noise -> images`.

    Args:
        latent_dim: Noise size (128 in the paper).
        image_shape: `(H, W, C)`, e.g. (32, 32, 3) or (28, 28, 1).
        base_filters: Filters of the last upsampling stage (64: 512-256-128-64 at 32 px).
        num_classes: Classes for conditional BatchNorm, or None.
        output_activation: `"tanh"` for images in [-1, 1].
        bn_momentum, bn_epsilon: BatchNorm settings.

    Example:
    >>> g = kerasgan.networks.sngan_generator(128, (32, 32, 3))

    Reference: Miyato, Kataoka, Koyama, Yoshida, Spectral Normalization for
    Generative Adversarial Networks, ICLR 2018, table 3 (a).
    """
    start, stages = dcgan_stages(image_shape)
    noise = keras.Input((latent_dim,), name="noise")
    labels = labels_input() if num_classes else None

    def norm(x, i):
        if labels is not None:
            return ConditionalBatchNormalization(num_classes, momentum=bn_momentum,
                                                 epsilon=bn_epsilon, name=f"cbn_{i}")([x, labels])
        return BatchNormalization(momentum=bn_momentum, epsilon=bn_epsilon,
                                         name=f"bn_{i}")(x)

    filters = base_filters * 2**stages
    x = layers.Dense(start * start * filters, name="project")(noise)
    x = layers.Reshape((start, start, filters), name="to_map")(x)
    x = layers.ReLU(name="relu_0")(norm(x, 0))
    for i in range(1, stages + 1):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", name=f"up_{i}")(x)
        x = layers.ReLU(name=f"relu_{i}")(norm(x, i))
    x = layers.Conv2D(int(image_shape[-1]), 3, padding="same", name="to_image")(x)
    images = layers.Activation(output_activation, name="output", dtype="float32")(x)
    return keras.Model(noise if labels is None else [noise, labels], images, name=name)


def sngan_discriminator(image_shape=(32, 32, 3), base_filters=64, spectral_norm=True,
                        num_classes=None, conditioning=None, negative_slope=0.1,
                        power_iterations=1, name="discriminator"):
    """SNGAN's standard-CNN discriminator: pairs of `k3 s1` and `k4 s2` convolutions with
    LeakyReLU(0.1), a `k3` convolution, then a dense logit on the flattened features.

    Args:
        image_shape: `(H, W, C)`.
        base_filters: Filters of the first pair (64: 64-64-128-128-256-256-512 at 32 px).
        spectral_norm: Wrap every convolution, dense and embedding layer in
            `kerasgan.networks.SpectralNorm`.
        num_classes: Classes, for a conditional discriminator.
        conditioning: None (unconditional), `"projection"` (`[images,
            labels]`, Miyato & Koyama), `"concat"` (`[images, labels]`, a
            per-class map joins the image channels) or `"acgan"` (`images ->
            [logit, class_logits]`).
        negative_slope: LeakyReLU slope (0.1 in the paper).
        power_iterations: Power-iteration steps per training call.

    Example:
    >>> d = kerasgan.networks.sngan_discriminator((28, 28, 1))

    Reference: Miyato et al., ICLR 2018, table 3 (b); Miyato & Koyama, cGANs
    with Projection Discriminator, ICLR 2018.
    """
    check_conditioning(conditioning, allow_none=True)
    if (conditioning is None) != (num_classes is None):
        raise ValueError(
            "Expected num_classes and conditioning together (both None for an unconditional "
            f"discriminator). Received: num_classes={num_classes!r}, conditioning={conditioning!r}"
        )
    _, stages = dcgan_stages(image_shape)

    def sn(layer):
        return maybe_spectral_norm(layer, spectral_norm, power_iterations)

    images = keras.Input(tuple(image_shape), name="images")
    labels = labels_input() if conditioning in ("projection", "concat") else None
    x = images
    if conditioning == "concat":
        x = layers.Concatenate(name="image_and_label")(
            [images, label_plane(labels, num_classes, image_shape, spectral_norm)]
        )
    for i in range(stages):
        filters = base_filters * 2**i
        x = sn(layers.Conv2D(filters, 3, padding="same", name=f"conv_{i}a"))(x)
        x = layers.LeakyReLU(negative_slope=negative_slope, name=f"lrelu_{i}a")(x)
        x = sn(layers.Conv2D(filters, 4, strides=2, padding="same", name=f"conv_{i}b"))(x)
        x = layers.LeakyReLU(negative_slope=negative_slope, name=f"lrelu_{i}b")(x)
    x = sn(layers.Conv2D(base_filters * 2**stages, 3, padding="same", name="conv_last"))(x)
    x = layers.LeakyReLU(negative_slope=negative_slope, name="lrelu_last")(x)
    features = layers.Flatten(name="features")(x)
    outputs = conditional_head(features, labels, num_classes, conditioning, spectral_norm)
    return keras.Model(images if labels is None else [images, labels], outputs, name=name)


def _registered_discriminator(image_shape, output_activation=None, **kwargs):
    """`sngan_discriminator` as the network catalog calls it (logits only)."""
    if output_activation is not None:
        raise ValueError(
            "Expected output_activation=None: the SNGAN discriminator returns logits. "
            f"Received: output_activation={output_activation!r}"
        )
    return sngan_discriminator(image_shape, **kwargs)


def _register():
    from kerasgan.networks.catalog import (
        discriminator_names,
        generator_names,
        register_discriminator,
        register_generator,
    )

    if "sngan" not in generator_names():
        register_generator("sngan", sngan_generator)
    if "sngan" not in discriminator_names():
        register_discriminator("sngan", _registered_discriminator)


_register()
