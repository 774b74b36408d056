"""The GAN under Keras' torch backend: the same training step, checkpoints and shipped weights.

Most tests run under KERAS_BACKEND=torch only and skip under the other backends. The parity
tests compare with `tests/data/backend_parity.npz`, a record written under TensorFlow
(`tests/data/make_backend_parity.py`): they also run under TensorFlow, which keeps the record
honest, and under JAX with `-m slow` (its step compiles for tens of seconds).

    KERAS_BACKEND=torch python -m pytest tests/test_torch_backend.py
"""

import os
import sys

import keras
import numpy as np
import pytest

import kerasgan
from conftest import random_images, tiny_mlp_gan
from kerasgan import zoo

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
sys.path.insert(0, DATA)
import make_backend_parity as parity  # noqa: E402

sys.path.remove(DATA)

BACKEND = keras.backend.backend()
torch_only = pytest.mark.skipif(BACKEND != "torch", reason="tests the torch backend: "
                                "run with KERAS_BACKEND=torch")
_SLOW_ON_JAX = [pytest.mark.slow] if BACKEND == "jax" else []


@pytest.fixture(scope="module")
def record():
    with np.load(parity.RECORD_FILE) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(autouse=True)
def _one_thread():
    """PyTorch on one thread: its spinning OpenMP threads crawl on oversubscribed cores."""
    if BACKEND != "torch":
        yield
        return
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _numpy(x):
    return np.array(keras.ops.convert_to_numpy(x))


def _values(variables):
    return [_numpy(v) for v in variables]


def _all_state(gan):
    return _values(list(gan.variables) + list(gan.optimizer.variables)) + [
        _numpy(gan.seed_generator.state)]


# ------------------------------------------------------------ parity with TensorFlow's record


@pytest.mark.parametrize("case", [pytest.param(c, marks=_SLOW_ON_JAX) for c in parity.CASES])
def test_training_step_matches_tensorflow(case, record):
    """Same weights, noise and data: the same losses and variables after two steps."""
    _, got = parity.parity_case(case)
    for key, value in got.items():
        np.testing.assert_allclose(value, record[f"step/{case}/{key}"], rtol=1e-4, atol=1e-5,
                                   err_msg=f"{case}: {key}")


def _shipped():
    return [(name, w) for name in zoo.names() for w in sorted(zoo.spec(name).weights)]


@pytest.mark.parametrize("name,weights", _shipped())
def test_shipped_weights_draw_tensorflows_images(name, weights, record):
    key = f"{name}/{weights}"
    assert f"zoo/{key}" in record, (
        f"tests/data/backend_parity.npz has no images of {key}: run "
        "KERAS_BACKEND=tensorflow .venv/bin/python tests/data/make_backend_parity.py")
    digest = zoo.spec(name).weights[weights]["sha256"]
    assert str(record[f"sha256/{key}"]) == digest, (
        f"{key} ships another file than the record describes: run "
        "KERAS_BACKEND=tensorflow .venv/bin/python tests/data/make_backend_parity.py")
    images = zoo.get(name, weights=weights).generate(2, seed=0)
    np.testing.assert_allclose(images, record[f"zoo/{key}"], atol=1e-5)


# ------------------------------------------------------------------- torch backend only


@torch_only
def test_the_torch_trainer_runs_the_step():
    from kerasgan.trainers import torch_trainer

    assert kerasgan.trainers.get() is torch_trainer


@torch_only
def test_alternating_updates_each_network_by_its_own_optimizer():
    """A frozen generator optimizer leaves the generator alone, and the other way round."""
    x = random_images(8)
    for frozen in ("g", "d"):
        gan = tiny_mlp_gan(d_steps=2, d_update="split")
        rates = {"d": 0.0 if frozen == "d" else 0.1, "g": 0.0 if frozen == "g" else 0.1}
        gan.compile(d_optimizer=keras.optimizers.SGD(rates["d"]),
                    g_optimizer=keras.optimizers.SGD(rates["g"]))
        d_before, g_before = _values(gan.d_variables), _values(gan.g_variables)
        gan.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
        d_same = all(np.array_equal(a, b) for a, b in zip(d_before, _values(gan.d_variables)))
        g_same = all(np.array_equal(a, b) for a, b in zip(g_before, _values(gan.g_variables)))
        assert (d_same, g_same) == ((True, False) if frozen == "d" else (False, True))
        # Two split discriminator steps (real, then fake) per generator step.
        assert int(_numpy(gan.d_optimizer.iterations)) == 2 * 2 * 2
        assert int(_numpy(gan.g_optimizer.iterations)) == 2


