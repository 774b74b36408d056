"""Checks on arguments, images, labels and batches, in one place for the GAN, the zoo, data and training.

Every check raises a `ValueError` in the form "Expected <what>. Received:
<what>." plus the fix where there is one: arguments (`check_positive_int`,
`check_range_pair`, `argument_error`), arrays of images (`check_array_images`
for `kerasgan.data`, `check_images` and `check_batch_shape` for `GAN.fit`),
shared pieces of both (`check_not_empty`, `check_finite`, `check_in_range`),
class labels (`check_labels`, `check_label_batch`, `check_num_classes`),
example counts (`check_num_examples`), batch size (`check_split_batch`) and
replicas (`check_replicas`). `kerasgan.batch_checks` checks every batch `GAN.fit` trains on.
"""

import math
import numbers

import numpy as np

#: Data a little outside the declared range (resampling overshoot, float round-off) is fine:
#: this fraction of the range.
RANGE_TOLERANCE = 1e-3


# --- arguments ------------------------------------------------------------------------------------


def is_int(value):
    """True for an integer (Python or numpy), False for bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value):
    """True for a real number (Python or numpy), False for bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_positive_int(value):
    return is_int(value) and value >= 1


def is_finite_number(value):
    return is_number(value) and math.isfinite(value)


def is_positive_number(value):
    return is_finite_number(value) and value > 0


def is_range_pair(value):
    """True for a pair `(low, high)` of finite numbers with low < high."""
    return (isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2
            and all(is_finite_number(v) for v in value) and value[0] < value[1])


def argument_error(name, value, expected, fix=""):
    """The `ValueError` "Expected <name> to be <expected>. Received: <name>=<value> (<type>). <fix>"."""
    return ValueError(
        f"Expected {name} to be {expected}. Received: {name}={value!r} "
        f"({type(value).__name__})." + (f" {fix}" if fix else "")
    )


def check_positive_int(name, value, allow_none=False, fix=""):
    """`value` as an int >= 1 (or None when allowed); raises `argument_error` otherwise."""
    if value is None and allow_none:
        return None
    if not is_positive_int(value):
        raise argument_error(name, value, "a positive integer" + (" or None" if allow_none else ""), fix)
    return int(value)


def generator_latent_dim(generator):
    """The noise size a generator takes: the last axis of its (first) input, `(batch, latent_dim)`."""
    try:
        shape = generator.input_shape
    except (AttributeError, ValueError) as e:
        raise ValueError(
            "Expected a generator whose input shape gives latent_dim. Received: a generator "
            f"without a known input shape ({e}). Pass latent_dim=..."
        ) from None
    if isinstance(shape, list):
        shape = shape[0]
    if shape is None or len(shape) != 2 or shape[-1] is None:
        raise ValueError(
            "Expected a generator taking noise of shape (batch, latent_dim). Received: a "
            f"generator with input shape {shape}."
        )
    return int(shape[-1])


def check_choice(name, value, choices, fix=""):
    """`value` when it is one of `choices`; raises `argument_error` otherwise."""
    if value not in choices:
        raise argument_error(name, value, "one of " + ", ".join(map(repr, choices)), fix)
    return value


def check_range_pair(name, value, fix=""):
    """`value` as a `(low, high)` pair of floats, finite with low < high; raises otherwise."""
    if not is_range_pair(value):
        raise argument_error(name, value, "a pair (low, high) of finite numbers with low < high", fix)
    return float(value[0]), float(value[1])


def check_num_classes(num_classes, minimum=1, allow_none=True, fix=""):
    """`num_classes` as an int >= `minimum` (or None when allowed); raises otherwise."""
    if num_classes is None and allow_none:
        return None
    if not is_int(num_classes) or num_classes < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise argument_error("num_classes", num_classes,
                             expected + (" or None" if allow_none else ""), fix)
    return int(num_classes)


