"""The tf.data datasets and options kerasgan gives Keras when it computes on the CPU (imports
TensorFlow)."""

import keras
import numpy as np
import tensorflow as tf


def _accelerator_present():
    """Whether the active Keras backend computes on a GPU/TPU (tf.data itself runs on the CPU)."""
    if keras.backend.backend() == "jax":
        import jax

        return jax.default_backend() != "cpu"
    return bool(tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"))


def without_cpu_autotune(ds):
    """`ds` with tf.data's autotuning off when training runs on the CPU, unless `ds` sets it.

    Measured on 2 CPU cores (BUILD_NOTES.md): with autotuning on, dcgan `fit()` stalled at 4.9
    steps/s through whole 100-step calls in 2 of 3 runs and in about half of its 10-step calls
    (a plain Keras model too); with it off, 7.1-7.7 steps/s and no stall. Map parallelism and
    prefetch buffers set to `tf.data.AUTOTUNE` then take tf.data's fixed defaults.
    """
    if not isinstance(ds, tf.data.Dataset) or ds.options().autotune.enabled is not None:
        return ds
    if _accelerator_present():
        return ds
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def cpu_array_batches(x, y=None, batch_size=32, shuffle=True):
    """`array_batches(...)` under TensorFlow on the CPU; None where Keras' own pipeline serves
    (JAX and PyTorch feed arrays without tf.data; accelerators gain from autotuning)."""
    if keras.backend.backend() != "tensorflow" or _accelerator_present():
        return None
    return array_batches(x, y, batch_size, shuffle)


def predict_batches(x, batch_size=32):
    """`predict()`'s input `x` as `array_batches`, in order, under TensorFlow on the CPU.

    `x` is an array, or a list or tuple of two arrays (noise and labels of a conditional GAN);
    each batch is `(x_batch,)`. None for anything else and where Keras' own pipeline serves
    (`cpu_array_batches`).
    """
    if isinstance(x, np.ndarray):
        return cpu_array_batches(x, None, batch_size, shuffle=False)
    pair = isinstance(x, (list, tuple)) and len(x) == 2
    if not (pair and all(isinstance(a, np.ndarray) for a in x) and len(x[0]) == len(x[1])):
        return None
    batches = cpu_array_batches(x[0], x[1], batch_size, shuffle=False)
    return None if batches is None else batches.map(lambda noise, labels: ((noise, labels),))


def array_batches(x, y=None, batch_size=32, shuffle=True):
    """The batches Keras' `fit()` makes of arrays, as a dataset with tf.data's autotuning off.

    Each pass yields `(x,)` or `(x, y)` batches of `batch_size` rows, the last one partial, in a
    new random order when `shuffle` is true (repeatable under a global seed); floats are cast to
    Keras' floatx. Keras builds such batches with autotuned parallel maps and prefetching, which
    on the CPU stall a fit() for up to seconds at its end and slow whole epochs (BUILD_NOTES.md,
    "Arrays in fit()").

    Args:
        x: Array `(N, ...)`.
        y: Array `(N, ...)` or None.
        batch_size: Rows per batch.
        shuffle: Reshuffle the rows at every pass over the dataset.
    """
    inputs = tuple(_floatx(tf.convert_to_tensor(a)) for a in ((x,) if y is None else (x, y)))
    rows = int(inputs[0].shape[0])
    indices = tf.data.Dataset.range(rows)
    if shuffle:  # a new order at each pass, from the global seed when one is set
        indices = indices.shuffle(rows, reshuffle_each_iteration=True)
    # Batches keep a static size where all are full, as Keras' do. The arrays enter as one
    # repeated element rather than as captures of the map's function, as in Keras' own adapter
    # (a graph's constants are limited to 2 GB).
    batches = indices.batch(batch_size, drop_remainder=rows % batch_size == 0)
    ds = tf.data.Dataset.zip((batches, tf.data.Dataset.from_tensors(inputs).repeat()))
    ds = ds.map(lambda batch, arrays: tuple(tf.gather(a, batch) for a in arrays))
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(1)


def _floatx(tensor):
    if tensor.dtype.is_floating and tensor.dtype != keras.config.floatx():
        return tf.cast(tensor, keras.config.floatx())
    return tensor
