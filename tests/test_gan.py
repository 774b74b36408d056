"""The GAN model: optimizer state, schedules, generate, saving, configuration errors."""

import keras
import numpy as np
import pytest
from conftest import random_images, tiny_mlp_gan

import kerasgan


def _compiled(**kwargs):
    compile_kwargs = kwargs.pop("compile_kwargs", {})
    gan = tiny_mlp_gan(**kwargs)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3),
        g_optimizer=keras.optimizers.Adam(1e-3),
        **compile_kwargs,
    )
    return gan


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


@pytest.mark.parametrize(
    "kwargs, d_per_step",
    [({}, 1), ({"d_steps": 3}, 3), ({"d_update": "split"}, 2), ({"d_steps": 2, "d_update": "split"}, 4)],
)
def test_both_optimizers_keep_state_across_steps(kwargs, d_per_step):
    gan = _compiled(**kwargs)
    steps = 5
    gan.fit(random_images(8 * steps), batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert int(gan.g_optimizer.iterations) == steps
    assert int(gan.d_optimizer.iterations) == steps * d_per_step
    assert int(gan.optimizer.iterations) == steps
    for opt in (gan.d_optimizer, gan.g_optimizer):
        moments = [v for v in opt.variables if "momentum" in v.path or "velocity" in v.path]
        assert moments, [v.path for v in opt.variables]
        assert all(np.abs(m).sum() > 0 for m in _values(moments))


def test_generator_step_does_not_touch_discriminator_and_vice_versa():
    # lr 0 for D: only G may change; then the reverse.
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.1))
    d_before = _values(gan.d_variables)
    gan.fit(random_images(16), batch_size=8, verbose=0)
    for a, b in zip(d_before, _values(gan.discriminator.trainable_variables)):
        np.testing.assert_array_equal(a, b)
    gan = tiny_mlp_gan()
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.0))
    g_before = _values(gan.g_variables)
    gan.fit(random_images(16), batch_size=8, verbose=0)
    for a, b in zip(g_before, _values(gan.g_variables)):
        np.testing.assert_array_equal(a, b)


def test_steps_per_epoch_and_callbacks():
    gan = _compiled()
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(sorted(logs)))
    ds = np.repeat(random_images(8), 10, axis=0)
    gan.fit(ds, batch_size=8, epochs=2, steps_per_epoch=3, callbacks=[cb], verbose=0)
    assert len(seen) == 6 and seen[0] == ["d_loss", "g_loss"]
    assert int(gan.g_optimizer.iterations) == 6


def test_generate_range_shape_and_seed():
    gan = tiny_mlp_gan(output_range=(-1.0, 1.0))
    a = gan.generate(5, seed=3)
    assert a.shape == (5, 4, 4, 1) and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, gan.generate(5, seed=3))
    assert not np.array_equal(a, gan.generate(5, seed=4))
    raw = keras.ops.convert_to_numpy(gan(gan.sample_noise(5, seed=3)))
    # The generator ends in a sigmoid (0..1); generate() maps the declared (-1, 1) range.
    np.testing.assert_allclose(a, np.clip((raw + 1) / 2, 0, 1), atol=1e-6)


def test_generate_rejects_bad_counts():
    gan = tiny_mlp_gan()
    for bad in (0, -1, 2.5, "3"):
        with pytest.raises(ValueError, match="num_samples"):
            gan.generate(bad)


def test_predict_rejects_bad_batch_sizes_and_takes_good_ones():
    gan = tiny_mlp_gan()
    noise = gan.sample_noise(5, seed=0)
    for bad in (0, -1, 2.5, "3", True):
        with pytest.raises(ValueError, match="Expected batch_size to be a positive integer or None"):
            gan.predict(noise, batch_size=bad, verbose=0)
    assert gan.predict(noise, batch_size=2, verbose=0).shape[0] == 5


