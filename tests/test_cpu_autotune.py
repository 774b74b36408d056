"""GAN.fit turns tf.data autotuning off on the CPU, and only there: for datasets, and for arrays
under TensorFlow (its own batches of them instead of Keras' autotuned pipeline)."""

import warnings

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


def _fit_and_capture(monkeypatch, x, **fit_kwargs):
    seen = {}

    def fit(self, x=None, y=None, **kwargs):
        seen["x"] = x
        return None

    monkeypatch.setattr(keras.Model, "fit", fit)
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, batch_size=4, **NARROW)
    gan.fit(x, epochs=1, verbose=0, **fit_kwargs)
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


def test_accelerators_are_left_alone(monkeypatch):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: True)
    passed = _fit_and_capture(monkeypatch, _dataset())
    assert passed.options().autotune.enabled is None
    images = np.zeros((8, 28, 28, 1), "float32")
    assert _fit_and_capture(monkeypatch, images) is images


def test_arrays_on_the_cpu_become_kerasgans_batches_under_tensorflow(monkeypatch):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    images = np.arange(10 * 28 * 28, dtype="float32").reshape(10, 28, 28, 1) / (10 * 28 * 28)
    passed = _fit_and_capture(monkeypatch, images, batch_size=4)
    if keras.backend.backend() != "tensorflow":
        # JAX and PyTorch get arrays from Keras without tf.data.
        assert passed is images
        return
    assert isinstance(passed, tf.data.Dataset)
    assert passed.options().autotune.enabled is False
    # fit()'s batch_size (4), the last batch partial, every image once per pass, as (x,).
    assert int(passed.cardinality()) == 3
    batches = list(passed.as_numpy_iterator())
    assert [len(b) for b in batches] == [1, 1, 1]
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate([b[0] for b in batches]), axis=0),
                                  np.sort(images, axis=0))


@pytest.mark.parametrize("keras_only", [{"validation_split": 0.25}, {"shuffle": "batch"},
                                        {"sample_weight": np.ones(8)}])
def test_what_only_keras_arrays_take_keeps_keras_pipeline(monkeypatch, keras_only):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    fit_kwargs = dict(keras_only)
    images = np.zeros((8, 28, 28, 1), "float32")
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, batch_size=4, **NARROW)
    x, y, batch_size, _ = kerasgan.batch_checks.prepare_fit_data(gan, images, None, 4, True,
                                                                 fit_kwargs)
    assert (x, y, batch_size) == (images, None, 4) and fit_kwargs == keras_only


def test_array_batches_keep_order_labels_and_dtype_or_reshuffle_each_pass():
    x = np.arange(10, dtype="float64").reshape(10, 1, 1, 1)
    labels = np.arange(10) % 3
    ordered = list(tf_data.array_batches(x, labels, 4, shuffle=False).as_numpy_iterator())
    assert [b[0].dtype for b in ordered] == [np.dtype(keras.config.floatx())] * 3
    np.testing.assert_array_equal(np.concatenate([b[0] for b in ordered]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in ordered]), labels)
    shuffled = tf_data.array_batches(x, labels, 4, shuffle=True)
    passes = [np.concatenate([b[0] for b in shuffled.as_numpy_iterator()]).ravel()
              for _ in range(3)]
    for order in passes:  # every row once, its label with it
        np.testing.assert_array_equal(np.sort(order), np.arange(10))
    assert any(not np.array_equal(a, b) for a, b in zip(passes, passes[1:]))
    # Where every batch is full, their size is static (a traced step sees an int).
    assert shuffled.element_spec[0].shape[0] is None
    assert tf_data.array_batches(x, None, 5).element_spec[0].shape[0] == 5
    pairs = np.concatenate([np.stack([b[0].ravel(), b[1]], 1)
                            for b in shuffled.as_numpy_iterator()])
    np.testing.assert_array_equal(pairs[:, 0].astype(int) % 3, pairs[:, 1])


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


def test_real_fit_on_an_array_trains_every_batch_of_every_epoch(monkeypatch):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, batch_size=4, **NARROW, **TF_GRAPH)
    images = np.random.default_rng(0).uniform(0, 1, (10, 28, 28, 1)).astype("float32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = gan.fit(images, batch_size=4, epochs=2, verbose=0)
    # Keras warns when a dataset runs out before the epoch it expected.
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    assert len(history.history["g_loss"]) == 2
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 6  # 3 batches x 2


def test_the_judges_predict_reads_the_same_batches_either_way(monkeypatch):
    from kerasgan import metrics

    keras.utils.set_random_seed(0)
    model = metrics.build_classifier(kernel_size=3, filters=(4, 4), feature_units=8)
    clf = metrics.DomainClassifier(model)
    images = np.random.default_rng(0).uniform(0, 1, (7, 28, 28, 1)).astype("float32")
    outputs = {}
    for accelerator in (True, False):  # Keras' array pipeline, then kerasgan's batches
        monkeypatch.setattr(tf_data, "_accelerator_present", lambda: accelerator)
        outputs[accelerator] = clf.predict(images, batch_size=3)
    for keras_path, ours in zip(outputs[True], outputs[False]):
        assert ours.shape == keras_path.shape
        np.testing.assert_allclose(ours, keras_path, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("conditional", [False, True])
def test_a_gans_predict_reads_kerasgans_batches_with_the_same_outputs(monkeypatch, conditional):
    gan = (kerasgan.zoo.get("cdcgan", base_filters=4, seed=0) if conditional
           else kerasgan.zoo.get("mnist_mlp", seed=0, **NARROW))
    noise = gan.sample_noise(7, seed=0)
    x = [noise, np.arange(7) % 10] if conditional else noise
    direct = keras.ops.convert_to_numpy(gan.generator(x, training=False))
    built = []
    array_batches = tf_data.array_batches
    monkeypatch.setattr(tf_data, "array_batches",
                        lambda *a, **k: built.append(a) or array_batches(*a, **k))
    outputs = {}
    for accelerator in (True, False):  # Keras' array pipeline, then kerasgan's batches
        monkeypatch.setattr(tf_data, "_accelerator_present", lambda a=accelerator: a)
        outputs[accelerator] = gan.predict(x, batch_size=3, verbose=0)
    for out in outputs.values():
        assert out.shape == direct.shape
        np.testing.assert_allclose(out, direct, rtol=1e-5, atol=1e-6)
    # Only TensorFlow reads arrays through tf.data; only on the CPU kerasgan's batches.
    assert len(built) == (keras.backend.backend() == "tensorflow")


def test_predict_batches_take_arrays_and_pairs_in_order_and_pass_the_rest(monkeypatch):
    monkeypatch.setattr(tf_data, "_accelerator_present", lambda: False)
    noise = np.arange(10, dtype="float32").reshape(5, 2)
    labels = np.arange(5)
    if keras.backend.backend() != "tensorflow":  # Keras feeds arrays without tf.data
        assert tf_data.predict_batches(noise, 2) is None
        assert tf_data.predict_batches([noise, labels], 2) is None
        return
    batches = list(tf_data.predict_batches(noise, 2).as_numpy_iterator())
    assert [len(b) for b in batches] == [1, 1, 1]  # (x,) each
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), noise)
    pairs = list(tf_data.predict_batches([noise, labels], 2).as_numpy_iterator())
    np.testing.assert_array_equal(np.concatenate([b[0][0] for b in pairs]), noise)
    np.testing.assert_array_equal(np.concatenate([b[0][1] for b in pairs]), labels)
    for other in ({"noise": noise}, [noise, labels[:4]], [noise], tf.constant(noise)):
        assert tf_data.predict_batches(other, 2) is None