def check_num_examples(num_examples, batch_size, description):
    """Raises unless `description` holds at least one full batch (batches drop the remainder)."""
    n = int(num_examples)
    if n == 0:
        raise ValueError(
            f"Expected at least one example in {description}. Received: 0 examples (it is "
            "empty). Check the source, or pass a larger limit."
        )
    if n < batch_size:
        raise ValueError(
            f"Expected at least batch_size={batch_size} examples in {description}. Received: "
            f"only {n} examples, fewer than batch_size={batch_size}: with drop_remainder=True "
            "this gives zero batches. Pass a smaller batch_size (or a larger limit)."
        )


# --- images -------------------------------------------------------------------------------------


def check_not_empty(shape):
    """Raises unless `shape` is that of at least one image (rank >= 1, N >= 1)."""
    shape = tuple(shape)
    if not shape or shape[0] == 0:
        raise ValueError(
            f"Expected at least one image. Received: shape={shape}. Check the source (and "
            "any filtering or limit applied to it)."
        )


def _shape_hint(shape, image_shape=None):
    """A sentence on a likely cause of a wrong image `shape` (channels-first, no channel axis)."""
    if len(shape) == 4 and shape[1] in (1, 3, 4) and (
        shape[-1] not in (1, 2, 3, 4)
        if image_shape is None
        else (shape[1] == image_shape[-1] and tuple(shape[2:]) == tuple(image_shape[:2]))
    ):
        return " It looks channels-first (N, C, H, W): transpose it, x.transpose(0, 2, 3, 1)."
    if image_shape is not None and len(shape) == len(image_shape) and (
        tuple(shape[1:]) == tuple(image_shape[:-1])
    ):
        return " Add the channel axis: x[..., None]."
    return ""


def check_finite(images, where="", batch_size=None):
    """Raises if `images` (N, ...) hold a NaN or Inf value.

    Args:
        images: The images.
        where: Where they are, for the message (e.g. " at batch 5 of the dataset").
        batch_size: If set, the message also names the first bad image's batch (in the
            array's order).
    """
    finite = np.isfinite(images)
    if finite.all():
        return
    bad_images = np.flatnonzero(~finite.reshape(len(images), -1).all(axis=1))
    raise ValueError(
        f"Expected finite pixel values. Received: {int((~finite).sum())} NaN or Inf pixel "
        f"value(s) in {bad_images.size} of {len(images)} images{where}, the first at index "
        f"{int(bad_images[0])}{_batch_of(bad_images[0], batch_size)}. Clean the data (e.g. "
        "np.nan_to_num) or drop the broken images."
    )


def _batch_of(index, batch_size):
    if batch_size is None:
        return ""
    batch = int(index) // batch_size + 1
    return f" (batch {batch} at batch_size={batch_size}, in the array's order)"


def check_in_range(images, value_range, where="", batch_size=None):
    """Raises if float `images` leave `value_range` (by more than a small tolerance).

    Args:
        images: The images.
        value_range: `(low, high)`.
        where: Where they are, for the message (e.g. " at batch 5 of the dataset").
        batch_size: If set, the message also names the first bad image and its batch (in the
            array's order).
    """
    low, high = (float(v) for v in value_range)
    tol = RANGE_TOLERANCE * (high - low)
    lo, hi = float(np.min(images)), float(np.max(images))
    if lo >= low - tol and hi <= high + tol:
        return
    if batch_size is not None:
        flat = np.asarray(images).reshape(len(images), -1)
        outside = (flat.min(axis=1) < low - tol) | (flat.max(axis=1) > high + tol)
        first = int(np.flatnonzero(outside)[0])
        where += f", the first outside it at index {first}{_batch_of(first, batch_size)}"
    hint = ""
    if hi > 1.5 and high <= 1.0:
        hint = " The values look like 0..255 pixels: divide by 255 (and rescale)."
    elif lo >= -tol and low < 0:
        hint = f" The values look like [0, 1] images: use x * {high - low:g} + {low:g}."
    elif lo < -tol and low >= 0:
        hint = " The values look like [-1, 1] images: use (x + 1) / 2."
    raise ValueError(
        f"Expected images with values in [{low:g}, {high:g}]. Received: values in "
        f"[{lo:g}, {hi:g}]{where}.{hint} kerasgan.data.load(..., value_range=({low:g}, {high:g})) "
        "and kerasgan.data.from_arrays scale uint8 pixels (0..255) for you."
    )


