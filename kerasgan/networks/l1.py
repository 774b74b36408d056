"""Networks of the L1 GAN with bounded and unbounded discriminators (github atiyo/unbounded_gan)."""

import keras
from keras import layers

from kerasgan.networks.layers import PixelShuffle
from kerasgan.networks.catalog import register_discriminator, register_generator


def torch_default_kernel_initializer():
    """PyTorch's default Linear/Conv weight init, kaiming_uniform(a=sqrt(5)) = U(+-1/sqrt(fan_in))."""
    return keras.initializers.VarianceScaling(1.0 / 3.0, mode="fan_in", distribution="uniform")


def torch_default_bias_initializer(fan_in, reference_init=True):
    """PyTorch's default Linear/Conv bias init, U(+-1/sqrt(fan_in)); zeros when not `reference_init`.

    `fan_in` is the layer's inputs per output (Dense: input units; Conv: kh * kw * in_channels).
    Keras' `VarianceScaling` cannot express it: it reads a bias's fan-in as its own length.
    """
    if not reference_init:
        return "zeros"
    bound = 1.0 / float(fan_in) ** 0.5
    return keras.initializers.RandomUniform(-bound, bound)


def _torch03_gamma_initializer(reference_init=True):
    # PyTorch before 1.0 (the reference ran 0.3.1) drew BatchNorm's scale from U(0, 1).
    return keras.initializers.RandomUniform(0.0, 1.0) if reference_init else "ones"


def l1_generator(latent_dim=100, image_shape=(28, 28, 1), negative_slope=0.2,
                 output_activation="tanh", reference_init=True, name="generator"):
    """The L1-GAN generator: two dense layers, then pixel shuffles and 5x5 convolutions.

    Dense 1024 + LReLU; Dense (H/4 * W/4 * 128) + LReLU; reshape (H/4, W/4,
    128); pixel shuffle x2 -> 32 channels; Conv 64 5x5 + BN + LReLU; pixel
    shuffle x2 -> 16 channels; Conv C 5x5 -> `output_activation`.

    Args:
        latent_dim: Noise size.
        image_shape: Output `(H, W, C)`, H and W divisible by 4.
        negative_slope: LeakyReLU slope.
        output_activation: `"tanh"` (the reference, images in [-1, 1]) or
            `"sigmoid"` (images in [0, 1]).
        reference_init: Start as the reference's PyTorch 0.3.1 did: biases
            U(+-1/sqrt(fan_in)), BatchNorm scale U(0, 1). False: zero biases,
            BatchNorm scale 1 (Keras' defaults). Kernels are U(+-1/sqrt(fan_in))
            either way.

    Example:
    >>> g = kerasgan.networks.l1_generator(100, (28, 28, 1))

    Reference: github atiyo/unbounded_gan (l1_gan.py, l1_gan_unbounded.py).
    """
    h, w, c = (int(d) for d in image_shape)
    if h % 4 or w % 4:
        raise ValueError(
            f"Expected H and W divisible by 4 for l1_generator. Received: image_shape={image_shape}"
        )
    init = torch_default_kernel_initializer

    def bias(fan_in):
        return torch_default_bias_initializer(fan_in, reference_init)

    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(1024, kernel_initializer=init(), bias_initializer=bias(latent_dim),
                     name="fc_1")(noise)
    x = layers.LeakyReLU(negative_slope, name="lrelu_1")(x)
    x = layers.Dense((h // 4) * (w // 4) * 128, kernel_initializer=init(),
                     bias_initializer=bias(1024), name="fc_2")(x)
    x = layers.LeakyReLU(negative_slope, name="lrelu_2")(x)
    x = layers.Reshape((h // 4, w // 4, 128), name="to_grid")(x)
    x = PixelShuffle(2, name="pixel_shuffle_1")(x)
    x = layers.Conv2D(64, 5, padding="same", kernel_initializer=init(),
                      bias_initializer=bias(5 * 5 * 32), name="conv_3")(x)
    # PyTorch BatchNorm2d(eps 1e-5, momentum 0.1) is Keras momentum 0.9.
    x = layers.BatchNormalization(epsilon=1e-5, momentum=0.9,
                                  gamma_initializer=_torch03_gamma_initializer(reference_init),
                                  name="bn_3")(x)
    x = layers.LeakyReLU(negative_slope, name="lrelu_3")(x)
    x = PixelShuffle(2, name="pixel_shuffle_2")(x)
    x = layers.Conv2D(c, 5, padding="same", kernel_initializer=init(),
                      bias_initializer=bias(5 * 5 * 16), name="conv_4")(x)
    images = layers.Activation(output_activation, name="output", dtype="float32")(x)
    return keras.Model(noise, images, name=name)


def l1_discriminator(
    image_shape=(28, 28, 1), output_activation="sigmoid", negative_slope=0.2, reference_init=True,
    name="discriminator",
):
    """The L1-GAN discriminator: Conv 64 5x5, max-pool, Conv 128 5x5, Dense 1.

    Args:
        image_shape: Input `(H, W, C)`.
        output_activation: `"sigmoid"` (the `l1` preset) or None (unbounded,
            the `l1_unbounded` preset).
        negative_slope: LeakyReLU slope.
        reference_init: Biases U(+-1/sqrt(fan_in)) as the reference's PyTorch;
            False: zero biases.

    Example:
    >>> d = kerasgan.networks.l1_discriminator((28, 28, 1), output_activation=None)

    Reference: github atiyo/unbounded_gan.
    """
    init = torch_default_kernel_initializer

    def bias(fan_in):
        return torch_default_bias_initializer(fan_in, reference_init)

    h, w, c = (int(d) for d in image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = layers.Conv2D(64, 5, padding="same", kernel_initializer=init(),
                      bias_initializer=bias(5 * 5 * c), name="conv_1")(images)
    x = layers.LeakyReLU(negative_slope, name="lrelu_1")(x)
    x = layers.MaxPooling2D(2, name="pool_1")(x)
    x = layers.Conv2D(128, 5, padding="same", kernel_initializer=init(),
                      bias_initializer=bias(5 * 5 * 64), name="conv_2")(x)
    x = layers.LeakyReLU(negative_slope, name="lrelu_2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(1, kernel_initializer=init(), bias_initializer=bias((h // 2) * (w // 2) * 128),
                     name="fc_3")(x)
    if output_activation is not None:
        x = layers.Activation(output_activation, name="output_activation")(x)
    return keras.Model(images, x, name=name)


def l1_discriminator_spec():
    """A convolution spec of `l1_discriminator` (its max-pool counted as stride 2)."""
    return {"type": "conv", "filters": [64, 128], "kernel_sizes": [5, 5], "strides": [2, 1]}


register_generator("l1", l1_generator)
register_discriminator("l1", l1_discriminator, spec=l1_discriminator_spec)