def test_save_and_load_round_trip(tmp_path):
    # The configuration of test_both_optimizers_keep_state_across_steps' last case.
    gan = _compiled(d_steps=2, d_update="split")
    gan.fit(random_images(16), batch_size=8, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, kerasgan.GAN)
    np.testing.assert_array_equal(loaded.generate(6, seed=1), gan.generate(6, seed=1))
    assert loaded.d_steps == 2 and loaded.d_update == "split"
    assert int(loaded.d_optimizer.iterations) == 8 and int(loaded.g_optimizer.iterations) == 2
    for a, b in zip(_values(gan.optimizer.variables), _values(loaded.optimizer.variables)):
        np.testing.assert_array_equal(a, b)
    loaded.fit(random_images(16), batch_size=8, verbose=0)  # still trainable after loading
    assert int(loaded.g_optimizer.iterations) == 4


def test_get_config_from_config():
    gan = _compiled(d_steps=2, noise="uniform", clip_value=0.5, output_range=(-1, 1))
    clone = kerasgan.GAN.from_config(gan.get_config())
    assert clone.get_config()["d_steps"] == 2
    assert clone.noise == "uniform" and clone.clip_value == 0.5
    assert clone.output_range == (-1.0, 1.0)
    assert clone.image_shape == gan.image_shape


def test_clip_value_bounds_critic_weights():
    gan = _compiled(clip_value=0.01)
    for v in _values(gan.d_variables):
        assert np.abs(v).max() <= 0.01 + 1e-7
    gan.fit(random_images(16), batch_size=8, verbose=0)
    for v in _values(gan.d_variables):
        assert np.abs(v).max() <= 0.01 + 1e-7


def test_real_batches_split_takes_any_batch_of_at_least_d_steps():
    gan = _compiled(d_steps=3, real_batches="split")
    gan.fit(random_images(12), batch_size=12, verbose=0)
    assert int(gan.d_optimizer.iterations) == 3
    gan.fit(random_images(16), batch_size=8, verbose=0)
    assert int(gan.d_optimizer.iterations) == 3 + 6
    with pytest.raises(ValueError, match="at least d_steps=3"):
        gan.fit(random_images(4), batch_size=2, verbose=0)


def test_wrong_image_shape_is_named():
    gan = _compiled()
    with pytest.raises(ValueError, match=r"Expected images of shape .*\(4, 4, 1\).*Received"):
        gan.fit(random_images(16, shape=(5, 5, 1)), batch_size=8, verbose=0)


class _BlendedFakes(kerasgan.GAN):
    """Hooks: the fake batch blends uniform noise into the real batch, weighted by the step."""

    def __init__(self, *args, anneal_steps=4, **kwargs):
        super().__init__(*args, **kwargs)
        self.anneal_steps = anneal_steps

    def get_config(self):
        return {**super().get_config(), "anneal_steps": self.anneal_steps}

    def draw_randomness(self, batch_size):
        r = super().draw_randomness(batch_size)
        for i in range(self.d_steps):
            r[f"noise{i}"] = keras.random.uniform((batch_size,) + self.image_shape,
                                                  seed=self.seed_generator)
        return r

    def discriminator_fake(self, real, d_step, randomness):
        self.fake_calls = getattr(self, "fake_calls", 0) + 1  # counted while tracing
        t = keras.ops.minimum(keras.ops.cast(self.optimizer.iterations, "float32") / self.anneal_steps, 1.0)
        return real * t + randomness[f"noise{d_step}"] * (1.0 - t)


