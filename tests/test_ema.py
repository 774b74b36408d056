"""EMA of the generator's weights: the update rule, generate/export, save/load, exact resume,
tied kernels."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import random_images, tiny_mlp_gan

import kerasgan
from kerasgan.networks import TiedDense

DECAY = 0.9


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _ema_gan(**kwargs):
    gan = tiny_mlp_gan(ema_decay=DECAY, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def _sources(gan):
    return [source for source, _ in gan._ema.pairs]


def test_off_by_default_and_bad_decay():
    gan = tiny_mlp_gan()
    assert gan.ema_variables == [] and gan.get_config()["ema_decay"] is None
    with pytest.raises(ValueError, match=r"Expected a GAN built with ema_decay"):
        gan.generate(2, use_ema=True)
    with pytest.raises(ValueError, match=r"Expected ema_decay to be a number in \(0, 1\) or None\. Received: ema_decay=1 \(int\)\. Typical"):
        tiny_mlp_gan(ema_decay=1)


def test_average_follows_the_update_rule_with_warm_up():
    gan = _ema_gan()
    sources = _sources(gan)
    # BatchNorm moving statistics are averaged too.
    assert any(not v.trainable for v in sources), [v.path for v in sources]
    expected = _values(sources)
    np.testing.assert_array_equal(expected[0], _values(gan.ema_variables)[0])
    images = random_images(8)
    for t in range(3):
        gan.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)
        decay = min(DECAY, (1.0 + t) / (10.0 + t))
        expected = [decay * e + (1.0 - decay) * w for e, w in zip(expected, _values(sources))]
    assert int(keras.ops.convert_to_numpy(gan.ema_step)) == 3
    for want, got in zip(expected, _values(gan.ema_variables)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # The average lags the trained weights.
    assert any(not np.allclose(a, w) for a, w in zip(_values(gan.ema_variables), _values(sources)))


def test_generate_uses_the_average_and_restores_the_weights():
    gan = _ema_gan()
    gan.fit(random_images(32), batch_size=8, verbose=0)
    raw_weights = _values(_sources(gan))
    averaged, raw = gan.generate(5, seed=0), gan.generate(5, seed=0, use_ema=False)
    assert not np.allclose(averaged, raw)
    for a, b in zip(raw_weights, _values(_sources(gan))):
        np.testing.assert_array_equal(a, b)
    noise = gan.sample_noise(5, seed=0)
    np.testing.assert_allclose(raw, gan.predict(noise, verbose=0), atol=1e-6)
    with gan.ema_weights():
        np.testing.assert_allclose(averaged, gan.predict(noise, verbose=0), atol=1e-6)


def test_save_load_round_trip(tmp_path):
    gan = _ema_gan()
    gan.fit(random_images(16), batch_size=8, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = kerasgan.load_gan(path)
    assert loaded.ema_decay == DECAY
    for a, b in zip(_values(gan.ema_variables), _values(loaded.ema_variables)):
        np.testing.assert_array_equal(a, b)
    assert int(keras.ops.convert_to_numpy(loaded.ema_step)) == 2
    np.testing.assert_array_equal(loaded.generate(4, seed=1), gan.generate(4, seed=1))


def _all_state(gan):
    return _values(gan.trainable_variables + gan.non_trainable_variables + gan.optimizer.variables)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    images = random_images(16)
    straight = _ema_gan()
    straight.fit(images, batch_size=8, epochs=2, verbose=0, shuffle=False)

    first = _ema_gan()
    first.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)
    path = str(tmp_path / "half.keras")
    first.save(path)
    resumed = kerasgan.load_gan(path)
    resumed.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)

    want, got = _all_state(straight), _all_state(resumed)
    assert len(want) == len(got)
    for a, b in zip(want, got):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)
    assert int(keras.ops.convert_to_numpy(resumed.ema_step)) == 4


def test_export_uses_the_average(tmp_path):
    gan = _ema_gan()
    gan.fit(random_images(16), batch_size=8, verbose=0)
    served = tf.saved_model.load(kerasgan.export.export_generator(gan, str(tmp_path / "ema")))
    noise = tf.constant(gan.sample_noise(3, seed=2))
    images = served.signatures["serving_default"](noise=noise)["images"].numpy()
    np.testing.assert_allclose(images, gan.generate(3, seed=2), atol=1e-5)
    assert not np.allclose(images, gan.generate(3, seed=2, use_ema=False), atol=1e-5)


def _tied_gan():
    keras.utils.set_random_seed(0)
    d_in = keras.Input((4,))
    d_hidden = keras.layers.Dense(4, activation="relu", name="d_shared")(d_in)
    discriminator = keras.Model(d_in, keras.layers.Dense(1)(d_hidden))
    g_in = keras.Input((4,))
    g_hidden = TiedDense(4, activation="relu", name="g_shared")(g_in)
    generator = keras.Model(g_in, keras.layers.Dense(4, activation="sigmoid")(g_hidden))
    gan = kerasgan.GAN(generator, discriminator, shared_weights=[("g_shared", "d_shared")],
                       d_steps=2, real_batches="split", ema_decay=DECAY, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def test_tied_kernels_are_averaged_and_restored():
    gan = _tied_gan()
    shared = gan.discriminator.get_layer("d_shared").kernel
    assert any(source is shared for source in _sources(gan))
    gan.fit(random_images(14, shape=(4,)), batch_size=7, verbose=0)
    d_before = _values(gan.discriminator.variables)
    averaged = gan.generate(3, seed=0)
    assert not np.allclose(averaged, gan.generate(3, seed=0, use_ema=False))
    for a, b in zip(d_before, _values(gan.discriminator.variables)):
        np.testing.assert_array_equal(a, b)
    # The generator's tied layer still uses the critic's kernel.
    assert gan.generator.get_layer("g_shared").kernel is shared
