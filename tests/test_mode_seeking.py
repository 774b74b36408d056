"""MSGAN's mode-seeking term: its value, the label pairing, the generator loss it joins, saving."""

import keras
import numpy as np
import pytest
from conftest import random_images, tiny_mlp_gan

import kerasgan
from kerasgan import losses
from kerasgan.networks import conditional


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


@pytest.mark.parametrize("n", [6, 7])
def test_mode_seeking_loss_hand_values(n):
    rng = np.random.default_rng(n)
    images = rng.normal(size=(n, 3, 3, 1)).astype("float32")
    noise = rng.normal(size=(n, 5)).astype("float32")
    h = n // 2
    # Pairs are rows (i, n - h + i): with n = 7 the middle row (3) is in no pair.
    ratio = (np.mean(np.abs(images[:h] - images[n - h:]))
             / np.mean(np.abs(noise[:h] - noise[n - h:])))
    got = _numpy(losses.mode_seeking_loss(keras.ops.convert_to_tensor(images),
                                          keras.ops.convert_to_tensor(noise)))
    np.testing.assert_allclose(got, 1.0 / (ratio + 1e-5), rtol=1e-5)
    # Identical samples (a collapsed generator) cost 1 / eps; more distinct ones cost less.
    same = np.repeat(images[:1], n, axis=0)
    collapsed = _numpy(losses.mode_seeking_loss(same, noise))
    np.testing.assert_allclose(collapsed, 1e5, rtol=1e-6)
    assert got < collapsed


def test_paired_labels_give_each_pair_one_class():
    labels = keras.ops.convert_to_tensor(np.array([3, 1, 4, 1, 5, 9, 2], dtype="int32"))
    paired = _numpy(losses.paired_labels(labels)).astype(int)
    np.testing.assert_array_equal(paired, [3, 1, 4, 1, 3, 1, 4])
    first, second = losses.pair_rows(keras.ops.convert_to_tensor(paired))
    np.testing.assert_array_equal(_numpy(first), _numpy(second))


def test_the_generator_loss_adds_the_weighted_term_and_training_changes():
    images = random_images(16)
    gan = tiny_mlp_gan(seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    real = keras.ops.convert_to_tensor(images[:8])
    chunks, randomness = gan.real_chunks(real), gan.draw_randomness(8)
    g_phase = gan.phase_plan()[-1]
    plain = _numpy(gan.phase_loss(g_phase, chunks, randomness))
    gan.mode_seeking_weight = 2.0
    with_term = _numpy(gan.phase_loss(g_phase, chunks, randomness))
    fake = gan.generator(randomness["z_g"], training=True)
    want = 2.0 * _numpy(losses.mode_seeking_loss(fake, randomness["z_g"]))
    assert want > 0
    np.testing.assert_allclose(with_term - plain, want, rtol=1e-4)

    def trained(weight):
        g = tiny_mlp_gan(seed=0, mode_seeking_weight=weight)
        g.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
        history = g.fit(images, batch_size=8, epochs=2, verbose=0, shuffle=False)
        assert all(np.isfinite(history.history[k]).all() for k in ("d_loss", "g_loss"))
        return [_numpy(v) for v in g.generator.trainable_variables]

    assert any(not np.allclose(a, b) for a, b in zip(trained(0.0), trained(1.0)))


def test_a_conditional_generator_update_pairs_samples_of_one_class():
    classes, shape = 3, (16, 16, 1)
    g = conditional.conditional_dcgan_generator(classes, 8, shape, base_filters=4)
    d = conditional.conditional_dcgan_discriminator(classes, shape, base_filters=4,
                                                    conditioning="projection")
    gan = kerasgan.GAN(g, d, num_classes=classes, conditioning="projection",
                       output_range=(-1.0, 1.0), seed=0, mode_seeking_weight=1.0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    seen = []
    call = gan.generator.call

    def spy(inputs, *args, **kwargs):
        seen.append(_numpy(inputs[1]).astype(int))
        return call(inputs, *args, **kwargs)

    real = np.random.default_rng(0).uniform(-1, 1, (8,) + shape).astype("float32")
    labels = np.arange(8) % classes
    chunks = gan.real_chunks((keras.ops.convert_to_tensor(real),
                              keras.ops.convert_to_tensor(labels)))
    randomness = gan.draw_randomness(8)
    gan.generator.call = spy
    try:
        loss = _numpy(gan.phase_loss(gan.phase_plan()[-1], chunks, randomness))
    finally:
        gan.generator.call = call
    assert np.isfinite(loss)
    drawn = _numpy(randomness["y_g"]).astype(int)
    np.testing.assert_array_equal(seen[-1], np.concatenate([drawn[:4], drawn[:4]]))
    history = gan.fit(real, labels, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()


def test_mode_seeking_weight_is_saved_and_validated(tmp_path):
    gan = tiny_mlp_gan(mode_seeking_weight=0.5)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    gan.fit(random_images(8), batch_size=8, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    assert kerasgan.load_gan(path).mode_seeking_weight == 0.5
    for bad in (-1.0, float("nan"), "1"):
        with pytest.raises(ValueError, match=r"Expected mode_seeking_weight to be a finite "
                                              r"number >= 0\. Received.*MSGAN uses 1\.0"):
            tiny_mlp_gan(mode_seeking_weight=bad)
    recipe = kerasgan.zoo.spec("cdcgan_small").recipe
    overridden = kerasgan.zoo.config.apply_overrides("cdcgan_small", recipe,
                                                     {"mode_seeking_weight": 1.0})
    assert overridden["gan"]["mode_seeking_weight"] == 1.0
