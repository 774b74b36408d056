"""Bad training data is rejected at fit() with an error naming the problem and the fix."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import random_images, tiny_mlp_gan

import kerasgan.data as kd


@pytest.fixture(scope="module")
def gan():
    g = tiny_mlp_gan()
    g.compile()
    return g


def _unchanged(gan):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in gan.trainable_variables]


@pytest.mark.parametrize(
    "data, match",
    [
        (random_images(8, shape=(4, 4, 3)), r"Expected images of shape \(batch,\) \+ \(4, 4, 1\)\. Received: shape=\(\d+, 4, 4, 3\)"),
        (random_images(8, shape=(4, 4)), r"Add the channel axis"),
        (random_images(8, shape=(16,)), r"Expected images of shape"),
        ((random_images(8) * 255).astype("uint8"), r"Expected float images in \[0, 1\]\. Received: dtype uint8.*from_arrays"),
        (random_images(8) * 255, r"values in \[0, 1\].*look like 0\.\.255 pixels"),
        (random_images(8, low=-1, high=1), r"look like \[-1, 1\] images: use \(x \+ 1\) / 2"),
        (np.where(np.arange(8 * 16).reshape(8, 4, 4, 1) == 5, np.nan, 0.5).astype("float32"), r"1 NaN or Inf"),
        (np.full((8, 4, 4, 1), np.inf, "float32"), r"NaN or Inf"),
        (np.zeros((0, 4, 4, 1), "float32"), r"Expected at least one image"),
    ],
    ids=["channels", "no-channel-axis", "flat", "uint8", "0-255-floats", "minus1-1", "nan", "inf", "empty-array"],
)
def test_bad_arrays(gan, data, match):
    before = _unchanged(gan)
    with pytest.raises(ValueError, match=match):
        gan.fit(data, batch_size=4, verbose=0)
    for a, b in zip(before, _unchanged(gan)):
        np.testing.assert_array_equal(a, b)  # no training step ran


def test_empty_dataset(gan):
    ds = tf.data.Dataset.from_tensor_slices(random_images(3)).batch(4, drop_remainder=True)
    with pytest.raises(ValueError, match=r"Expected a dataset with at least one batch\. Received: an empty dataset.*batch_size"):
        gan.fit(ds, verbose=0)


def test_image_label_tuples(gan):
    ds = tf.data.Dataset.from_tensor_slices((random_images(8), np.arange(8))).batch(4)
    with pytest.raises(ValueError, match=r"images only in fit\(\)\. Received: tuples of 2 elements.*ds.map\(lambda x, y: x\)"):
        gan.fit(ds, verbose=0)


def test_labels_as_y(gan):
    with pytest.raises(ValueError, match=r"Received: labels \(y\)"):
        gan.fit(random_images(8), np.arange(8), verbose=0)


def test_dict_batches(gan):
    ds = tf.data.Dataset.from_tensor_slices({"image": random_images(8)}).batch(4)
    with pytest.raises(ValueError, match=r"Received: dicts with keys \['image'\].*d\['image'\]"):
        gan.fit(ds, verbose=0)


def test_minus_one_one_gan_rejects_pixels():
    gan = tiny_mlp_gan(output_range=(-1, 1))
    gan.compile()
    with pytest.raises(ValueError, match=r"values in \[-1, 1\].*Received: values in \[0, 255\].*divide by 255"):
        gan.fit(np.linspace(0, 255, 8 * 16, dtype="float32").reshape(8, 4, 4, 1), batch_size=8, verbose=0)


def _steps(gan):
    return int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations))


def test_valid_data_trains_and_validation_can_be_disabled():
    gan = tiny_mlp_gan()
    gan.compile()
    before = _unchanged(gan)
    gan.fit(random_images(8), batch_size=4, verbose=0)
    assert _steps(gan) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(before, _unchanged(gan)))
    # Within the check's tolerance of [0, 1] (1e-3 of the range): trained on.
    gan.fit(np.minimum(random_images(8) * 1.0005, 1.0005), batch_size=4, verbose=0)
    assert _steps(gan) == 4
    # Beyond it: refused by the check, trained on with validate_data=False.
    slightly_out = random_images(8)
    slightly_out[0, 0, 0, 0] = 1.01
    with pytest.raises(ValueError, match=r"values in \[0, 1\]"):
        gan.fit(slightly_out, batch_size=4, verbose=0)
    assert _steps(gan) == 4
    gan.fit(slightly_out, batch_size=4, verbose=0, validate_data=False)
    assert _steps(gan) == 6


def test_steps_per_epoch_must_be_a_multiple_of_steps_per_execution():
    gan4 = tiny_mlp_gan()
    gan4.compile(steps_per_execution=4)
    ds = tf.data.Dataset.from_tensor_slices(random_images(40)).batch(4, drop_remainder=True)
    before = _unchanged(gan4)
    with pytest.raises(ValueError, match=r"Expected steps_per_epoch to be a multiple of this GAN's "
                                         r"steps_per_execution=4\. Received: steps_per_epoch=10, "
                                         r"so Keras would train 12.*"
                                         r"Use steps_per_epoch=8"):
        gan4.fit(ds.repeat(), epochs=1, steps_per_epoch=10, verbose=0)
    for a, b in zip(before, _unchanged(gan4)):
        np.testing.assert_array_equal(a, b)
    # A multiple trains exactly that many steps; a finite dataset of 10 batches trains 10.
    gan4.fit(ds.repeat(), epochs=1, steps_per_epoch=8, verbose=0)
    assert int(keras.ops.convert_to_numpy(gan4.g_optimizer.iterations)) == 8
    gan4.fit(ds, epochs=1, verbose=0)
    assert int(keras.ops.convert_to_numpy(gan4.g_optimizer.iterations)) == 18


def _message(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("problem", ["nan", "range", "empty"])
def test_data_and_fit_raise_the_same_image_error(gan, problem):
    # One implementation: kerasgan.data and GAN.fit word the same bad array the same way.
    x = random_images(8)
    if problem == "nan":
        x[3, 1, 2, 0] = np.nan
    elif problem == "range":
        x = x * 255
    else:
        x = x[:0]
    from_data = _message(lambda: kd.from_arrays(x, value_range=(0, 1), batch_size=4))
    from_fit = _message(lambda: gan.fit(x, batch_size=8, verbose=0))
    assert from_data == from_fit
    assert from_data.startswith("Expected ") and ". Received: " in from_data


def test_data_and_fit_word_a_wrong_shape_alike(gan):
    x = random_images(8, shape=(4, 4, 1, 1))
    from_data = _message(lambda: kd.from_arrays(x, batch_size=4))
    from_fit = _message(lambda: gan.fit(x, batch_size=8, verbose=0))
    for message in (from_data, from_fit):
        assert message.startswith("Expected images of shape ")
        assert "Received: shape=(8, 4, 4, 1, 1)" in message