@torch_only
def test_optimizer_state_and_noise_carry_across_fit_calls():
    """Two fit() calls of two steps end where one call of four steps ends, bit for bit."""
    x = random_images(8)
    whole = tiny_mlp_gan(ema_decay=0.9)
    whole.compile()
    whole.fit(np.concatenate([x, x]), batch_size=4, epochs=1, shuffle=False, verbose=0)
    parts = tiny_mlp_gan(ema_decay=0.9)
    parts.compile()
    for _ in range(2):
        parts.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(_all_state(whole), _all_state(parts)):
        np.testing.assert_array_equal(a, b)
    assert int(_numpy(parts.ema_step)) == 4


@torch_only
def test_save_and_resume_continue_bit_exact(tmp_path):
    """fit, save, load, fit == fit twice: weights, both optimizers, EMA and the noise stream."""
    x = random_images(8)
    kwargs = dict(ema_decay=0.9, d_steps=2, gradient_penalty_weight=1.0, r1_weight=0.5)
    straight = tiny_mlp_gan(**kwargs)
    straight.compile(loss="wasserstein")
    straight.fit(x, batch_size=4, epochs=2, shuffle=False, verbose=0)
    resumed = tiny_mlp_gan(**kwargs)
    resumed.compile(loss="wasserstein")
    resumed.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    resumed.save(tmp_path / "run.keras")
    loaded = kerasgan.load_gan(tmp_path / "run.keras")
    history = loaded.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    for a, b in zip(_all_state(straight), _all_state(loaded)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(straight.generate(3, seed=1), loaded.generate(3, seed=1))


@torch_only
def test_evaluate_reports_both_losses_without_updating():
    gan = tiny_mlp_gan()
    gan.compile()
    x = random_images(8)
    gan.fit(x, batch_size=4, epochs=1, verbose=0)
    before = _values(gan.trainable_variables)
    logs = gan.evaluate(x, batch_size=4, verbose=0, return_dict=True)
    assert sorted(logs) == ["d_loss", "g_loss"] and np.isfinite(list(logs.values())).all()
    for a, b in zip(before, _values(gan.trainable_variables)):
        np.testing.assert_array_equal(a, b)


@torch_only
def test_shared_kernel_is_one_variable_trained_by_the_critic():
    gan = zoo.get("shared_wgan", hidden=8, d_steps=2, seed=0, batch_size=4,
                  steps_per_execution=1)
    kernel = gan.discriminator.get_layer("dshared").kernel
    assert any(v is kernel for v in gan.generator.trainable_variables)
    assert any(v is kernel for v in gan.d_variables)
    assert not any(v is kernel for v in gan.g_variables)
    before = _numpy(kernel)
    x = random_images(8, gan.image_shape)
    gan.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert not np.array_equal(before, _numpy(kernel))
    assert np.abs(_numpy(kernel)).max() <= 0.01 + 1e-7  # clipped as a critic weight


@torch_only
@pytest.mark.parametrize("conditioning", ["projection", "concat", "acgan"])
def test_conditional_gans_train_on_labelled_datasets(conditioning):
    """(images, labels) batches from a tf.data pipeline, DiffAugment, spectral norm."""
    from kerasgan import data
    from kerasgan.networks import conditional

    classes, shape = 3, (28, 28, 1)
    keras.utils.set_random_seed(0)
    g = conditional.conditional_dcgan_generator(classes, 8, shape, base_filters=4)
    d = conditional.conditional_dcgan_discriminator(classes, shape, base_filters=4,
                                                    conditioning=conditioning, spectral_norm=True)
    gan = kerasgan.GAN(g, d, num_classes=classes, conditioning=conditioning,
                       output_range=(-1.0, 1.0), augment="color,translation,cutout", seed=0)
    gan.compile(loss="hinge")
    rng = np.random.default_rng(0)
    ds = data.from_arrays(rng.integers(0, 256, (8,) + shape, dtype=np.uint8),
                          labels=np.arange(8) % classes, value_range=(-1, 1), batch_size=4,
                          num_classes=classes)
    d_before = _values(gan.d_variables)
    history = gan.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    assert int(_numpy(gan.optimizer.iterations)) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, _values(gan.d_variables)))
    assert gan.generate(3, labels=[0, 1, 2], seed=0).shape == (3,) + shape


