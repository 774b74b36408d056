"""Class-conditional networks: conditional BatchNorm, a conditional DCGAN generator, and
projection, concatenated-embedding (cGAN) and auxiliary-classifier (ACGAN) discriminators.

Conditional networks take the class ids as a second input: `generator([noise, labels])`,
`discriminator([images, labels])`; labels are int32 of shape `(batch,)`. The ACGAN
discriminator sees images only and returns `[adversarial logit, class logits]`.
"""

import keras
from keras import layers, ops

from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.dcgan import dcgan_stages
from kerasgan.networks.spectral_norm import maybe_spectral_norm

CONDITIONINGS = ("projection", "concat", "acgan")
GENERATOR_CONDITIONINGS = ("concat+batchnorm", "batchnorm", "concat")
POOLINGS = ("sum", "mean", "flatten")


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalBatchNormalization(layers.Layer):
    """BatchNorm whose scale and offset are looked up per class: `gamma[y] * x_hat + beta[y]`.

    Called on `[x, labels]`; normalises over every axis but the last, like
    `keras.layers.BatchNormalization(center=False, scale=False)`, then applies
    the class's `gamma` and `beta` (rows of two `(num_classes, channels)`
    embedding tables, initialised to ones and zeros).

    Args:
        num_classes: Number of classes.
        momentum, epsilon: As in `keras.layers.BatchNormalization`.
        gamma_initializer, beta_initializer: Initialisers of the two tables.

    Example:
    >>> y = kerasgan.networks.ConditionalBatchNormalization(10)([x, labels])

    Reference: de Vries et al., Modulating early visual processing by
    language, 2017; Miyato & Koyama, cGANs with Projection Discriminator, 2018.
    """

    def __init__(self, num_classes, momentum=0.9, epsilon=1e-5, gamma_initializer="ones",
                 beta_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_classes, bool) or int(num_classes) < 1:
            raise ValueError(f"Expected num_classes >= 1. Received: num_classes={num_classes!r}")
        self.num_classes = int(num_classes)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.batch_norm = BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False,
            name="batch_norm",
        )

    def build(self, input_shape):
        x_shape = input_shape[0]
        channels = int(x_shape[-1])
        self.batch_norm.build(x_shape)
        self.gamma = self.add_weight(shape=(self.num_classes, channels), name="gamma",
                                     initializer=self.gamma_initializer)
        self.beta = self.add_weight(shape=(self.num_classes, channels), name="beta",
                                    initializer=self.beta_initializer)
        self.built = True

    def call(self, inputs, training=None):
        x, labels = inputs
        x = self.batch_norm(x, training=training)
        labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gamma = ops.reshape(ops.take(self.gamma, labels, axis=0), shape)
        beta = ops.reshape(ops.take(self.beta, labels, axis=0), shape)
        return x * ops.cast(gamma, x.dtype) + ops.cast(beta, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "gamma_initializer": keras.initializers.serialize(self.gamma_initializer),
            "beta_initializer": keras.initializers.serialize(self.beta_initializer),
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class GlobalSumPooling2D(layers.Layer):
    """Sums NHWC feature maps over height and width: `(B, H, W, C) -> (B, C)`.

    The projection discriminator's phi(x) (Miyato & Koyama sum-pool); with
    spectral normalization the sum keeps the output's scale, which a mean
    would shrink by `H * W` with no weight able to undo it.
    """

    def call(self, x):
        return ops.sum(x, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


def _conv_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def labels_input(name="labels"):
    """The `(batch,)` int32 class-id input of a conditional network."""
    return keras.Input((), dtype="int32", name=name)


def _check_classes(num_classes):
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"Expected num_classes to be an int >= 1. Received: {num_classes!r}")


def conditional_dcgan_generator(
    num_classes,
    latent_dim=100,
    image_shape=(28, 28, 1),
    base_filters=64,
    conditioning="concat+batchnorm",
    embedding_dim=None,
    embedding_initializer=None,
    output_activation="tanh",
    bn_epsilon=1e-5,
    bn_momentum=0.9,
    name="generator",
):
    """A class-conditional DCGAN generator: `[noise, labels] -> images`.

    The DCGAN layout of `kerasgan.networks.dcgan_generator` (a "valid"
    transposed convolution to 4x4 or 7x7, then stride-2 `k4` transposed
    convolutions) for 28x28, 32x32 or 64x64 images, conditioned by
    conditional BatchNorm in every hidden stage (`"batchnorm"`, as the
    projection-discriminator paper's generator), by concatenating a learned
    label embedding to the noise (`"concat"`, Mirza & Osindero), or both
    (`"concat+batchnorm"`, the default: the embedding makes the output depend
    on the label from the first step, where per-class BatchNorm tables start
    equal).

    Args:
        num_classes: Number of classes.
        latent_dim: Noise size.
        image_shape: `(H, W, C)`, a DCGAN size (28, 32, 64).
        base_filters: Filters of the last hidden stage.
        conditioning: `"concat+batchnorm"`, `"batchnorm"` or `"concat"`.
        embedding_dim: Size of the label embedding (default: `num_classes`).
        embedding_initializer: Initialiser of the label embedding (default:
            `RandomNormal(0, 1)`, codes on the noise's scale).
        output_activation: `"tanh"` for images in [-1, 1].
        bn_epsilon, bn_momentum: BatchNorm settings.

    Example:
    >>> g = kerasgan.networks.conditional_dcgan_generator(10, 100, (28, 28, 1))
    >>> images = g([noise, labels])

    Reference: Miyato & Koyama, cGANs with Projection Discriminator, 2018;
    Mirza & Osindero, Conditional Generative Adversarial Nets, 2014.
    """
    _check_classes(num_classes)
    if conditioning not in GENERATOR_CONDITIONINGS:
        raise ValueError(
            f"Expected conditioning in {GENERATOR_CONDITIONINGS} for the generator. "
            f"Received: conditioning={conditioning!r}"
        )
    concat = conditioning in ("concat", "concat+batchnorm")
    batchnorm = conditioning in ("batchnorm", "concat+batchnorm")
    start, stages = dcgan_stages(image_shape)
    noise = keras.Input((latent_dim,), name="noise")
    labels = labels_input()
    x = noise
    if concat:
        initializer = embedding_initializer or keras.initializers.RandomNormal(0.0, 1.0)
        embedded = layers.Embedding(num_classes, embedding_dim or num_classes,
                                    embeddings_initializer=initializer,
                                    name="label_embedding")(labels)
        x = layers.Concatenate(name="noise_and_label")([noise, embedded])
    x = layers.Reshape((1, 1, int(x.shape[-1])), name="to_1x1")(x)

    def norm(x, i):
        if batchnorm:
            return ConditionalBatchNormalization(
                num_classes, momentum=bn_momentum, epsilon=bn_epsilon, name=f"cbn_{i}"
            )([x, labels])
        return BatchNormalization(
            momentum=bn_momentum, epsilon=bn_epsilon,
            gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02), name=f"bn_{i}",
        )(x)

    filters = base_filters * 2 ** (stages - 1)
    x = layers.Conv2DTranspose(filters, start, strides=1, padding="valid", use_bias=False,
                               kernel_initializer=_conv_init(), name="project")(x)
    x = layers.ReLU(name="relu_0")(norm(x, 0))
    for i in range(1, stages):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=_conv_init(), name=f"up_{i}")(x)
        x = layers.ReLU(name=f"relu_{i}")(norm(x, i))
    x = layers.Conv2DTranspose(int(image_shape[-1]), 4, strides=2, padding="same", use_bias=False,
                               kernel_initializer=_conv_init(), name="to_image")(x)
    images = layers.Activation(output_activation, name="output", dtype="float32")(x)
    return keras.Model([noise, labels], images, name=name)


