"""The NaN stop of plain fit(): training stops at the first step that logs a NaN or Inf, without
applying it, so the GAN keeps the weights (and optimizer state, statistics, averages) of the step
before; zoo models and kerasgan.GAN.fit use it by default. (Two replicas stopping together:
tests/test_distribution.py.)"""

import functools
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import random_images, tiny_mlp_gan

import kerasgan
from kerasgan import callbacks as cb
from kerasgan import losses
from kerasgan.trainers import finite_steps

BATCH = 4
IMAGES = random_images(8 * BATCH)
not_torch = pytest.mark.skipif(keras.backend.backend() == "torch",
                               reason="Keras' torch backend runs one step per execution and device")


def _state(gan):
    """Every variable a step may change (weights, statistics, EMA, noise, optimizers)."""
    variables = gan.trainable_variables + gan.non_trainable_variables + gan.optimizer.variables
    return {f"{i}:{v.name}": np.array(keras.ops.convert_to_numpy(v))
            for i, v in enumerate(variables)}


def _assert_same_state(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def _steps(gan):
    return int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations))


def _dataset(nan_batch=None, batches=8):
    """`batches` batches of IMAGES; batch number `nan_batch` (counted from 1) all NaN."""
    ds = tf.data.Dataset.from_tensor_slices(IMAGES).batch(BATCH).take(batches)
    if nan_batch is None:
        return ds
    return ds.enumerate().map(
        lambda i, b: tf.where(i == nan_batch - 1, b + np.float32("nan"), b))


def _gan(**kwargs):
    gan = tiny_mlp_gan(ema_decay=0.9, **kwargs)  # BatchNorm statistics, an EMA, a noise stream
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def _reference(steps, **kwargs):
    """The same GAN trained on the first `steps` good batches."""
    gan = _gan(**kwargs)
    gan.fit(_dataset(batches=steps), verbose=0)
    return gan


@functools.lru_cache(maxsize=None)
def _reference_state(steps):
    """`_state` of `_reference(steps)` (the same for every test that compares with it)."""
    return _state(_reference(steps))


def test_nan_batch_stops_at_that_step_with_the_weights_of_the_step_before(capsys):
    gan = _gan()
    # validate_data=False lets the NaN batch reach the training step (the data check stops it
    # earlier, test_data_checks.py).
    history = gan.fit(_dataset(nan_batch=5), epochs=3, verbose=0, validate_data=False)
    assert _steps(gan) == 4
    assert len(history.history["d_loss"]) == 1  # stopped in epoch 1
    _assert_same_state(_state(gan), _reference_state(4))
    printed = capsys.readouterr().out
    assert re.search(r"Expected finite values in every log of the GAN\. Received: d_loss=nan, "
                     r"g_loss=nan at training step 5 \(epoch 1, batch 5\), in the discriminator "
                     r"phase\. Training stopped without applying that step: the weights are "
                     r"those after training step 4", printed), printed
    assert all(np.isfinite(v).all() for v in _state(gan).values())
    assert all(np.isfinite(image).all() for image in gan.generate(4, seed=0))


def test_a_non_finite_generator_loss_also_undoes_that_steps_discriminator_update():
    base = losses.get("non_saturating")[1]
    holder = {}

    def g_loss(fake_output):
        # NaN from the 5th generator update on (its step count is 4 while it runs).
        step = keras.ops.cast(holder["gan"].g_optimizer.iterations, "float32")
        return base(fake_output) + keras.ops.where(step >= 4, np.float32("nan"), 0.0)

    gan = tiny_mlp_gan(ema_decay=0.9)
    holder["gan"] = gan
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                g_loss=g_loss)
    stop = cb.TerminateOnNonFinite(verbose=False)
    gan.fit(_dataset(), verbose=0, callbacks=[stop])
    assert (stop.step, stop.epoch, stop.batch) == (5, 1, 5)
    assert list(stop.values) == ["g_loss"] and np.isnan(stop.values["g_loss"])
    assert "in the generator phase" in stop.message
    # The discriminator's update of step 5 (its loss was finite) is undone too.
    _assert_same_state(_state(gan), _reference_state(4))


