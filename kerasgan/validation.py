"""Checks on training data, run on the first batch before any training step."""

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
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover - tensorflow is a dependency
        tf = None
    if tf is not None and isinstance(x, tf.data.Dataset):
        for element in x.take(1):
            return _to_numpy(element)
        raise ValueError(
            "The dataset passed to fit() is empty: it yields no batch. Check the source and "
            "that batch_size is not larger than the number of examples (batches are "
            "dropped when incomplete with drop_remainder=True)."
        )
    if isinstance(x, np.ndarray) or (hasattr(x, "shape") and hasattr(x, "dtype")):
        array = np.asarray(x)
        if array.ndim == 0 or array.shape[0] == 0:
            raise ValueError(f"fit() received no images: shape={array.shape}.")
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
            f"{name} expects batches of images; received dicts with keys {sorted(batch)}. "
            "Map the dataset to images first, e.g. ds.map(lambda d: d['image'])."
        )
    if isinstance(batch, tuple):
        if len(batch) > 1 and batch[1] is not None:
            raise ValueError(
                f"{name} expects batches of images only; received tuples of {len(batch)} "
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
        raise ValueError(f"{name} received an empty batch (0 images).")
    low, high = (float(v) for v in (value_range or (-np.inf, np.inf)))
    if not np.issubdtype(batch.dtype, np.floating):
        raise ValueError(
            f"Expected float images in [{low:g}, {high:g}]. Received dtype {batch.dtype} "
            f"(values {batch.min()}..{batch.max()}). Scale them first, e.g. "
            f"kerasgan.data.from_arrays(images, value_range=({low:g}, {high:g})), or "
            f"x.astype('float32') / 255 * {high - low:g} + {low:g}."
        )
    finite = np.isfinite(batch)
    if not finite.all():
        bad = int((~finite).sum())
        raise ValueError(
            f"The first batch contains {bad} NaN or Inf pixel value(s). Clean the data "
            "(e.g. np.nan_to_num) or drop the broken images before training."
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
            f"range). Received values in [{lo:g}, {hi:g}].{hint} kerasgan.data.load(..., "
            f"value_range=({low:g}, {high:g})) scales for you."
        )
