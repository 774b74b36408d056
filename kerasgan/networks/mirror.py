"""Derive a generator that mirrors a discriminator spec layer by layer."""

import math

import keras
from keras import layers

from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.catalog import register_generator


def _check_spec(spec):
    if not isinstance(spec, dict) or spec.get("type") not in ("dense", "conv"):
        raise ValueError(
            "Expected a discriminator spec {'type': 'dense', 'widths': [...]} or {'type': 'conv', "
            f"'filters': [...], 'kernel_sizes': [...], 'strides': [...]}}. Received: {spec!r}"
        )
    if spec["type"] == "conv":
        n = len(spec["filters"])
        if not n or len(spec["kernel_sizes"]) != n or len(spec["strides"]) != n:
            raise ValueError(
                "Expected filters, kernel_sizes and strides of one length, at least 1. "
                f"Received: {spec!r}"
            )
    elif not spec["widths"]:
        raise ValueError(f"Expected a dense spec with at least one width. Received: {spec!r}")


def mirror_generator(
    spec,
    latent_dim=100,
    image_shape=(28, 28, 1),
    output_activation="tanh",
    batch_norm=True,
    name="generator",
):
    """Builds the generator symmetric to a discriminator spec.

    A dense spec (the discriminator's hidden widths, image side first) gives
    [Dense -> BN -> ReLU] blocks with the widths reversed, then Dense to the
    image. A convolution spec gives: Dense to the discriminator's last
    feature map (`filters[-1]` channels at its spatial size), then for each
    discriminator convolution, from the last to the first, a
    `Conv2DTranspose` with the same kernel size and stride producing the
    previous layer's channels (BN + ReLU between, the image's channels and
    `output_activation` at the end). Where a stride-2 convolution rounded
    an odd size up ("same" padding, e.g. 7 -> 4), the transposed output is
    cropped back (8 -> 7).

    Args:
        spec: `{"type": "dense", "widths": [...]}` or `{"type": "conv",
            "filters": [...], "kernel_sizes": [...], "strides": [...]}`, in the
            discriminator's order (see `kerasgan.networks.discriminator_spec`).
        latent_dim: Noise size.
        image_shape: Output `(H, W, C)`.
        output_activation: `"tanh"` for [-1, 1] images, `"sigmoid"` for [0, 1].
        batch_norm: Whether hidden blocks have BatchNorm.

    Example:
    >>> spec = kerasgan.networks.discriminator_spec("dcgan", (28, 28, 1))
    >>> g = kerasgan.networks.mirror_generator(spec, 100, (28, 28, 1))

    Reference: Radford et al., 2016 (DCGAN's generator mirrors its discriminator).
    """
    _check_spec(spec)
    noise = keras.Input((latent_dim,), name="noise")
    x = noise

    def block(x, i):
        if batch_norm:
            x = BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"bn_{i}")(x)
        return layers.ReLU(name=f"relu_{i}")(x)

    if spec["type"] == "dense":
        for i, width in enumerate(reversed(list(spec["widths"]))):
            x = block(layers.Dense(int(width), name=f"dense_{i}")(x), i)
        x = layers.Dense(math.prod(image_shape), name="to_pixels")(x)
        x = layers.Reshape(tuple(image_shape), name="to_image")(x)
        images = layers.Activation(output_activation, name="output", dtype="float32")(x)
        return keras.Model(noise, images, name=name)

    h, w, c = (int(d) for d in image_shape)
    sizes = [(h, w)]  # spatial size before each discriminator convolution, then after the last
    for s in spec["strides"]:
        ph, pw = sizes[-1]
        sizes.append((math.ceil(ph / int(s)), math.ceil(pw / int(s))))
    filters = [int(f) for f in spec["filters"]]
    fh, fw = sizes[-1]
    x = layers.Dense(fh * fw * filters[-1], name="project")(x)
    x = block(layers.Reshape((fh, fw, filters[-1]), name="to_grid")(x), 0)
    n = len(filters)
    for j, i in enumerate(reversed(range(n)), start=1):
        out_filters = filters[i - 1] if i > 0 else c
        x = layers.Conv2DTranspose(
            out_filters, int(spec["kernel_sizes"][i]), strides=int(spec["strides"][i]),
            padding="same", name=f"up_{j}",
        )(x)
        th, tw = sizes[i]
        if x.shape[1] != th or x.shape[2] != tw:
            x = layers.Cropping2D(((0, x.shape[1] - th), (0, x.shape[2] - tw)), name=f"crop_{j}")(x)
        if i > 0:
            x = block(x, j)
    images = layers.Activation(output_activation, name="output", dtype="float32")(x)
    return keras.Model(noise, images, name=name)


register_generator("mirror", mirror_generator)
