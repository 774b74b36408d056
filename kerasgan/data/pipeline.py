"""The shared tf.data pipeline: geometry, channels, shuffling, batching and scaling."""

import dataclasses
from typing import Any

import numpy as np
import tensorflow as tf

from kerasgan import validation
from kerasgan.utils import preset_lookup
from kerasgan.utils.tf_data import without_cpu_autotune  # noqa: F401  (the data layer's name for it)

DEFAULT_VALUE_RANGE = (0.0, 1.0)
DEFAULT_BATCH_SIZE = 128
# Streamed sources (files, TFDS) up to this many examples get a full-size shuffle buffer.
_FULL_SHUFFLE_MAX = 100_000
_FULL_SHUFFLE_MAX_BYTES = 2 << 30
_SHUFFLE_BUFFER = 10_000
# Images per vectorised resize call when converting in-memory arrays.
_CONVERT_CHUNK = 256


@dataclasses.dataclass
class Source:
    """Raw data found by a loader, before the pipeline is built.

    Exactly one of `images` (numpy, (N, H, W, C)), `paths` (image files) or
    `dataset` (a tf.data.Dataset of (image[, label]) uint8 elements) is set.
    """

    description: str
    num_examples: int
    images: np.ndarray | None = None
    labels: np.ndarray | None = None
    paths: list | None = None
    dataset: Any = None
    # (H, W, C) of every element when all are alike, else None (files of mixed sizes).
    element_shape: tuple | None = None
    # Channels of the first element; decides the output channels when none are asked for.
    native_channels: int = 3
    has_labels: bool = False
    uint8: bool = True
    # Names of the classes, by class id, when the source knows them (folders, TFDS, known sets).
    class_names: list | None = None
    # Number of classes when the source declares it (TFDS ClassLabel, class folders).
    num_classes: int | None = None


def array_source(images, labels, value_range, description=None, class_names=None):
    """A `Source` over in-memory images (and labels), checked by `kerasgan.validation`.

    uint8 or integer 0..255 images are kept as uint8 (scaled later); float
    images must already lie in `value_range`. `description` defaults to
    "the array of shape ...".
    """
    images = validation.check_array_images(images, value_range)
    if labels is not None:
        labels = validation.check_labels(labels, num_samples=images.shape[0])
    return Source(
        description=description or f"the array of shape {images.shape}",
        num_examples=images.shape[0],
        images=images,
        labels=labels,
        element_shape=images.shape[1:],
        native_channels=native_channels(images.shape[-1]),
        has_labels=labels is not None,
        uint8=images.dtype == np.uint8,
        class_names=class_names,
    )


def native_channels(c):
    """Channels kept from a source with `c` channels: alpha is dropped (2 -> 1, 4 -> 3)."""
    return {1: 1, 2: 1, 3: 3, 4: 3}[int(c)]


def _reduce_channels(x, target_c):
    """Drops alpha and, for a 1-channel target, converts RGB to gray (before resizing: cheaper)."""
    c = x.shape[-1]
    if c is not None:
        if c in (2, 4):
            x = x[..., : c - 1]
        if target_c == 1 and x.shape[-1] == 3:
            x = tf.image.rgb_to_grayscale(x)
        return x
    # Decoded files have a dynamic channel count.
    c = tf.shape(x)[-1]
    keep = tf.where(tf.equal(c, 2), 1, tf.minimum(c, 3))
    x = x[..., :keep]
    if target_c == 1:
        x = tf.cond(
            tf.equal(keep, 3),
            lambda: tf.image.rgb_to_grayscale(tf.ensure_shape(x, [None, None, 3])),
            lambda: x,
        )
        x = tf.ensure_shape(x, [None, None, 1])
    return x


def _expand_channels(x, target_c):
    """Repeats a gray channel to RGB when the target has 3 channels."""
    if target_c != 3:
        return x
    c = x.shape[-1]
    if c == 3:
        return x
    if c == 1:
        return tf.repeat(x, 3, axis=-1)
    x = tf.cond(
        tf.equal(tf.shape(x)[-1], 1), lambda: tf.repeat(x, 3, axis=-1), lambda: x
    )
    return tf.ensure_shape(x, [None, None, 3])