@torch_only
@pytest.mark.parametrize("name", ["cdcgan", "wgan_gp", "dcgan"])
def test_presets_train_a_step(name):
    """Conditional, gradient-penalty and convolutional presets (every preset: test_presets.py)."""
    gan = zoo.get(name, seed=0, batch_size=2, steps_per_execution=1,
                  **({"d_steps": 1} if name == "wgan_gp" else {}))
    low, high = gan.output_range
    x = random_images(2, gan.image_shape, low=low, high=high)
    y = np.arange(2, dtype="int32") % gan.num_classes if gan.conditioning else None
    history = gan.fit(x, y, batch_size=2, epochs=1, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())


@torch_only
def test_mixed_bfloat16_trains_convolutions_or_is_refused_without_native_bfloat16():
    if not kerasgan.distribution.torch_has_native_bfloat16():  # an AVX2-only CPU
        with pytest.raises(ValueError, match=r"native bfloat16 \(AVX-512 or AMX\).*Received: a "
                                             r"CPU without it\. Use policy='float32'"):
            kerasgan.distribution.set_mixed_precision("mixed_bfloat16")
        assert keras.config.dtype_policy().name == "float32"
        return
    try:
        kerasgan.distribution.set_mixed_precision("mixed_bfloat16")
        gan = zoo.get("dcgan", seed=0, batch_size=2, steps_per_execution=1)
        assert gan.generator.compute_dtype == "bfloat16"
        x = random_images(2, gan.image_shape, low=-1.0, high=1.0)
        history = gan.fit(x, batch_size=2, epochs=1, verbose=0)
        assert np.isfinite(history.history["g_loss"]).all()
        assert gan.generate(2, seed=0).dtype == np.float32
    finally:
        keras.config.set_dtype_policy("float32")


@torch_only
def test_mixed_bfloat16_is_refused_where_pytorch_lacks_native_bfloat16(monkeypatch):
    import torch

    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"Expected a CPU with native bfloat16.*policy="
                                         r"'mixed_bfloat16' under the torch backend"):
        kerasgan.distribution.set_mixed_precision("mixed_bfloat16")
    assert keras.config.dtype_policy().name == "float32"


@torch_only
def test_mixed_float16_trains_dense_networks_with_loss_scaling():
    try:
        kerasgan.distribution.set_mixed_precision("mixed_float16")
        gan = tiny_mlp_gan()
        gan.compile()
        assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
        history = gan.fit(random_images(4), batch_size=4, epochs=1, verbose=0)
        assert np.isfinite(history.history["d_loss"]).all()
    finally:
        keras.config.set_dtype_policy("float32")


@torch_only
def test_float16_convolutions_on_the_cpu_raise_a_clear_error():
    try:
        kerasgan.distribution.set_mixed_precision("mixed_float16")
        gan = zoo.get("dcgan", seed=0, batch_size=2, steps_per_execution=1)
        x = random_images(2, gan.image_shape, low=-1.0, high=1.0)
        with pytest.raises(ValueError, match="Expected mixed_bfloat16 or float32.*Received: the "
                                             "mixed_float16 policy.*mixed_bfloat16"):
            gan.fit(x, batch_size=2, epochs=1, verbose=0)
    finally:
        keras.config.set_dtype_policy("float32")


@torch_only
def test_jit_compile_true_runs_eagerly_and_is_saved_as_given():
    gan = tiny_mlp_gan(gradient_penalty_weight=1.0)
    gan.compile(loss="wasserstein", jit_compile=True)
    assert gan.jit_compile is False  # torch.compile cannot differentiate the penalty twice
    assert gan.get_compile_config()["jit_compile"] is True
    gan.fit(random_images(4), batch_size=4, epochs=1, verbose=0)


@torch_only
def test_checkpoints_name_portable_optimizers(tmp_path):
    """A file written under torch names keras.optimizers.Adam, which every backend loads."""
    gan = tiny_mlp_gan()
    gan.compile()
    config = gan.get_compile_config()["d_optimizer"]
    assert (config["module"], config["class_name"]) == ("keras.optimizers", "Adam")
    gan.save(tmp_path / "run.keras")
    loaded = kerasgan.load_gan(tmp_path / "run.keras")
    assert type(loaded.d_optimizer) is type(gan.d_optimizer)


@torch_only
@pytest.mark.parametrize("call", ["setup", "simulate_cpu_devices"])
def test_multi_device_training_raises_a_clear_error(call):
    fn = {"setup": lambda: kerasgan.distribution.setup("mirrored"),
          "simulate_cpu_devices": lambda: kerasgan.distribution.simulate_cpu_devices(2)}[call]
    with pytest.raises(ValueError, match="Expected the TensorFlow or JAX backend .*Received: the "
                                         "'torch' backend.*distribution='none'"):
        fn()
    assert kerasgan.distribution.setup("none").num_replicas == 1
