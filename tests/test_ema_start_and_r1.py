"""A later EMA start (copy, then the warm-up ramp counted from the start) and the R1 penalty."""

import keras
import numpy as np
import pytest
from conftest import random_images, tiny_mlp_gan

import kerasgan

DECAY = 0.9


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _compiled(**kwargs):
    gan = tiny_mlp_gan(**kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def test_ema_start_copies_then_ramps_from_the_start():
    start = 2
    gan = _compiled(ema_decay=DECAY, ema_start=start)
    sources = [s for s, _ in gan._ema.pairs]
    images = random_images(8)
    expected = _values(sources)
    for t in range(4):
        gan.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)
        weights = _values(sources)
        if t < start:
            # Before the start the average is the generator itself.
            for got, want in zip(_values(gan.ema_variables), weights):
                np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
            expected = weights
        else:
            k = t - start
            decay = min(DECAY, (1.0 + k) / (10.0 + k))
            expected = [decay * e + (1.0 - decay) * w for e, w in zip(expected, weights)]
    for got, want in zip(_values(gan.ema_variables), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(a, w) for a, w in zip(_values(gan.ema_variables), weights))


def test_ema_start_is_saved_and_validated(tmp_path):
    gan = _compiled(ema_decay=DECAY, ema_start=3)
    gan.fit(random_images(8), batch_size=8, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    assert kerasgan.load_gan(path).ema_start == 3
    with pytest.raises(ValueError, match=r"Expected ema_start to be an integer >= 0\. Received"):
        tiny_mlp_gan(ema_decay=DECAY, ema_start=-1)
    with pytest.raises(ValueError, match=r"Expected ema_start to be 0 unless ema_decay is set"):
        tiny_mlp_gan(ema_start=5)


def test_r1_penalty_is_the_mean_squared_input_gradient_norm():
    gan = _compiled()
    real = keras.ops.convert_to_tensor(random_images(6))
    got = float(keras.ops.convert_to_numpy(gan.r1_penalty(real)))
    # Finite differences of D's output, one image at a time, give the same squared norms.
    x = np.array(keras.ops.convert_to_numpy(real), dtype=np.float64)
    d = lambda v: np.array(keras.ops.convert_to_numpy(  # noqa: E731
        gan.discriminator(keras.ops.convert_to_tensor(v.astype("float32")), training=False)),
        dtype=np.float64)[:, 0]
    eps = 1e-2
    flat = x.reshape(len(x), -1)
    grads = np.zeros_like(flat)
    for j in range(flat.shape[1]):
        up, down = flat.copy(), flat.copy()
        up[:, j] += eps
        down[:, j] -= eps
        grads[:, j] = (d(up.reshape(x.shape)) - d(down.reshape(x.shape))) / (2 * eps)
    want = float(np.mean(np.sum(grads ** 2, axis=1)))
    assert got > 0
    np.testing.assert_allclose(got, want, rtol=2e-2)


def test_r1_weight_changes_the_discriminator_update_only():
    images = random_images(16)

    def trained(r1):
        gan = _compiled(seed=0, r1_weight=r1)
        gan.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)
        return gan

    plain, penalised = trained(0.0), trained(10.0)
    d_plain, d_pen = _values(plain.d_variables), _values(penalised.d_variables)
    assert any(not np.allclose(a, b) for a, b in zip(d_plain, d_pen))
    assert penalised.get_config()["r1_weight"] == 10.0
    with pytest.raises(ValueError, match=r"Expected r1_weight to be a finite number >= 0\."):
        tiny_mlp_gan(r1_weight=-1.0)


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def test_r2_penalises_the_discriminator_on_the_fakes():
    gan = _compiled(seed=0)
    real = keras.ops.convert_to_tensor(random_images(8))
    chunks, randomness = gan.real_chunks(real), gan.draw_randomness(8)
    fake_phase = next(p for p in gan.phase_plan() if "fake" in p.terms)
    plain = _numpy(gan.phase_loss(fake_phase, chunks, randomness))
    gan.r2_weight = 4.0
    penalised = _numpy(gan.phase_loss(fake_phase, chunks, randomness))
    fake = gan.discriminator_fake(chunks[0], 0, randomness)
    want = 0.5 * 4.0 * _numpy(gan.r1_penalty(fake))
    assert want > 0
    np.testing.assert_allclose(penalised - plain, want, rtol=1e-4)
    assert tiny_mlp_gan(r2_weight=2.0).get_config()["r2_weight"] == 2.0
    with pytest.raises(ValueError, match=r"Expected r2_weight to be a finite number >= 0\."):
        tiny_mlp_gan(r2_weight=float("inf"))


def test_relativistic_loss_pairs_real_and_fake_in_both_phases():
    gan = tiny_mlp_gan(seed=0, d_update="joint", r1_weight=1.0, r2_weight=1.0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2),
                loss="relativistic")
    real = keras.ops.convert_to_tensor(random_images(8))
    chunks, randomness = gan.real_chunks(real), gan.draw_randomness(8)
    g_phase = gan.phase_plan()[-1]
    fake = gan.generator(randomness["z_g"], training=True)
    d_real = _numpy(gan.discriminator(real, training=True))
    d_fake = _numpy(gan.discriminator(fake, training=True))
    want = np.mean(np.log1p(np.exp(d_real - d_fake)))  # softplus(-(D(G(z)) - D(x)))
    np.testing.assert_allclose(_numpy(gan.phase_loss(g_phase, chunks, randomness)), want,
                               rtol=1e-5)
    history = gan.fit(random_images(32), batch_size=8, epochs=2, verbose=0)
    assert all(np.isfinite(history.history[k]).all() for k in ("d_loss", "g_loss"))
    with pytest.raises(ValueError, match=r"Expected GAN\(d_update='joint'\) for loss='relativistic'"):
        tiny_mlp_gan(d_update="split").compile(
            d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2),
            loss="relativistic")
