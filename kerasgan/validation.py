"""Checks on training data and batches, in one place for the GAN, the zoo, data and training.

Every check raises a `ValueError` in the form "Expected <what>. Received:
<what>." plus the fix where there is one: image shape (`check_images`,
`check_batch_shape`), dtype, value range and NaN (`check_images`), batch
size (`check_split_batch`, `check_steps_per_execution`) and replicas
(`check_replicas`, `check_array_batches`).
"""

import numpy as np

# Data a little outside the declared range (resampling overshoot, float round-off) is fine.
_RANGE_TOLERANCE = 1e-3


def first_batch(x, batch_size=None):
    """The first batch of `x` as numpy, or None when `x` cannot be peeked without consuming it.

    Args:
        x: A `tf.data.Dataset`, a numpy array (or anything `np.asarray` takes),
            or a tuple/dict as Keras `fit()` accepts.
        batch_size: Batch size `fit()` will use for array inputs.
    """
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1
    ):
        raise ValueError(
            f"Expected batch_size to be a positive int or None. Received: batch_size={batch_size!r}. "
            "Pass e.g. batch_size=32 (or None for Keras' default)."
        )
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover - tensorflow is a dependency
        tf = None
    if tf is not None and isinstance(x, tf.data.Dataset):
        for element in x.take(1):
            return _to_numpy(element)
        raise ValueError(
            "Expected a dataset with at least one batch. Received: an empty dataset (it yields "
            "no batch). Check the source and that batch_size is not larger than the number "
            "of examples (batches are dropped when incomplete with drop_remainder=True)."
        )
    if isinstance(x, np.ndarray) or (hasattr(x, "shape") and hasattr(x, "dtype")):
        array = np.asarray(x)
        if array.ndim == 0 or array.shape[0] == 0:
            raise ValueError(f"Expected at least one image. Received: shape={array.shape}.")
        return array[: batch_size or 32]
    return None


def _to_numpy(element):
    if isinstance(element, dict):
        return {k: np.asarray(v) for k, v in element.items()}
    if isinstance(element, (tuple, list)):
        return tuple(np.asarray(v) for v in element)
    return np.asarray(element)


def check_images(batch, image_shape, value_range, name="fit()"):
    """Raises a ValueError naming the problem and the fix if `batch` is not usable training data.

    Args:
        batch: The first batch (numpy array, tuple or dict).
        image_shape: Expected `(H, W, C)`.
        value_range: Expected `(low, high)` of pixel values; None skips the range check.
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
        hint = ""
        if batch.ndim == len(expected) - 1 and tuple(batch.shape[1:]) == tuple(image_shape[:-1]):
            hint = " Add the channel axis: x[..., None]."
        raise ValueError(
            f"Expected images of shape (batch,) + {tuple(image_shape)}. Received: "
            f"shape={batch.shape}.{hint} kerasgan.data.load(..., image_shape={tuple(image_shape)}) "
            "resizes and converts channels."
        )
    if batch.shape[0] == 0:
        raise ValueError(f"Expected at least one image per batch in {name}. Received: an empty batch.")
    low, high = (float(v) for v in (value_range or (-np.inf, np.inf)))
    if not np.issubdtype(batch.dtype, np.floating):
        values = ""
        if batch.dtype.kind in "biu":
            values = f" (values {batch.min()}..{batch.max()})"
        raise ValueError(
            f"Expected float images in [{low:g}, {high:g}]. Received: dtype {batch.dtype}"
            f"{values}. Scale them first, e.g. "
            f"kerasgan.data.from_arrays(images, value_range=({low:g}, {high:g})), or "
            f"x.astype('float32') / 255 * {high - low:g} + {low:g}."
        )
    finite = np.isfinite(batch)
    if not finite.all():
        bad = int((~finite).sum())
        first = int(np.flatnonzero(~finite.reshape(len(batch), -1).all(axis=1))[0])
        raise ValueError(
            f"Expected finite pixel values in [{low:g}, {high:g}]. Received: the first batch "
            f"contains {bad} NaN or Inf pixel value(s) (first in image {first} of the batch). "
            "Clean the data (e.g. np.nan_to_num) or drop the broken images before training."
        )
    if value_range is None:
        return
    tol = _RANGE_TOLERANCE * (high - low)
    lo, hi = float(batch.min()), float(batch.max())
    if lo < low - tol or hi > high + tol:
        hint = ""
        if hi > 1.5 and high <= 1.0:
            hint = " The values look like 0..255 pixels: divide by 255 (and rescale)."
        elif lo >= -tol and low < 0:
            hint = f" The values look like [0, 1] images: use x * {high - low:g} + {low:g}."
        elif lo < -tol and low >= 0:
            hint = " The values look like [-1, 1] images: use (x + 1) / 2."
        raise ValueError(
            f"Expected images with values in [{low:g}, {high:g}] (the generator's output "
            f"range). Received: values in [{lo:g}, {hi:g}].{hint} kerasgan.data.load(..., "
            f"value_range=({low:g}, {high:g})) scales for you."
        )


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