def resized_size(h, w, target_h, target_w):
    """(new_h, new_w) that covers the target: the limiting side matches exactly, the other is
    floor-scaled like torchvision's `Resize(short_side)`; works on ints and int tensors."""
    if isinstance(h, int) and isinstance(w, int):
        if target_h * w >= target_w * h:
            return target_h, max(target_w, (w * target_h) // h)
        return max(target_h, (h * target_w) // w), target_w
    height_limits = target_h * w >= target_w * h
    new_h = tf.where(height_limits, target_h, tf.maximum(target_h, (h * target_w) // w))
    new_w = tf.where(height_limits, tf.maximum(target_w, (w * target_h) // h), target_w)
    return new_h, new_w


def _resize_and_crop(x, target_h, target_w):
    """Resizes (bilinear, antialias) so the image covers the target, then centre-crops it.

    Works on (H, W, C) or (N, H, W, C) float tensors.
    """
    h, w = x.shape[-3], x.shape[-2]
    if h is not None and w is not None:
        if (h, w) == (target_h, target_w):
            return x
        new_h, new_w = resized_size(h, w, target_h, target_w)
        if (new_h, new_w) != (h, w):
            x = tf.image.resize(x, (new_h, new_w), method="bilinear", antialias=True)
        top, left = (new_h - target_h) // 2, (new_w - target_w) // 2
        return x[..., top : top + target_h, left : left + target_w, :]
    shape = tf.shape(x)
    h, w = shape[-3], shape[-2]
    new_h, new_w = resized_size(h, w, target_h, target_w)
    x = tf.cond(
        tf.logical_and(tf.equal(new_h, h), tf.equal(new_w, w)),
        lambda: x,
        lambda: tf.image.resize(x, tf.stack([new_h, new_w]), method="bilinear", antialias=True),
    )
    top, left = (new_h - target_h) // 2, (new_w - target_w) // 2
    return x[..., top : top + target_h, left : left + target_w, :]


def convert_images(x, target_shape, uint8):
    """Brings images to `target_shape` (H, W, C): channels, resize + centre crop.

    `x` is (H, W, C) or (N, H, W, C); uint8 stays uint8 (rounded), float stays float32.
    """
    target_h, target_w, target_c = target_shape
    x = _reduce_channels(x, target_c)
    h, w = x.shape[-3], x.shape[-2]
    if h is None or w is None or (h, w) != (target_h, target_w):
        x = _resize_and_crop(tf.cast(x, tf.float32), target_h, target_w)
        if uint8:
            x = tf.cast(tf.clip_by_value(tf.round(x), 0.0, 255.0), tf.uint8)
    x = _expand_channels(x, target_c)
    return tf.ensure_shape(x, list(x.shape[:-3]) + [target_h, target_w, target_c])


def _decode_file(path, target_shape):
    """Decodes one image file (first frame of a GIF) and converts it to `target_shape`, uint8."""
    raw = tf.io.read_file(path)
    image = tf.io.decode_image(raw, channels=0, dtype=tf.uint8, expand_animations=False)
    return convert_images(image, target_shape, uint8=True)


def shuffle_buffer_size(num_examples, bytes_per_example):
    """Full-size buffer for in-memory-sized data, else 10k."""
    if (
        num_examples <= _FULL_SHUFFLE_MAX
        and num_examples * bytes_per_example <= _FULL_SHUFFLE_MAX_BYTES
    ):
        return max(1, num_examples)
    return min(num_examples, _SHUFFLE_BUFFER)


def _scale_fn(uint8, value_range):
    low, high = value_range

    def scale(images, *labels):
        images = tf.cast(images, tf.float32)
        if uint8:
            # Division first keeps 0 -> low and 255 -> high exact in float32.
            images = images / 255.0
            if (low, high) != (0.0, 1.0):
                images = images * (high - low) + low
        labels = tuple(tf.cast(y, tf.int32) for y in labels)
        return (images,) + labels if labels else images

    return scale


def materialize(images, target_shape, uint8):
    """Converts a whole in-memory array to `target_shape`, a chunk at a time, in tf.data."""
    ds = tf.data.Dataset.from_tensor_slices(images).batch(_CONVERT_CHUNK)
    ds = ds.map(lambda x: convert_images(x, target_shape, uint8),
                num_parallel_calls=tf.data.AUTOTUNE)
    return np.concatenate(list(ds.as_numpy_iterator()), axis=0)


def _in_memory(source, target_shape, batch_size, shuffle, seed, cache, keep_labels, scale):
    """Batches of in-memory arrays: shuffle indices, then gather whole batches.

    Shuffling 8-byte indices instead of images makes a full-size shuffle buffer
    cheap at any size, and every later step is vectorised over the batch.
    """
    images = source.images
    needs_conversion = tuple(images.shape[1:]) != target_shape
    if needs_conversion and cache:
        # The cache of an in-memory source: convert once, up front.
        images = materialize(images, target_shape, source.uint8)
        needs_conversion = False
    images = tf.constant(images)
    labels = tf.constant(source.labels) if keep_labels else None
    ds = tf.data.Dataset.range(int(images.shape[0]))
    if shuffle:
        ds = ds.shuffle(int(images.shape[0]), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)

    def gather(index):
        x = tf.gather(images, index)
        if needs_conversion:
            x = convert_images(x, target_shape, source.uint8)
        return scale(x, tf.gather(labels, index)) if keep_labels else scale(x)

    return ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)


def _assert_labels_in_range(labels, num_classes, description):
    """Graph-side range check for labels of streamed sources (checked as batches are read)."""
    message = validation.labels_out_of_range_message(num_classes, description)
    checks = [tf.debugging.assert_non_negative(labels, message=message)]
    if num_classes is not None:
        checks.append(tf.debugging.assert_less(
            labels, tf.constant(num_classes, labels.dtype), message=message))
    with tf.control_dependencies(checks):
        return tf.identity(labels)


def build(source, *, image_shape, value_range, batch_size, shuffle, seed, cache, repeat,
          with_labels, num_classes=None, labels_arg="with_labels"):
    """The batched float32 dataset of `source` (a `Source`), per `kerasgan.data.load`'s contract.

    With labels the dataset gets the attributes `class_names` (list or None)
    and `num_classes` (int or None), as `keras.utils.image_dataset_from_directory`
    sets `class_names`.
    """
    target_shape = tuple(int(v) for v in image_shape)
    value_range = tuple(float(v) for v in value_range)
    n = int(source.num_examples)
    validation.check_num_examples(n, batch_size, source.description)
    if with_labels and not source.has_labels:
        raise ValueError(
            f"Expected a source with labels for {labels_arg}=True. Received: "
            f"{source.description}, which has no labels "
            "(image folders without class subfolders and unlabelled arrays have none). "
            "Put the images in class folders (<folder>/<class_name>/*.png), pass labels= to "
            "from_arrays, or load without labels."
        )
    keep_labels = with_labels and source.has_labels
    num_classes = validation.check_num_classes(num_classes)
    if keep_labels:
        declared = source.num_classes
        if num_classes is not None and declared is not None and declared > num_classes:
            what = (f"{declared} class folders" if source.paths is not None
                    else f"{declared} classes")
            raise ValueError(
                f"Expected at most num_classes={num_classes} classes. Received: "
                f"{source.description} has {what}"
                + (f" ({', '.join(map(str, source.class_names))})" if source.class_names else "")
                + f". Pass num_classes={declared}."
            )
        if num_classes is None:
            num_classes = declared
        if source.labels is not None:
            validation.check_labels(source.labels, num_classes, name="class labels",
                                    where=source.description)
    scale = _scale_fn(source.uint8, value_range)

    def finish(ds):
        if repeat:
            ds = ds.repeat()
        ds = ds.prefetch(tf.data.AUTOTUNE)
        if keep_labels:
            ds.class_names = list(source.class_names) if source.class_names else None
            ds.num_classes = num_classes
        return ds

    if source.images is not None:
        return finish(
            _in_memory(source, target_shape, batch_size, shuffle, seed, cache, keep_labels, scale)
        )

    def convert(*element):
        return (convert_images(element[0], target_shape, source.uint8),) + element[1:]

    if source.paths is not None:
        paths = np.asarray(source.paths, dtype=object)
        if keep_labels:
            ds = tf.data.Dataset.from_tensor_slices((paths, source.labels))
        else:
            ds = tf.data.Dataset.from_tensor_slices((paths,))
        if shuffle and not cache:
            # Shuffling names is free; decoded images then need no big buffer.
            ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
        ds = ds.map(
            lambda p, *labels: (_decode_file(p, target_shape),) + labels,
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        if cache:
            ds = ds.cache()
        else:
            shuffle = False  # already shuffled by name
    else:
        ds = source.dataset
        if not keep_labels:
            ds = ds.map(lambda image, *labels: (image,))
        if tuple(ds.element_spec[0].shape) != target_shape:
            ds = ds.map(convert, num_parallel_calls=tf.data.AUTOTUNE)
        if cache:
            ds = ds.cache()
    if shuffle:
        bytes_per_example = int(np.prod(target_shape)) * (1 if source.uint8 else 4)
        ds = ds.shuffle(
            shuffle_buffer_size(n, bytes_per_example), seed=seed, reshuffle_each_iteration=True
        )
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    if keep_labels and source.labels is None:
        # Streamed labels (TFDS) are checked as they are read.
        ds = ds.map(lambda x, y: (x, _assert_labels_in_range(y, num_classes, source.description)))
    return finish(ds)


def resolve_settings(preset, image_shape, value_range, batch_size):
    """(image_shape or None, value_range, batch_size, preset spec or None): explicit wins."""
    spec = None
    if preset is not None:
        spec = preset_spec(preset)
        image_shape = spec.image_shape if image_shape is None else image_shape
        value_range = spec.value_range if value_range is None else value_range
        batch_size = spec.step_batch_size if batch_size is None else batch_size
    if value_range is None:
        value_range = DEFAULT_VALUE_RANGE
    if batch_size is None:
        batch_size = DEFAULT_BATCH_SIZE
    low, high = validation.check_range_pair("value_range", value_range)
    batch_size = validation.check_positive_int("batch_size", batch_size)
    if image_shape is not None:
        shape = tuple(image_shape) if isinstance(image_shape, (tuple, list, np.ndarray)) else None
        if (
            shape is None
            or len(shape) not in (2, 3)
            or not all(validation.is_positive_int(v) for v in shape)
            or (len(shape) == 3 and shape[2] not in (1, 3))
        ):
            raise validation.argument_error(
                "image_shape", image_shape,
                "(H, W) or (H, W, C) of positive integers with C in (1, 3)",
                "Pass e.g. image_shape=(28, 28, 1), or None for the source's own size.")
        image_shape = tuple(int(v) for v in shape)
    return image_shape, (low, high), batch_size, spec


def target_shape_for(image_shape, native_hw, native_c, description):
    """The full (H, W, C) target: the request, completed from the source's native size."""
    if image_shape is not None and len(image_shape) == 3:
        return image_shape
    if image_shape is not None:
        return image_shape + (native_c,)
    if native_hw is None:
        raise ValueError(
            f"Expected images of one size, or an image_shape to resize them to. Received: "
            f"{description}, which holds images of different sizes; pass image_shape=(H, W, C) "
            "(or a preset) to resize them to one size."
        )
    return tuple(native_hw) + (native_c,)


def preset_spec(name):
    """The registered preset `name` (`kerasgan.zoo.spec(name)`), found without importing the zoo."""
    return preset_lookup.spec(name)
