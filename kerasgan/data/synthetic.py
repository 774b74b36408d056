"""Synthetic datasets: samples drawn on the fly rather than read from files."""

from kerasgan import validation


def gaussian_1d(batch_size, seed, limit, shuffle, repeat):
    """Samples of the 1-D Gaussian target (Shared-WGAN, section 5): N(4, 0.5), shape (batch, 1)."""
    import tensorflow as tf

    from kerasgan.utils.gaussian import gaussian_samples

    n = limit or 60_000
    validation.check_num_examples(n, batch_size, f"gaussian_1d (limit={n})")
    ds = tf.data.Dataset.from_tensor_slices(gaussian_samples(n, seed=seed))
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    if repeat:
        ds = ds.repeat()
    return ds.prefetch(tf.data.AUTOTUNE)