def label_plane(labels, num_classes, image_shape, spectral_norm=False, name="label_plane"):
    """A learned `(H, W, 1)` map per class, to concatenate to the images (cGAN discriminator)."""
    h, w = int(image_shape[0]), int(image_shape[1])
    plane = maybe_spectral_norm(layers.Embedding(num_classes, h * w, name=name), spectral_norm)(
        labels
    )
    return layers.Reshape((h, w, 1), name=f"{name}_map")(plane)


def conditional_head(features, labels, num_classes, conditioning, spectral_norm=False):
    """The output of a conditional discriminator from its pooled features `phi(x)` `(B, F)`.

    `"projection"`: `psi(phi(x)) + <embed(y), phi(x)>` (Miyato & Koyama);
    `"concat"` and None: `psi(phi(x))` (labels already entered with the
    image); `"acgan"`: `[psi(phi(x)), class logits]` (Odena et al.).
    Layer names: `psi`, `class_embedding`, `class_logits`.
    """
    logit = maybe_spectral_norm(layers.Dense(1, name="psi"), spectral_norm)(features)
    if conditioning == "projection":
        embedded = maybe_spectral_norm(
            layers.Embedding(num_classes, int(features.shape[-1]), name="class_embedding"),
            spectral_norm,
        )(labels)
        projection = layers.Dot(axes=1, name="projection")([embedded, features])
        return layers.Add(name="logit")([logit, projection])
    if conditioning == "acgan":
        classes = maybe_spectral_norm(layers.Dense(num_classes, name="class_logits"),
                                      spectral_norm)(features)
        return [logit, classes]
    return logit


