"""Keras habits work on a GAN: LR callbacks, save/load of compile settings, recompile,
evaluate/predict, export of unbounded generators, any batch size with split real batches,
and the replica rule."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import random_images, tiny_mlp_gan

import kerasgan
from kerasgan import validation


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _lr(optimizer):
    return float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))


@keras.saving.register_keras_serializable(package="kerasgan_tests")
def halved_d_loss(real_output, fake_output):
    return 0.5 * kerasgan.losses.get("non_saturating")[0](real_output, fake_output)


@keras.saving.register_keras_serializable(package="kerasgan_tests")
def doubled_g_loss(fake_output):
    return 2.0 * kerasgan.losses.get("non_saturating")[1](fake_output)


# ------------------------------------------------------------ learning rates


def test_learning_rate_scheduler_sets_both_optimizers():
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return 1e-3 / (epoch + 2)

    gan.fit(random_images(16), batch_size=8, epochs=2, verbose=0,
            callbacks=[keras.callbacks.LearningRateScheduler(schedule)])
    assert _lr(gan.d_optimizer) == pytest.approx(1e-3 / 3)
    assert _lr(gan.g_optimizer) == pytest.approx(1e-3 / 3)
    # The schedule saw each optimizer's own rate, and the epoch-0 rates were used in training.
    assert seen[:2] == pytest.approx([1e-3, 1e-3]) and seen[2:] == pytest.approx([5e-4, 5e-4])


def test_reduce_lr_on_plateau_scales_both_and_keeps_the_ratio():
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(4e-4), g_optimizer=keras.optimizers.Adam(1e-4))
    # min_delta this large: no epoch after the first counts as an improvement.
    reduce = keras.callbacks.ReduceLROnPlateau("g_loss", factor=0.5, patience=1, min_delta=1e9,
                                                 mode="min")
    gan.fit(random_images(16), batch_size=8, epochs=2, verbose=0, callbacks=[reduce])
    assert _lr(gan.d_optimizer) == pytest.approx(2e-4)
    assert _lr(gan.g_optimizer) == pytest.approx(5e-5)


def test_setting_the_pair_rate_scales_both():
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(4e-4), g_optimizer=keras.optimizers.Adam(2e-4))
    assert _lr(gan.optimizer) == pytest.approx(2e-4)
    gan.optimizer.learning_rate = 1e-4
    assert (_lr(gan.d_optimizer), _lr(gan.g_optimizer)) == pytest.approx((2e-4, 1e-4))


# ------------------------------------------------------------ save / load of compile settings


def test_custom_losses_and_compile_settings_survive_save_and_load(tmp_path):
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                d_loss=halved_d_loss, g_loss=doubled_g_loss, steps_per_execution=2,
                jit_compile=False)
    gan.fit(random_images(8), batch_size=4, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.d_loss_fn is halved_d_loss and loaded.g_loss_fn is doubled_g_loss
    assert loaded.steps_per_execution == 2
    assert loaded.jit_compile is False
    # The restored losses are the ones training uses.
    ref = loaded.evaluate(random_images(8), batch_size=8, verbose=0, return_dict=True)
    loaded.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    plain = loaded.evaluate(random_images(8), batch_size=8, verbose=0, return_dict=True)
    assert ref["g_loss"] != pytest.approx(plain["g_loss"])


def test_unregistered_custom_loss_refuses_to_load(tmp_path):
    def local_g_loss(fake_output):  # not registered: cannot be found at load time
        return keras.ops.mean(-fake_output)

    gan = tiny_mlp_gan()
    gan.compile(g_loss=local_g_loss)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    with pytest.raises(ValueError, match=r"Expected the custom g_loss .*register_keras_serializable"):
        keras.saving.load_model(path)
    with pytest.raises(ValueError, match=r"Expected the custom g_loss"):
        kerasgan.load_gan(path)


# ------------------------------------------------------------ recompile


def test_recompile_with_another_optimizer_class_after_fit():
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    gan.fit(random_images(16), batch_size=8, verbose=0)
    gan.compile(d_optimizer=keras.optimizers.RMSprop(1e-3), g_optimizer=keras.optimizers.SGD(1e-2))
    before = _values(gan.g_variables)
    history = gan.fit(random_images(16), batch_size=8, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])
    assert int(gan.g_optimizer.iterations) == 2
    assert isinstance(gan.d_optimizer, keras.optimizers.RMSprop)
    assert any(not np.array_equal(a, b) for a, b in zip(before, _values(gan.g_variables)))


def test_a_preset_runs_eagerly_for_debugging():
    # `run_eagerly=True`, Keras' debugging switch, reaches compile() and turns XLA off.
    small = {"seed": 0, "image_shape": (4, 4, 1), "g_widths": (8,), "d_widths": (8,)}
    gan = kerasgan.zoo.get("mnist_mlp", batch_size=4, run_eagerly=True, **small)
    assert gan.run_eagerly is True and not gan.jit_compile
    before = _values(gan.g_variables)
    history = gan.fit(random_images(4), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()
    assert any(not np.array_equal(a, b) for a, b in zip(before, _values(gan.g_variables)))
    assert kerasgan.zoo.get("mnist_mlp", **small).run_eagerly is False


# ------------------------------------------------------------ callbacks


def test_keras_tensorboard_callback_logs_both_losses(tmp_path):
    gan = tiny_mlp_gan()
    gan.compile()
    history = gan.fit(random_images(16), batch_size=8, epochs=2, verbose=0,
                      callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])
    tags = {}
    for path in tf.io.gfile.glob(str(tmp_path / "train" / "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert tags["epoch_d_loss"] == [0, 1] and tags["epoch_g_loss"] == [0, 1]
    assert len(history.history["d_loss"]) == 2


# ------------------------------------------------------------ evaluate / predict / generate


def test_evaluate_returns_losses_without_updates():
    gan = tiny_mlp_gan()
    gan.compile()
    before = _values(gan.trainable_variables)
    ds = tf.data.Dataset.from_tensor_slices(random_images(16)).batch(8)
    logs = gan.evaluate(ds, verbose=0, return_dict=True)
    assert set(logs) == {"d_loss", "g_loss"}
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    # Untrained networks: the cross-entropy losses sit near log(2) per term.
    assert 0.5 < logs["d_loss"] < 3.0 and 0.1 < logs["g_loss"] < 3.0
    for a, b in zip(before, _values(gan.trainable_variables)):
        np.testing.assert_array_equal(a, b)
    assert int(gan.g_optimizer.iterations) == 0


def test_evaluate_works_with_split_real_batches():
    gan = tiny_mlp_gan(d_steps=3, real_batches="split")
    gan.compile()
    logs = gan.evaluate(random_images(14), batch_size=7, verbose=0, return_dict=True)
    assert np.isfinite(logs["d_loss"])


def test_predict_is_raw_and_generate_is_rescaled():
    gan = tiny_mlp_gan(output_range=(-1.0, 1.0))  # sigmoid outputs: raw values in [0, 1]
    noise = gan.sample_noise(6, seed=3)
    raw = gan.predict(noise, verbose=0)
    images = gan.generate(6, seed=3)
    assert raw.min() >= 0.0 and raw.max() <= 1.0
    np.testing.assert_allclose(images, (raw + 1.0) / 2.0, atol=1e-6)
    assert not np.allclose(images, raw)


# ------------------------------------------------------------ export


def test_export_unbounded_generator(tmp_path):
    gan = tiny_mlp_gan(output_range=None)
    path = kerasgan.export.export_generator(gan, str(tmp_path / "gen"))
    served = tf.saved_model.load(path)
    noise = gan.sample_noise(3, seed=0)
    images = served.signatures["serving_default"](noise=tf.constant(noise))["images"].numpy()
    np.testing.assert_allclose(images, gan.predict(noise, verbose=0), atol=1e-5)
    np.testing.assert_allclose(images, gan.generate(3, seed=0), atol=1e-5)


# ------------------------------------------------------------ split real batches


def test_split_batch_sizes():
    parts = kerasgan.gan.split_batch(keras.ops.arange(64), 5)
    assert [int(p.shape[0]) for p in parts] == [13, 13, 13, 13, 12]
    np.testing.assert_array_equal(np.concatenate(_values(parts)), np.arange(64))
    parts = kerasgan.gan.split_batch(keras.ops.arange(7), 5)
    assert [int(p.shape[0]) for p in parts] == [2, 2, 1, 1, 1]


def test_split_real_batches_any_batch_size():
    gan = tiny_mlp_gan(d_steps=3, real_batches="split", gradient_penalty_weight=1.0)
    gan.compile(loss="wasserstein")
    history = gan.fit(random_images(14), batch_size=7, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    assert int(gan.d_optimizer.iterations) == 6
    with pytest.raises(ValueError, match=r"Expected a batch of at least d_steps=3 .*Received: batch=2"):
        gan.fit(random_images(2), batch_size=2, verbose=0)


def test_split_real_batches_with_unknown_batch_size():
    gan = tiny_mlp_gan(d_steps=3, real_batches="split")
    gan.compile()
    # No drop_remainder: the traced batch size is unknown (TensorFlow) and the last batch is 5.
    ds = tf.data.Dataset.from_tensor_slices(random_images(12)).batch(7)
    gan.fit(ds, verbose=0)
    assert int(gan.d_optimizer.iterations) == 6


# The shared_wgan preset's five critic batches of a batch of 7: tests/test_presets.py::
# test_shared_wgan_fits_a_dataset_batched_at_64 (its last batch holds 7).


# ------------------------------------------------------------ replicas


def test_batch_not_dividing_over_replicas_is_rejected(monkeypatch):
    gan = tiny_mlp_gan()
    gan.compile()
    monkeypatch.setattr(validation, "num_replicas", lambda model=None: 2)
    with pytest.raises(ValueError, match=r"multiple of the 2 replicas.*Received: a batch of 7"):
        gan.fit(random_images(14), batch_size=7, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices(random_images(9)).batch(9)
    with pytest.raises(ValueError, match=r"multiple of the 2 replicas.*Received: a batch of 9"):
        gan.fit(ds, verbose=0, validate_data=False)
    with pytest.raises(ValueError, match=r"last batch holds 3"):
        gan.fit(random_images(11), batch_size=8, verbose=0)
    assert int(gan.g_optimizer.iterations) == 0