def check_array_images(images, value_range):
    """In-memory images for `kerasgan.data` as `(N, H, W, C)` uint8 (0..255) or float32.

    Accepts `(N, H, W)` (a channel axis is added), 1 to 4 channels, uint8 or
    integer pixels 0..255 (scaled later) and float images already in
    `value_range` (passed through).
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(
            f"Expected images of shape (N, H, W) or (N, H, W, C). Received: shape={images.shape} "
            f"(rank {images.ndim}). Stack the images into one array with the batch axis first."
        )
    check_not_empty(images.shape)
    if images.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(
            "Expected images with 1 (gray), 2 (gray and alpha), 3 (RGB) or 4 (RGBA) channels on "
            "the last axis (NHWC). Received: "
            f"shape={images.shape}.{_shape_hint(images.shape)}"
        )
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise ValueError(
            f"Expected images of at least 1x1 pixels. Received: shape={images.shape}."
        )
    low, high = (float(v) for v in value_range)
    if images.dtype == np.uint8:
        return images
    if images.dtype != np.bool_ and np.issubdtype(images.dtype, np.integer):
        lo, hi = int(images.min()), int(images.max())
        if lo < 0 or hi > 255:
            raise ValueError(
                f"Expected integer images to hold 0..255 (they are read as uint8 pixels). "
                f"Received: {images.dtype} values in [{lo}, {hi}]. Scale them to 0..255, or pass "
                f"floats in [{low:g}, {high:g}]."
            )
        return images.astype(np.uint8)
    if images.dtype != np.bool_ and np.issubdtype(images.dtype, np.floating):
        images = images.astype(np.float32, copy=False)
        check_finite(images)
        check_in_range(images, (low, high))
        return images
    raise ValueError(
        f"Expected uint8 or float images. Received: dtype {images.dtype}. Pass uint8 pixels "
        f"(0..255), or floats already in value_range ({low:g}, {high:g})."
    )


def check_images(batch, image_shape, value_range, name="fit()", where=""):
    """Raises a ValueError naming the problem and the fix if `batch` is not usable training data.

    Args:
        batch: A batch (numpy array, tuple or dict).
        image_shape: Expected `(H, W, C)`.
        value_range: Expected `(low, high)` of pixel values; None skips the range check.
        name: What trains on it, for the message.
        where: Where the batch is, for the message (e.g. " at batch 5 of the dataset").
    """
    if isinstance(batch, dict):
        raise ValueError(
            f"Expected batches of images in {name}. Received: dicts with keys {sorted(batch)}. "
            "Map the dataset to images first, e.g. ds.map(lambda d: d['image'])."
        )
    if isinstance(batch, tuple):
        if len(batch) > 1 and batch[1] is not None:
            raise ValueError(
                f"Expected batches of images only in {name}. Received: tuples of {len(batch)} "
                f"elements (shapes {[np.shape(b) for b in batch]}), e.g. (images, labels). "
                "This GAN is unconditional: drop the labels, e.g. ds.map(lambda x, y: x)."
            )
        batch = batch[0]
    batch = np.asarray(batch)
    expected = (None,) + tuple(image_shape)
    if batch.ndim != len(expected) or tuple(batch.shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"Expected images of shape (batch,) + {tuple(image_shape)}. Received: "
            f"shape={batch.shape}{where}.{_shape_hint(batch.shape, image_shape)} "
            f"kerasgan.data.load(..., image_shape={tuple(image_shape)}) resizes and converts "
            "channels."
        )
    check_not_empty(batch.shape)
    low, high = (float(v) for v in (value_range or (-np.inf, np.inf)))
    if not np.issubdtype(batch.dtype, np.floating):
        values = ""
        if batch.dtype.kind in "biu":
            values = f" (values {batch.min()}..{batch.max()})"
        raise ValueError(
            f"Expected float images in [{low:g}, {high:g}]. Received: dtype {batch.dtype}"
            f"{values}{where}. Scale them first, e.g. "
            f"kerasgan.data.from_arrays(images, value_range=({low:g}, {high:g})), or "
            f"x.astype('float32') / 255 * {high - low:g} + {low:g}."
        )
    check_finite(batch, where)
    if value_range is not None:
        check_in_range(batch, value_range, where)


# --- labels -------------------------------------------------------------------------------------


def check_labels(labels, num_classes=None, num_samples=None, name="labels", where=None):
    """`labels` as an int32 array `(N,)` of class ids in [0, num_classes); raises otherwise.

    Args:
        labels: Class ids: a sequence `(N,)` or `(N, 1)` of integers (integral
            floats pass), or a single int repeated `num_samples` times.
        num_classes: Ids must be below it; None checks only that they are >= 0.
        num_samples: The number of labels expected (one per image), or None.
        name: The argument's name, for the message.
        where: What holds the labels (e.g. a file), for the message.
    """
    array = np.asarray(labels)
    at = f" in {where}" if where else ""
    if array.dtype == np.bool_ or not (
        np.issubdtype(array.dtype, np.integer)
        or (np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array)))
    ):
        raise ValueError(
            f"Expected integer class ids as {name}{at}. Received: dtype {array.dtype}. Pass "
            "class ids 0..num_classes-1 (e.g. labels.astype('int32'))."
        )
    if array.ndim == 0 and num_samples is not None:
        array = np.full((int(num_samples),), int(array))
    array = array.reshape(-1) if array.ndim == 2 and array.shape[-1] == 1 else array
    if array.ndim != 1 or (num_samples is not None and array.shape[0] != num_samples):
        n = "batch" if num_samples is None else str(int(num_samples))
        hint = ""
        if array.ndim == 2 and (num_samples is None or array.shape[0] == num_samples):
            hint = " One-hot labels: pass labels.argmax(axis=-1)."
        raise ValueError(
            f"Expected {name} of shape ({n},): one class id per image{at}"
            + (" (or a single int)" if num_samples is not None else "")
            + f". Received: shape={np.shape(labels)}.{hint}"
        )
    if array.size and array.min() < 0:
        first = int(np.flatnonzero(array < 0)[0])
        expected = f"in [0, {num_classes}) (num_classes={num_classes})" if num_classes else ">= 0"
        raise ValueError(
            f"Expected {name} {expected}{at}. Received: label {int(array[first])} at index "
            f"{first}. Class ids run from 0 to num_classes - 1."
        )
    if array.size and num_classes is not None and array.max() >= num_classes:
        first = int(np.flatnonzero(array >= num_classes)[0])
        hi = int(array.max())
        raise ValueError(
            f"Expected {name} in [0, {num_classes}) (num_classes={num_classes}){at}. Received: "
            f"label {int(array[first])} at index {first} (largest label {hi}). Fix the labels, "
            f"or use num_classes={hi + 1} or more."
        )
    return array.astype(np.int32)


def labels_out_of_range_message(num_classes, where,
                                fix="Fix the labels, or pass a larger num_classes."):
    """The message of a range check on streamed labels (run in the graph, values unknown here)."""
    expected = f"in [0, {num_classes}) (num_classes={num_classes})" if num_classes else ">= 0"
    return (f"Expected class labels {expected} in {where}. Received: a batch with a label "
            f"outside it (see the values below). {fix}")


def check_label_batch(batch, num_classes, name="fit()", where=None):
    """Checks an `(images, labels)` batch of a conditional GAN (`where`: the batch, for the
    message of a bad label); returns the images."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2 or batch[1] is None:
        shape = np.shape(batch[0] if isinstance(batch, (tuple, list)) else batch)
        raise ValueError(
            f"Expected {name} batches of (images, labels) for this class-conditional GAN. "
            f"Received: images only (shape {shape}). Load labels with "
            "kerasgan.data.load(..., labels=True), or pass fit(images, labels)."
        )
    images = batch[0]
    check_labels(batch[1], num_classes, np.shape(images)[0], name=f"{name} labels", where=where)
    return images