def check_conditioning(conditioning, allow_none=False):
    allowed = CONDITIONINGS + ((None,) if allow_none else ())
    if conditioning not in allowed:
        raise ValueError(
            f"Expected conditioning in {allowed}. Received: conditioning={conditioning!r}"
        )


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStdDev(layers.Layer):
    """Appends one channel: the feature maps' standard deviation over the batch, averaged.

    `(B, H, W, C) -> (B, H, W, C + 1)`; the new channel holds, at every
    position of every image, the mean over positions and channels of the
    per-feature standard deviation across the batch. A discriminator that
    sees it can tell a batch of near-identical fakes from a varied real
    batch, which pushes the generator towards variety.

    Reference: Karras et al., Progressive Growing of GANs, ICLR 2018 (section 3).
    """

    def call(self, x):
        std = ops.sqrt(ops.var(ops.cast(x, "float32"), axis=0) + 1e-8)
        plane = ops.ones_like(x[..., :1]) * ops.cast(ops.mean(std), x.dtype)
        return ops.concatenate([x, plane], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + 1,)


def conditional_dcgan_discriminator(
    num_classes,
    image_shape=(28, 28, 1),
    base_filters=64,
    conditioning="projection",
    spectral_norm=False,
    batchnorm=None,
    negative_slope=0.2,
    bn_epsilon=1e-5,
    bn_momentum=0.9,
    pooling="sum",
    minibatch_std=False,
    name="discriminator",
):
    """A class-conditional DCGAN discriminator.

    The DCGAN body (stride-2 `k4` convolutions, LeakyReLU, BatchNorm after
    the first unless `spectral_norm`) gives feature maps, pooled to `phi(x)`;
    the head depends on `conditioning`:

    - `"projection"`: `[images, labels] -> psi(phi(x)) + <embed(y), phi(x)>`.
    - `"concat"`: `[images, labels] -> psi(phi([x, plane(y)]))`, a learned
      per-class map concatenated to the image channels.
    - `"acgan"`: `images -> [psi(phi(x)), class_logits]`.

    Args:
        num_classes: Number of classes.
        image_shape: `(H, W, C)`, a DCGAN size.
        base_filters: Filters of the first convolution.
        conditioning: `"projection"`, `"concat"` or `"acgan"`.
        spectral_norm: Wrap every convolution, dense and embedding layer in
            `kerasgan.networks.SpectralNorm`.
        batchnorm: BatchNorm in the body (default: not with spectral norm).
        negative_slope: LeakyReLU slope.
        bn_epsilon, bn_momentum: BatchNorm settings.
        pooling: How feature maps become `phi(x)`: `"sum"` (Miyato & Koyama's
            global sum), `"mean"` (the sum / H*W), or `"flatten"` (every
            position keeps its own weights, as the dcgan discriminator's head).
        minibatch_std: Append a `MinibatchStdDev` channel before the last
            convolution (ProGAN's minibatch standard deviation).

    Example:
    >>> d = kerasgan.networks.conditional_dcgan_discriminator(10, (28, 28, 1), spectral_norm=True)
    >>> logits = d([images, labels])

    Reference: Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018;
    Odena et al., Conditional Image Synthesis with Auxiliary Classifier GANs,
    2017; Mirza & Osindero, 2014.
    """
    _check_classes(num_classes)
    check_conditioning(conditioning)
    if pooling not in POOLINGS:
        raise ValueError(f"Expected pooling in {POOLINGS}. Received: pooling={pooling!r}. "
                         "Use 'sum' for the projection paper's head.")
    _, stages = dcgan_stages(image_shape)
    batchnorm = (not spectral_norm) if batchnorm is None else batchnorm
    images = keras.Input(tuple(image_shape), name="images")
    labels = None if conditioning == "acgan" else labels_input()
    x = images
    if conditioning == "concat":
        plane = label_plane(labels, num_classes, image_shape, spectral_norm)
        x = layers.Concatenate(name="image_and_label")([images, plane])
    for i in range(stages + 1):
        # The last stage keeps the size: a stride-1 convolution before pooling.
        strides = 2 if i < stages else 1
        filters = base_filters * 2 ** min(i, stages - 1)
        if minibatch_std and i == stages:
            x = MinibatchStdDev(name="minibatch_std")(x)
        x = maybe_spectral_norm(
            layers.Conv2D(filters, 4 if strides == 2 else 3, strides=strides, padding="same",
                          use_bias=not batchnorm, kernel_initializer=_conv_init(),
                          name=f"down_{i}"),
            spectral_norm,
        )(x)
        if batchnorm and i > 0:
            x = BatchNormalization(
                momentum=bn_momentum, epsilon=bn_epsilon,
                gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02), name=f"bn_{i}",
            )(x)
        x = layers.LeakyReLU(negative_slope=negative_slope, name=f"lrelu_{i}")(x)
    if pooling == "sum":
        features = GlobalSumPooling2D(name="features")(x)
    elif pooling == "mean":
        features = layers.GlobalAveragePooling2D(name="features")(x)
    else:
        features = layers.Flatten(name="features")(x)
    outputs = conditional_head(features, labels, num_classes, conditioning, spectral_norm)
    inputs = images if labels is None else [images, labels]
    return keras.Model(inputs, outputs, name=name)


