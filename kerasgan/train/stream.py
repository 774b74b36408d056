"""The training data stream: every pass reshuffled from the seed, resumable at any batch."""

__all__ = ["training_stream"]


def training_stream(batches, seed, batch_size, start_batch=0, max_buffer_bytes=1 << 30):
    """Repeats `batches` forever, reshuffled per pass; pass k's order depends only on (seed, k).

    A seeded `shuffle(reshuffle_each_iteration=True)` draws each pass's order
    from a generator shared by every iterator of the dataset, so the order a
    run sees depends on how many iterators Keras (or a peek at the first
    batch) created before; a resumed run would not see the uninterrupted
    run's order. Here each pass is its own deterministic shuffle, and a
    resumed run starts at `start_batch` without replaying earlier passes.
    tf.data combines op seeds with TensorFlow's global seed, so this sets the
    global seed from `seed` (never to 0: with a global seed of 0, TF cannot
    take a tensor op seed inside a graph-mode dataset function).

    Args:
        batches: An unshuffled, finite dataset of equal batches (`kerasgan.data.load(...,
            shuffle=False)`); the examples each pass drops are the same (< batch_size).
        seed: Integer seed.
        batch_size: Examples per batch.
        start_batch: Index of the first batch to yield (steps already trained).
        max_buffer_bytes: Shuffle-buffer budget; a smaller buffer shuffles less thoroughly.

    Example:
    >>> ds = kerasgan.data.load("mnist", preset="mnist_mlp", shuffle=False)
    >>> stream = kerasgan.train.training_stream(ds, seed=0, batch_size=128, start_batch=938)
    """
    import numpy as np
    import tensorflow as tf

    per_pass = int(batches.cardinality())
    examples = batches.unbatch()
    example_bytes = sum(int(np.prod(spec.shape)) * spec.dtype.size
                        for spec in tf.nest.flatten(examples.element_spec))  # images (+ labels)
    buffer = max(1, min(per_pass * batch_size, max_buffer_bytes // max(1, example_bytes)))
    first_pass, offset = divmod(int(start_batch), per_pass)
    tf.random.set_seed(int(seed) % (2**31 - 1) + 1)

    def one_pass(k):
        pass_seed = tf.constant(int(seed) * 1_000_003, tf.int64) + k
        return examples.shuffle(buffer, seed=pass_seed, reshuffle_each_iteration=False).batch(
            batch_size, drop_remainder=True)

    stream = tf.data.Dataset.counter(first_pass).flat_map(one_pass)
    return stream.skip(offset).prefetch(tf.data.AUTOTUNE)
