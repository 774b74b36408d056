"""The judges' network: the domain classifier, its input conversion and its outputs.

A small CNN maps `(N, 28, 28, 1)` images in [0, 1] to 10 logits; its penultimate
ReLU layer ("features") is the feature space of the Frechet distance, KID and
the k-NN metrics. `prepare_images` converts other value ranges, channel counts
(RGB -> gray) and sizes (bilinear resize with antialiasing) to that input.
"""

import numpy as np

NUM_CLASSES = 10
INPUT_SHAPE = (28, 28, 1)
FEATURE_LAYER = "features"
#: The `build_classifier` arguments a judge's metadata records under "architecture".
ARCHITECTURE_KEYS = ("kernel_size", "filters", "feature_units", "dropout")


def build_classifier(kernel_size=5, filters=(32, 64), feature_units=1024, dropout=0.5,
                     num_classes=NUM_CLASSES, input_shape=INPUT_SHAPE, name="domain_classifier"):
    """The reference digit classifier: conv+maxpool blocks, a ReLU feature layer, logits.

    Args:
        kernel_size: Conv kernel size (5 in the reference).
        filters: Filters of the convolutions, one conv+maxpool block each
            (layers `conv1`, `pool1`, `conv2`, ...; two in the reference).
        feature_units: Width of the penultimate ReLU layer (named "features";
            its activations are the Frechet distance's feature space).
        dropout: Dropout rate after the feature layer.
        num_classes: Output logits.
        input_shape: `(H, W, C)` of the images (in [0, 1]).

    Example:
    >>> model = kerasgan.metrics.build_classifier()  # SPEC.md's reference MNIST classifier
    >>> judge_b = kerasgan.metrics.build_classifier(5, (16, 32, 64), 128, dropout=0.3)

    Reference: the TensorFlow "Deep MNIST for experts" network used by
    Karuvally (github arjun23496/Shared-WGAN) for the entropy evaluation.
    """
    import keras
    from keras import layers

    filters = [int(f) for f in filters]
    side = min(input_shape[:2]) // 2 ** len(filters)
    if not filters or side < 1:
        raise ValueError(
            f"Expected 1 to {int(np.log2(min(input_shape[:2])))} conv stages for {input_shape[:2]} "
            f"images (each halves the size). Received: filters={filters}. Pass fewer filters.")
    inputs = keras.Input(input_shape, name="images")
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, kernel_size, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(feature_units, activation="relu", name=FEATURE_LAYER)(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def prepare_images(images, value_range=(0.0, 1.0)):
    """Converts images to the classifiers' input: float32 in [0, 1], `(N, 28, 28, 1)`.

    Values are mapped from `value_range` to [0, 1] and clipped; RGB becomes gray
    (ITU-R 601 luma); other sizes are resized bilinearly with antialiasing.

    Example:
    >>> x = kerasgan.metrics.prepare_images(np.zeros((4, 64, 64, 3)), value_range=(-1, 1))
    >>> x.shape
    (4, 28, 28, 1)
    """
    x = np.asarray(images, dtype="float32")
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(
            "Expected images of shape (N, H, W, C) with C in {1, 3, 4}. "
            f"Received: shape={x.shape}"
        )
    low, high = (float(v) for v in value_range)
    x = np.clip((x - low) / (high - low), 0.0, 1.0)
    if x.shape[-1] == 4:
        x = x[..., :3]
    if x.shape[-1] == 3:
        x = (x @ np.array([0.299, 0.587, 0.114], "float32"))[..., None]
    if x.shape[1:3] != INPUT_SHAPE[:2]:
        import keras

        out = keras.ops.image.resize(x, INPUT_SHAPE[:2], interpolation="bilinear", antialias=True)
        x = np.clip(np.asarray(keras.ops.convert_to_numpy(out), dtype="float32"), 0.0, 1.0)
    return x.astype("float32")


class DomainClassifier:
    """A trained classifier with helpers for softmax probabilities and penultimate features.

    Args:
        model: A `keras.Model` mapping `(N, 28, 28, 1)` images in [0, 1] to
            logits, with a layer named "features".
        info: Metadata (dataset, accuracy, training recipe, file and sha256).

    Example:
    >>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
    >>> probs, feats = clf.predict(images)

    Reference: Salimans et al., Improved Techniques for Training GANs, 2016
    (a classifier's outputs as a sample-quality measure).
    """

    def __init__(self, model, info=None):
        import keras

        self.model = model
        self.info = dict(info or {})
        features = model.get_layer(FEATURE_LAYER).output
        probs = keras.layers.Softmax(name="probabilities")(model.output)
        self._both = keras.Model(model.input, [probs, features], name="classifier_outputs")

    @property
    def dataset(self):
        return self.info.get("dataset")

    @property
    def path(self):
        """The weights file this classifier was loaded from (None if never saved)."""
        return self.info.get("path")

    @property
    def sha256(self):
        """sha256 of the weights file (None if never saved)."""
        return self.info.get("sha256")

    def predict(self, images, value_range=(0.0, 1.0), batch_size=500):
        """Softmax probabilities `(N, 10)` and features `(N, d)` as float64 numpy arrays."""
        x = prepare_images(images, value_range)
        if len(x) == 0:
            raise ValueError("Expected at least one image. Received: 0 images.")
        # Keras' compiled predict loop: ~2x faster than eager calls on CPU. Under TensorFlow on
        # the CPU from kerasgan's batches: Keras' array pipeline made each call wait at its end
        # (5,000 images 1.30 s against 0.72-0.75 s, BUILD_NOTES.md "Arrays in fit()").
        from kerasgan.utils import tf_data

        batches = tf_data.predict_batches(x, batch_size)
        if batches is None:
            probs, feats = self._both.predict(x, batch_size=batch_size, verbose=0)
        else:
            probs, feats = self._both.predict(batches, verbose=0)
        return np.asarray(probs, "float64"), np.asarray(feats, "float64")

    def accuracy(self, images, labels, value_range=(0.0, 1.0)):
        probs, _ = self.predict(images, value_range)
        return float((probs.argmax(axis=1) == np.asarray(labels)).mean())


def architecture_of(model):
    """The `build_classifier` arguments (`ARCHITECTURE_KEYS`) that rebuild `model`."""
    convs = [layer for layer in model.layers if layer.name.startswith("conv")]
    return {"kernel_size": int(convs[0].kernel_size[0]), "filters": [int(c.filters) for c in convs],
            "feature_units": int(model.get_layer(FEATURE_LAYER).units),
            "dropout": float(model.get_layer("dropout").rate)}