@pytest.mark.parametrize("network", ["generator", "discriminator"])
def test_an_update_that_overflows_the_weights_is_not_applied(network, capsys):
    gan = _gan()
    gan.fit(_dataset(batches=2), verbose=0)
    before = _state(gan)
    # Finite losses, an infinite step size: the update leaves the weights non-finite.
    optimizer = gan.g_optimizer if network == "generator" else gan.d_optimizer
    optimizer.learning_rate.assign(np.float32("inf"))
    stop = cb.TerminateOnNonFinite()
    gan.fit(_dataset(), verbose=0, callbacks=[stop])
    after = _state(gan)
    changed = [k for k in after if not np.array_equal(after[k], before[k])]
    assert len(changed) == 1 and changed[0].endswith(":learning_rate"), changed
    assert (stop.step, stop.batch) == (3, 1)
    printed = capsys.readouterr().out
    if network == "generator":
        assert stop.cause == "update"
        assert re.search(r"Expected finite weights after every update\. Received: non-finite "
                         r"weights after the update of training step 3 \(epoch 1, batch 1\), "
                         r"whose losses were finite\. Training stopped without applying that "
                         r"step: the weights are those after training step 2", printed), printed
    else:
        # The discriminator's non-finite weights show in the generator's loss of that step.
        assert stop.cause == "loss" and list(stop.values) == ["g_loss"], stop.values


@not_torch
def test_steps_per_execution_stops_at_the_step_within_the_execution():
    gan = _gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                steps_per_execution=4)
    stop = cb.TerminateOnNonFinite(verbose=False)
    gan.fit(_dataset(nan_batch=6), verbose=0, validate_data=False, callbacks=[stop])
    assert (stop.step, stop.batch) == (6, 6)
    assert _steps(gan) == 5  # steps 7 and 8 of the execution were left out too
    reference = _state(_reference(5))
    for key, value in _state(gan).items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-6, atol=1e-7, err_msg=key)


def test_zoo_models_stop_by_default():
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, image_shape=(4, 4, 1), g_widths=(8,),
                           d_widths=(8,), latent_dim=4, batch_size=BATCH, steps_per_execution=1)
    low, high = gan.output_range
    x = tf.data.Dataset.from_tensor_slices(IMAGES * (high - low) + low).batch(BATCH)
    x = x.enumerate().map(lambda i, b: tf.where(i == 2, b * np.float32("inf"), b))
    gan.fit(x, epochs=2, verbose=0, validate_data=False)
    assert _steps(gan) == 2


def test_raise_error_and_opting_out():
    stop = cb.TerminateOnNonFinite(raise_error=True)
    with pytest.raises(FloatingPointError, match=r"Received: d_loss=nan, g_loss=nan at training "
                                                 r"step 3 \(epoch 1, batch 3\)"):
        _gan().fit(_dataset(nan_batch=3), verbose=0, validate_data=False, callbacks=[stop])
    # terminate_on_nan=False trains through the NaN batch, as keras.Model.fit does.
    gan = _gan()
    history = gan.fit(_dataset(nan_batch=3), verbose=0, validate_data=False,
                      terminate_on_nan=False)
    assert _steps(gan) == 8 and np.isnan(history.history["d_loss"][0])
    # ... and the step is traced again with the check when the stop comes back.
    gan = _gan()
    gan.fit(_dataset(batches=2), verbose=0, terminate_on_nan=False)
    gan.fit(_dataset(nan_batch=2), verbose=0, validate_data=False)
    assert _steps(gan) == 3


def test_one_stop_per_fit():
    stop = cb.TerminateOnNonFinite()
    gan = _gan()
    callbacks = [stop]
    assert finite_steps.watch(gan, callbacks) == [stop]
    assert callbacks == [stop]  # the caller's list is left as it was
    added = finite_steps.watch(gan, [])
    assert [type(c) for c in added] == [cb.TerminateOnNonFinite] and gan._skip_non_finite_steps
    assert not finite_steps.watch(gan, None, terminate_on_nan=False)
    assert not gan._skip_non_finite_steps
    # The trainer's stop is one too.
    assert len(finite_steps.watch(gan, [cb.StopOnNonFiniteLoss()])) == 1


def test_every_log_is_watched(capsys):
    gan = _gan()
    stop = cb.TerminateOnNonFinite()
    stop.set_model(gan)
    stop.on_epoch_begin(1)
    # A diagnostic alone (here the discriminator's gradient norm) stops training too.
    stop.on_train_batch_end(6, {"d_loss": 0.3, "g_loss": 0.7, "d_grad_norm": float("inf")})
    assert gan.stop_training and stop.values == {"d_grad_norm": float("inf")}
    assert (stop.epoch, stop.batch) == (2, 7)
    assert re.search(r"Received: d_grad_norm=inf at training step 0 \(epoch 2, batch 7\), in "
                     r"the discriminator phase\. Training stopped after that step",
                     capsys.readouterr().out)
    gan.stop_training = False
