"""fit() checks every batch, not only the first: a NaN, an out-of-range value, a wrong shape or a
bad label anywhere raises the first batch's error, naming the batch (counted from 1)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import random_images, tiny_mlp_gan

import kerasgan

BATCH = 4
IMAGES = random_images(8 * BATCH)


@pytest.fixture(scope="module")
def gan():
    g = tiny_mlp_gan()
    g.compile()
    return g


def _steps(gan):
    return int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations))


def _poisoned(problem, batch=5):
    """IMAGES with one bad value in image 2 of batch `batch` (counted from 1)."""
    x = IMAGES.copy()
    row = (batch - 1) * BATCH + 2
    x[row, 1, 2, 0] = {"nan": np.nan, "inf": np.inf, "range": 1.5, "negative": -0.5}[problem]
    return x


MESSAGES = {
    "nan": r"Expected finite pixel values\. Received: 1 NaN or Inf pixel value\(s\) in 1 of 4 "
           r"images at batch 5 of the dataset, the first at index 2\. Clean the data",
    "inf": r"Expected finite pixel values\. Received: 1 NaN or Inf .* at batch 5 of the dataset",
    "range": r"Expected images with values in \[0, 1\]\. Received: values in \[[0-9.e-]+, 1\.5\] "
             r"at batch 5 of the dataset\.",
    "negative": r"Expected images with values in \[0, 1\]\. Received: values in \[-0\.5, "
                r"[0-9.e-]+\] at batch 5 of the dataset\.",
}


@pytest.mark.parametrize("problem", sorted(MESSAGES))
def test_a_bad_value_in_a_later_dataset_batch(gan, problem):
    ds = tf.data.Dataset.from_tensor_slices(_poisoned(problem)).batch(BATCH)
    start = _steps(gan)
    with pytest.raises(ValueError, match=MESSAGES[problem]):
        gan.fit(ds, verbose=0)
    assert _steps(gan) - start <= 4  # batches 1 to 4 at most trained; never batch 5


def test_a_bad_shape_in_a_later_dataset_batch(gan):
    def batches():
        for i in range(8):
            size = 5 if i == 4 else 4
            yield np.full((BATCH, size, size, 1), 0.5, "float32")

    spec = tf.TensorSpec((None, None, None, 1), tf.float32)
    ds = tf.data.Dataset.from_generator(batches, output_signature=spec)
    with pytest.raises(ValueError, match=r"Expected images of shape \(batch,\) \+ \(4, 4, 1\)\. "
                                         r"Received: shape=\(4, 5, 5, 1\) at batch 5 of the "
                                         r"dataset\. kerasgan\.data\.load"):
        gan.fit(ds, verbose=0)
    # With every batch of the right shape, the unknown static shape is no obstacle.
    good = tf.data.Dataset.from_generator(lambda: (b[:, :4, :4] for b in batches()),
                                          output_signature=spec)
    good = good.apply(tf.data.experimental.assert_cardinality(8))
    start = _steps(gan)
    gan.fit(good, verbose=0)
    assert _steps(gan) - start == 8


def test_a_bad_value_in_a_later_batch_of_an_array(gan):
    before = _steps(gan)
    with pytest.raises(ValueError, match=r"Received: 1 NaN or Inf pixel value\(s\) in 1 of 32 "
                                         r"images, the first at index 18 \(batch 5 at "
                                         r"batch_size=4, in the array's order\)\. Clean the data"):
        gan.fit(_poisoned("nan"), batch_size=BATCH, verbose=0)
    with pytest.raises(ValueError, match=r"Expected images with values in \[0, 1\]\. Received: "
                                         r"values in \[[0-9.e-]+, 1\.5\], the first outside it "
                                         r"at index 18 \(batch 5 at batch_size=4, in the "
                                         r"array's order\)\."):
        gan.fit(_poisoned("range"), batch_size=BATCH, verbose=0)
    assert _steps(gan) == before  # refused before any training step


def test_a_bad_batch_from_a_generator(gan):
    x = _poisoned("nan")
    batches = ((x[i : i + BATCH],) for i in range(0, len(x), BATCH))
    with pytest.raises(ValueError, match=r"in 1 of 4 images at batch 5 of the generator, the "
                                         r"first at index 2"):
        gan.fit(batches, steps_per_epoch=8, verbose=0)


def _conditional_gan(num_classes=3):
    """A tiny GAN whose networks both take class labels (4x4x1 images in [0, 1])."""
    layers = keras.layers
    noise, labels = keras.Input((8,)), keras.Input((), dtype="int32")
    h = layers.Concatenate()([noise, layers.Embedding(num_classes, 4)(labels)])
    images = layers.Reshape((4, 4, 1))(layers.Dense(16, activation="sigmoid")(h))
    generator = keras.Model([noise, labels], images)
    seen, seen_labels = keras.Input((4, 4, 1)), keras.Input((), dtype="int32")
    h = layers.Concatenate()([layers.Flatten()(seen),
                              layers.Embedding(num_classes, 4)(seen_labels)])
    discriminator = keras.Model([seen, seen_labels], layers.Dense(1)(h))
    gan = kerasgan.GAN(generator, discriminator, num_classes=num_classes, conditioning="concat")
    gan.compile()
    return gan


def test_a_bad_label_in_a_later_batch():
    gan = _conditional_gan()
    labels = np.arange(len(IMAGES)) % 3
    labels[4 * BATCH + 1] = 3
    ds = tf.data.Dataset.from_tensor_slices((IMAGES, labels)).batch(BATCH)
    with pytest.raises(ValueError, match=r"Expected fit\(\) labels in \[0, 3\) \(num_classes=3\) "
                                         r"in batch 5 of the dataset\. Received: label 3 at "
                                         r"index 1"):
        gan.fit(ds, verbose=0)


def test_validate_data_false_trains_on_and_the_nan_stop_takes_over(capsys):
    gan = tiny_mlp_gan()
    gan.compile()
    ds = tf.data.Dataset.from_tensor_slices(_poisoned("range")).batch(BATCH)
    gan.fit(ds, verbose=0, validate_data=False)
    assert _steps(gan) == 8  # an out-of-range value is not a NaN: trained on
    ds = tf.data.Dataset.from_tensor_slices(_poisoned("nan")).batch(BATCH)
    gan.fit(ds, verbose=0, validate_data=False)
    assert _steps(gan) == 12
    assert "at training step 13 (epoch 1, batch 5)" in capsys.readouterr().out


def test_the_dataset_check_keeps_the_datasets_order_and_size():
    gan = tiny_mlp_gan()
    ds = tf.data.Dataset.from_tensor_slices(IMAGES).batch(BATCH)
    checked, _, _, failures = kerasgan.batch_checks.prepare_fit_data(gan, ds, None, None, True,
                                                                     {})
    assert int(checked.cardinality()) == 8 and failures == []
    np.testing.assert_array_equal(np.concatenate(list(checked.as_numpy_iterator())), IMAGES)


def test_the_suite_tracks_the_iterator_a_failed_fit_leaves_alive(gan):
    """tests/conftest.py collects the tf.data iterators a test leaves alive, since a fit() that
    raises keeps its iterator in a reference cycle: the tracking must see that iterator."""
    import conftest

    ds = tf.data.Dataset.from_tensor_slices(_poisoned("nan")).batch(BATCH)
    assert conftest._NEW_ITERATORS is not None
    before = len(conftest._NEW_ITERATORS)
    with pytest.raises(ValueError, match="at batch 5 of the dataset") as error:
        gan.fit(ds, verbose=0)
    # `error` holds the exception, its traceback the fit's frames, and they the iterator.
    assert len(conftest._NEW_ITERATORS) > before
