"""tf.data options kerasgan sets on the datasets a GAN trains on (imports TensorFlow)."""

import tensorflow as tf


def _accelerator_present():
    """Whether the active Keras backend computes on a GPU/TPU (tf.data itself runs on the CPU)."""
    import keras

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