@pytest.mark.parametrize("d_steps, real_batches", [(1, "reuse"), (2, "split")])
def test_subclass_hooks_replace_the_fake_batch(d_steps, real_batches):
    keras.utils.set_random_seed(0)
    from kerasgan.networks import mlp_discriminator, mlp_generator

    gan = _BlendedFakes(mlp_generator(8, (16,), (4, 4, 1), "sigmoid"),
                        mlp_discriminator((4, 4, 1), (16,)), d_steps=d_steps,
                        real_batches=real_batches, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    g_before = _values(gan.g_variables)
    history = gan.fit(random_images(35), batch_size=7, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    assert gan.fake_calls >= d_steps
    assert int(gan.d_optimizer.iterations) == 5 * d_steps
    # The generator still trains on its own samples.
    assert any(not np.allclose(a, b) for a, b in zip(g_before, _values(gan.g_variables)))


def test_old_configs_with_a_fake_source_load():
    gan = _compiled()
    old = dict(gan.get_config(), fake_source="generator", anneal_steps=10_000)
    assert kerasgan.GAN.from_config(old).get_config()["d_steps"] == 1
    with pytest.raises(ValueError, match=r"Received: fake_source='annealed_noise'.*discriminator_fake"):
        kerasgan.GAN.from_config(dict(gan.get_config(), fake_source="annealed_noise"))
    with pytest.raises(ValueError, match="fake_source"):
        tiny_mlp_gan(fake_source="generator")  # no longer a constructor argument
    # A subclass that overrides discriminator_fake takes old annealed-noise configs and its own.
    blended = _BlendedFakes.from_config(dict(gan.get_config(), fake_source="annealed_noise",
                                             anneal_steps=9))
    assert blended.anneal_steps == 9
    assert _BlendedFakes.from_config(blended.get_config()).anneal_steps == 9


def test_fit_reports_losses_updates_both_networks_and_same_seed_same_losses():
    losses = []
    for _ in range(2):
        gan = _compiled(seed=7)
        g_before, d_before = _values(gan.g_variables), _values(gan.d_variables)
        h = gan.fit(random_images(32), batch_size=8, epochs=2, verbose=0, shuffle=False)
        assert set(h.history) == {"d_loss", "g_loss"}  # diagnostics are opt-in
        assert all(np.isfinite(h.history["d_loss"]))
        assert any(not np.allclose(a, b) for a, b in zip(g_before, _values(gan.g_variables)))
        assert any(not np.allclose(a, b) for a, b in zip(d_before, _values(gan.d_variables)))
        losses.append(h.history["d_loss"] + h.history["g_loss"])
    np.testing.assert_array_equal(losses[0], losses[1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"d_steps": 0}, "Expected d_steps to be a positive integer"),
        ({"noise": "gaussian"}, "Expected noise to be one of"),
        ({"d_update": "both"}, "Expected d_update to be one of"),
        ({"clip_value": -1}, r"Expected clip_value to be a positive finite number or None\. "
                             r"Received: clip_value=-1 \(int\)"),
        ({"gradient_penalty_weight": -1}, r"Expected gradient_penalty_weight to be a finite "
                                          r"number >= 0\. Received: gradient_penalty_weight=-1"),
        ({"d_loss_weight": float("nan")}, r"Expected d_loss_weight to be a positive finite number"),
        ({"output_range": (1, 0)}, r"Expected output_range to be a pair \(low, high\) of finite "
                                   r"numbers with low < high\. Received: output_range=\(1, 0\)"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_mlp_gan(**kwargs)


def test_compile_errors():
    gan = tiny_mlp_gan()
    with pytest.raises(ValueError, match="Expected a known loss family. Received: loss='hinj'. Did you mean 'hinge'"):
        gan.compile(loss="hinj")
    with pytest.raises(ValueError, match="Received: `optimizer`, which GAN.compile\\(\\) does not take"):
        gan.compile(optimizer="adam")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="Expected two different optimizer objects"):
        gan.compile(d_optimizer=opt, g_optimizer=opt)


def test_discriminator_output_shape_checked():
    g = kerasgan.networks.mlp_generator(8, (16,), (4, 4, 1))
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"outputs of shape \(batch, 1\)"):
        kerasgan.GAN(g, d)


def test_atomic_writes_keep_old_file_on_failure_and_use_normal_permissions(tmp_path):
    import os

    from kerasgan.utils.io import atomic_path, atomic_write_text

    target = tmp_path / "log.csv"
    atomic_write_text(target, "good\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, "w") as f:
                f.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]  # no temporary left behind
    umask = os.umask(0)
    os.umask(umask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~umask)