# --- batches ------------------------------------------------------------------------------------


def batch_length(batch):
    """Number of examples in a first batch (array, or tuple whose first element is the images)."""
    if isinstance(batch, dict):
        batch = next(iter(batch.values()), None)
    if isinstance(batch, tuple):
        batch = batch[0] if batch else None
    shape = np.shape(batch) if batch is not None else ()
    return int(shape[0]) if shape else None


def num_replicas(model=None):
    """Replicas that share each global batch under the active distribution (1 without one).

    TensorFlow: the model's `tf.distribute` strategy (the one it was built under),
    else the strategy in scope. JAX: the batch axis of Keras' global distribution.
    """
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
        return int(strategy.num_replicas_in_sync)
    if backend == "jax":
        dist = keras.distribution.distribution()
        mesh = getattr(dist, "device_mesh", None)
        if mesh is None:
            return 1
        axis = getattr(dist, "batch_dim_name", None)
        names = list(getattr(mesh, "axis_names", []) or [])
        if axis in names:
            return int(mesh.shape[names.index(axis)])
        return int(np.asarray(mesh.devices).size)
    return 1


def check_replicas(batch, replicas, name="fit()"):
    """Raises a ValueError unless a global batch divides evenly over the replicas.

    Each replica must get the same number of images: an uneven split weights
    the replicas' losses wrongly and makes them draw overlapping noise.

    Args:
        batch: A batch (array, or tuple whose first element is the images),
            or its length as an int.
        replicas: Replicas sharing each global batch (`num_replicas()`).
    """
    n = batch if isinstance(batch, (int, np.integer)) else batch_length(batch)
    if n is None or replicas <= 1 or (n >= replicas and n % replicas == 0):
        return
    fix = max(replicas, n // replicas * replicas)
    raise ValueError(
        f"Expected a global batch that is a multiple of the {replicas} replicas of the active "
        f"distribution, so every replica gets the same number of images. Received: a batch of "
        f"{n} image(s) in {name}. Use batch_size={fix} (a multiple of {replicas}); for a "
        "dataset, batch it with drop_remainder=True."
    )


def check_batch_shape(shape, image_shape):
    """Raises a ValueError if a batch's `shape` is not `(batch,) + image_shape`.

    Works on static shapes inside a training step (`None` batch sizes pass).
    """
    shape = tuple(shape)
    image_shape = tuple(image_shape)
    if len(shape) != 1 + len(image_shape) or tuple(shape[1:]) != image_shape:
        raise ValueError(
            f"Expected image batches of shape (batch,) + {image_shape} for this GAN. "
            f"Received: shape={shape}. Load data with kerasgan.data.load(..., preset=...) or "
            "image_shape=..."
        )


def check_split_batch(batch, parts, name="real_batches='split'"):
    """Raises a ValueError if a batch of `batch` images cannot give each of `parts` updates one."""
    if batch >= parts:
        return
    raise ValueError(
        f"Expected a batch of at least d_steps={parts} images: {name} gives each of the "
        f"{parts} discriminator updates its own part of the batch. Received: batch={batch}. "
        f"Use batch_size >= {parts}."
    )
