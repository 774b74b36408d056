"""Checks of the data `GAN.fit` trains on: every batch, not only the first.

`GAN.fit` checks the first batch in full before training (structure, shape, dtype, values, the
replica rule). Then:

- an array is scanned whole, once, before training (two reductions per chunk of rows);
- a `tf.data.Dataset` gets a map that checks each batch as the pipeline yields it: its shape,
  the finiteness of its values (one sum), their range (a min and a max) and, for a conditional
  GAN, its labels' range; a batch that fails is checked again in numpy for the message;
- a Python generator is wrapped to check each batch in numpy as it yields it.

A failure raises the `ValueError` the first batch's check would raise, saying where: "at batch
5 of the dataset" (batches counted from 1, from the start of each pass over the dataset) or, for
an array, the first bad image's index and its batch in the array's order. Other inputs
(`keras.utils.PyDataset`, a PyTorch `DataLoader`) are not checked; a NaN in them still stops
training (`kerasgan.callbacks.TerminateOnNonFinite`).
"""

import types

import numpy as np

from kerasgan import conditioning as conditioning_lib
from kerasgan import validation

# Bytes per chunk of an array's scan (bounds the memory its reductions touch at once).
_SCAN_BYTES = 64 << 20


def first_batch(x, batch_size=None):
    """The first batch of `x` as numpy, or None when `x` cannot be peeked without consuming it.

    Args:
        x: A `tf.data.Dataset`, a numpy array (or anything `np.asarray` takes),
            or a tuple/dict as Keras `fit()` accepts.
        batch_size: Batch size `fit()` will use for array inputs.
    """
    validation.check_positive_int("batch_size", batch_size, allow_none=True,
                                  fix="Pass e.g. batch_size=32 (or None for Keras' default).")
    tf = _tensorflow()
    if tf is not None and isinstance(x, tf.data.Dataset):
        for element in x.take(1):
            return _to_numpy(element)
        raise ValueError(
            "Expected a dataset with at least one batch. Received: an empty dataset (it yields "
            "no batch). Check the source and that batch_size is not larger than the number "
            "of examples (batches are dropped when incomplete with drop_remainder=True)."
        )
    if _is_array(x):
        array = np.asarray(x)
        validation.check_not_empty(array.shape)
        return array[: batch_size or 32]
    return None


def _tensorflow():
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover - tensorflow is a dependency
        return None
    return tf


def _is_array(x):
    return isinstance(x, np.ndarray) or (hasattr(x, "shape") and hasattr(x, "dtype"))


def _to_numpy(element):
    if isinstance(element, dict):
        return {k: np.asarray(v) for k, v in element.items()}
    if isinstance(element, (tuple, list)):
        return tuple(np.asarray(v) for v in element)
    return np.asarray(element)


def prepare_fit_data(gan, x, y, batch_size, validate_data, fit_kwargs):
    """Checks `GAN.fit`'s data; returns `(x, y, batch_size, failures)`: what to train on.

    `failures` is a list that receives the `ValueError` of a batch that fails while training
    (`tf.data` and Keras wrap an error raised inside the pipeline; `GAN.fit` raises this one).
    Sets `fit_kwargs["shuffle"]` to False for datasets unless given. Under TensorFlow on the
    CPU, arrays become `kerasgan.utils.tf_data.array_batches` (Keras' batches without its
    autotuned pipeline), unless `fit()` is given what only Keras' arrays take
    (`validation_split`, `sample_weight`, `class_weight`, `shuffle="batch"`).

    Args:
        gan: The `kerasgan.GAN`.
        x, y, batch_size: `fit()`'s arguments.
        validate_data: False checks only what training cannot do without (the replica rule).
        fit_kwargs: `fit()`'s other keyword arguments.
    """
    if y is not None and gan.conditioning is None:
        raise ValueError(
            "Expected images only (x) in GAN.fit(). Received: labels (y) too. This GAN is "
            "unconditional: call fit(images)."
        )
    x, failures = _checked(gan, x, y, batch_size, validate_data, fit_kwargs.get("steps_per_epoch"))
    if isinstance(x, np.ndarray):
        x, y, batch_size = _arrays_as_batches(x, y, batch_size, fit_kwargs)
    if not isinstance(x, np.ndarray):
        # Datasets arrive shuffled (kerasgan.data does it); Keras would warn that it ignores
        # shuffle=True for them.
        fit_kwargs.setdefault("shuffle", False)
        from kerasgan.utils import tf_data  # imports TensorFlow, as Keras' data adapters do

        x = tf_data.without_cpu_autotune(x)
    return x, y, batch_size, failures


