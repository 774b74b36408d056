"""GAN.fit turns tf.data autotuning off for datasets on the CPU, and only there."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TF_GRAPH

import kerasgan
from kerasgan.utils import tf_data

#: A narrow mnist_mlp: these tests are about the dataset fit() receives, not the networks.
NARROW = {"g_widths": (8,), "d_widths": (8,), "latent_dim": 4}


def _dataset(**options):
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 28, 28, 1), "float32")).batch(4)
    if options:
        o = tf.data.Options()
        o.autotune.enabled = options["autotune"]
        ds = ds.with_options(o)
    return ds


def _fit_and_capture(monkeypatch, x):
    seen = {}

    def fit(self, x=None, y=None, **kwargs):
        seen["x"] = x
        return None

    monkeypatch.setattr(keras.Model, "fit", fit)
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, batch_size=4, **NARROW)
    gan.fit(x, epochs=1, verbose=0)
    return seen["x"]


def test_fit_turns_autotune_off_on_the_cpu(monkeypatch):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    passed = _fit_and_capture(monkeypatch, _dataset())
    assert isinstance(passed, tf.data.Dataset)
    assert passed.options().autotune.enabled is False
    # The same elements, in the same order.
    np.testing.assert_array_equal(np.stack(list(passed.as_numpy_iterator())),
                                  np.stack(list(_dataset().as_numpy_iterator())))


# fit() may wrap the dataset (its per-batch checks): the options it passes on are what counts.


@pytest.mark.parametrize("choice", [True, False])
def test_a_datasets_own_choice_is_kept(monkeypatch, choice):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    passed = _fit_and_capture(monkeypatch, _dataset(autotune=choice))
    assert passed.options().autotune.enabled is choice


def test_accelerators_and_arrays_are_left_alone(monkeypatch):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: True)
    passed = _fit_and_capture(monkeypatch, _dataset())
    assert passed.options().autotune.enabled is None
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    images = np.zeros((8, 28, 28, 1), "float32")
    passed = _fit_and_capture(monkeypatch, images)
    # Arrays go to Keras as they are, or as a dataset that keeps tf.data's default.
    assert passed is images or passed.options().autotune.enabled is None


@pytest.mark.parametrize("device, expected", [("cpu", False), ("gpu", True), ("tpu", True)])
def test_accelerator_check_reads_the_backends_devices(monkeypatch, device, expected):
    if keras.backend.backend() == "jax":
        import jax

        monkeypatch.setattr(jax, "default_backend", lambda: device)
    else:
        # TensorFlow lists the CPU always, an accelerator by its kind.
        present = {"CPU", device.upper()}
        monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: (
            [f"/physical_device:{kind}:0"] if kind in present else []))
    assert tf_data._accelerator_present() is expected


def test_real_fit_trains_with_autotune_off(monkeypatch):
    # End to end: a dataset without options trains (steps run, weights change).
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, batch_size=4, **NARROW, **TF_GRAPH)
    before = [keras.ops.convert_to_numpy(w).copy() for w in gan.generator.trainable_weights]
    images = np.random.default_rng(0).uniform(0, 1, (8, 28, 28, 1)).astype("float32")
    history = gan.fit(tf.data.Dataset.from_tensor_slices(images).batch(4), epochs=1, verbose=0)
    assert len(history.history["g_loss"]) == 1
    after = [keras.ops.convert_to_numpy(w) for w in gan.generator.trainable_weights]
    assert any(not np.array_equal(b, a) for b, a in zip(before, after))