def projection_discriminator(num_classes, image_shape=(28, 28, 1), **kwargs):
    """`conditional_dcgan_discriminator(..., conditioning="projection")` (Miyato & Koyama, 2018)."""
    return conditional_dcgan_discriminator(num_classes, image_shape, conditioning="projection",
                                           **kwargs)


def concat_discriminator(num_classes, image_shape=(28, 28, 1), **kwargs):
    """`conditional_dcgan_discriminator(..., conditioning="concat")` (Mirza & Osindero, 2014)."""
    return conditional_dcgan_discriminator(num_classes, image_shape, conditioning="concat",
                                           **kwargs)


def acgan_discriminator(num_classes, image_shape=(28, 28, 1), **kwargs):
    """`conditional_dcgan_discriminator(..., conditioning="acgan")` (Odena et al., 2017)."""
    return conditional_dcgan_discriminator(num_classes, image_shape, conditioning="acgan",
                                           **kwargs)


def _registered_discriminator(image_shape, num_classes, conditioning="projection",
                              output_activation=None, **kwargs):
    """`conditional_dcgan_discriminator` as the network catalog calls it (logits only)."""
    if output_activation is not None:
        raise ValueError(
            "Expected output_activation=None: conditional discriminators return logits. "
            f"Received: output_activation={output_activation!r}"
        )
    return conditional_dcgan_discriminator(num_classes, image_shape, conditioning=conditioning,
                                           **kwargs)


def _register():
    from kerasgan.networks.catalog import (
        discriminator_names,
        generator_names,
        register_discriminator,
        register_generator,
    )

    if "conditional_dcgan" not in generator_names():
        register_generator("conditional_dcgan", conditional_dcgan_generator)
    if "conditional_dcgan" not in discriminator_names():
        register_discriminator("conditional_dcgan", _registered_discriminator)


_register()