def _arrays_as_batches(x, y, batch_size, fit_kwargs):
    """`(x, y, batch_size)` for Keras: arrays as they are, or their batches as a dataset."""
    keras_only = fit_kwargs.get("validation_split") or any(
        fit_kwargs.get(k) is not None for k in ("sample_weight", "class_weight"))
    shuffle = fit_kwargs.get("shuffle", True)
    if keras_only or shuffle not in (True, False) or not (y is None or isinstance(y, np.ndarray)):
        return x, y, batch_size
    from kerasgan.utils import tf_data

    batches = tf_data.cpu_array_batches(x, y, batch_size or 32, shuffle)
    if batches is None:
        return x, y, batch_size
    fit_kwargs["shuffle"] = False  # the dataset shuffles
    return batches, None, None


def _checked(gan, x, y, batch_size, validate_data, steps_per_epoch):
    check_steps_per_execution(steps_per_epoch, getattr(gan, "steps_per_execution", 1))
    replicas = validation.num_replicas(gan)
    failures = []
    if not (validate_data or replicas > 1):
        return x, failures
    # The replica rule holds even without validate_data: an uneven split trains wrongly.
    batch = first_batch(x, batch_size)
    if batch is not None:
        if validate_data:
            images = batch
            if gan.conditioning is not None:
                batch, images = conditioning_lib.check_fit_batch(batch, x, y, gan.num_classes)
            validation.check_images(images, gan.image_shape, gan.output_range)
        validation.check_replicas(batch, replicas)
        if gan.real_batches == "split":
            validation.check_split_batch(validation.batch_length(batch) // replicas, gan.d_steps)
    if isinstance(x, np.ndarray):
        check_array_batches(len(x), batch_size, replicas)
    if not validate_data:
        return x, failures
    if batch is not None and _is_array(x):
        check_array(np.asarray(x), gan.output_range, batch_size or 32)
        return x, failures
    tf = _tensorflow()
    if tf is not None and isinstance(x, tf.data.Dataset):
        return checked_dataset(x, gan, failures), failures
    if isinstance(x, types.GeneratorType):
        return checked_generator(x, gan, failures), failures
    return x, failures


def check_array(images, value_range, batch_size):
    """Raises the first-batch check's `ValueError` for a NaN, Inf or out-of-range value anywhere.

    The message names the first bad image's index in the array and its batch (in the array's
    order, before any shuffling).
    """
    if not np.issubdtype(images.dtype, np.floating) or images.size == 0:
        return
    rows = max(1, _SCAN_BYTES // max(1, images[:1].nbytes))
    for start in range(0, len(images), rows):
        chunk = images[start : start + rows]
        if not _values_ok(float(np.min(chunk)), float(np.max(chunk)), value_range):  # NaN shows
            validation.check_finite(images, batch_size=batch_size)
            if value_range is not None:
                validation.check_in_range(images, value_range, batch_size=batch_size)


def _values_ok(lo, hi, value_range):
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return False
    if value_range is None:
        return True
    low, high = (float(v) for v in value_range)
    tol = validation.RANGE_TOLERANCE * (high - low)
    return lo >= low - tol and hi <= high + tol


def batch_location(number, source="the dataset"):
    """Where a batch is, for messages: " at batch 5 of the dataset" (`number` counts from 1)."""
    return f" at batch {number} of {source}"


def check_batch(element, gan, where):
    """Raises the first-batch check's `ValueError` (saying `where`) if a batch is not usable."""
    element = _to_numpy(element)
    images = element
    if gan.conditioning is not None:
        images = validation.check_label_batch(element, gan.num_classes,
                                              where=where.strip().removeprefix("at "))
    validation.check_images(images, gan.image_shape, gan.output_range, where=where)


def checked_dataset(ds, gan, failures):
    """`ds` with a check of every batch (see the module's docstring); `failures` gets its error.

    A dataset whose batches have unknown height, width or channels gets them set (after the
    check), as the training step needs them.
    """
    import tensorflow as tf

    spec = ds.element_spec
    is_tuple = isinstance(spec, tuple)
    image_spec = spec[0] if is_tuple else spec
    if not isinstance(image_spec, tf.TensorSpec) or not image_spec.dtype.is_floating:
        return ds  # the first batch's check has rejected other structures and dtypes
    has_labels = gan.conditioning is not None and is_tuple and len(spec) > 1
    image_shape = tuple(gan.image_shape)
    static = tuple(image_spec.shape) == (image_spec.shape[0],) + image_shape if (
        image_spec.shape.rank is not None) else False
    value_range = gan.output_range

    def report(index, *element):
        try:
            check_batch(tuple(t.numpy() for t in element) if has_labels else element[0].numpy(),
                        gan, batch_location(int(index) + 1))
        except ValueError as e:
            failures.append(e)
            raise
        return True

    def check(index, element):
        images = element[0] if is_tuple else element
        ok = tf.constant(True)
        if not static:
            shape = tf.shape(images)
            ok = tf.cond(tf.equal(tf.size(shape), len(image_shape) + 1),
                         lambda: tf.reduce_all(tf.equal(shape[1:], image_shape)),
                         lambda: tf.constant(False))
        values = tf.cast(images, "float32")
        ok = tf.logical_and(ok, tf.math.is_finite(tf.reduce_sum(values)))
        if value_range is not None:
            low, high = (float(v) for v in value_range)
            tol = validation.RANGE_TOLERANCE * (high - low)
            ok = tf.logical_and(ok, tf.logical_and(tf.reduce_min(values) >= low - tol,
                                                   tf.reduce_max(values) <= high + tol))
        parts = [images]
        if has_labels:
            labels = element[1]
            parts.append(labels)
            ok = tf.logical_and(ok, tf.logical_and(
                tf.reduce_min(labels) >= 0, tf.reduce_max(labels) < gan.num_classes))
        checked = tf.cond(ok, lambda: tf.constant(True),
                          lambda: tf.py_function(report, [index] + parts, tf.bool))
        with tf.control_dependencies([checked]):
            images = tf.identity(images)
        if not static:
            images = tf.ensure_shape(images, (None,) + image_shape)
        if not is_tuple:
            return images
        return (images,) + tuple(element[1:])

    return ds.enumerate().map(check)


def checked_generator(generator, gan, failures):
    """Yields `generator`'s batches, each checked in numpy first; `failures` gets its error."""
    for number, element in enumerate(generator, 1):
        try:
            check_batch(element, gan, batch_location(number, "the generator"))
        except ValueError as e:
            failures.append(e)
            raise
        yield element


def check_array_batches(num_examples, batch_size, replicas, name="fit()"):
    """Raises a ValueError if an array's last, partial batch would not divide over the replicas.

    Args:
        num_examples: Rows of the array passed to `fit()`.
        batch_size: The batch size `fit()` uses (Keras' default is 32).
        replicas: Replicas sharing each global batch.
    """
    batch_size = int(batch_size or 32)
    last = int(num_examples) % batch_size
    if replicas <= 1 or last == 0 or last % replicas == 0:
        return
    raise ValueError(
        f"Expected every batch to divide over the {replicas} replicas. Received: {num_examples} "
        f"images at batch_size={batch_size}, whose last batch holds {last}. Pass "
        f"{int(num_examples) - last} images (drop the remainder) or a dataset batched with "
        "drop_remainder=True."
    )


def check_steps_per_execution(steps_per_epoch, steps_per_execution):
    """Raises when `steps_per_epoch` is not a multiple of `steps_per_execution`.

    Keras runs whole executions, so it would silently train the next multiple
    (10 steps per epoch at 4 per execution trains 12).
    """
    spe = int(steps_per_execution or 1)
    if steps_per_epoch is None or spe <= 1 or int(steps_per_epoch) % spe == 0:
        return
    steps = int(steps_per_epoch)
    raise ValueError(
        f"Expected steps_per_epoch to be a multiple of this GAN's steps_per_execution={spe}. "
        f"Received: steps_per_epoch={steps}, so Keras would train {-(-steps // spe) * spe} "
        f"steps per epoch instead of {steps}. Use "
        f"steps_per_epoch={max(spe, steps // spe * spe)} (a multiple of {spe}), or "
        f"steps_per_execution=1 (kerasgan.zoo.get(name, steps_per_execution=1) or "
        f"gan.compile(..., steps_per_execution=1))."
    )
