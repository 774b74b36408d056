"""Conditional GANs: training on image-label batches, ACGAN, label errors, generating by
class, the cdcgan and sngan presets, export with labels."""

import keras
import numpy as np
import pytest
from conftest import TF_EAGER, jax_slow
from keras import ops

import kerasgan
import kerasgan.data as kd
from kerasgan.networks import conditional, sngan
from kerasgan.networks.spectral_norm import SpectralNorm


def np_(x):
    return ops.convert_to_numpy(x)


CLASSES = 3
# The smallest size with the 28x28 networks' layers (two up- and two down-sampling stages).
SHAPE = (16, 16, 1)


def _gan(conditioning="projection", **kwargs):
    g = conditional.conditional_dcgan_generator(CLASSES, 8, SHAPE, base_filters=4)
    d = conditional.conditional_dcgan_discriminator(CLASSES, SHAPE, base_filters=4,
                                                    conditioning=conditioning, spectral_norm=True)
    gan = kerasgan.GAN(g, d, num_classes=CLASSES, conditioning=conditioning,
                       output_range=(-1.0, 1.0), seed=0, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                loss="hinge")
    return gan


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n,) + SHAPE, dtype=np.uint8), np.arange(n) % CLASSES


def _values(variables):
    return [np_(v).copy() for v in variables]


def _check_save_load_round_trip(gan, tmp_path, conditioning, augment):
    """A trained conditional GAN saves and loads with its settings, generates the same images
    by class, and the loaded GAN trains on."""
    x, y = _data(8)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = kerasgan.load_gan(path)
    assert (loaded.num_classes, loaded.conditioning, loaded.augment, loaded.augment_fill,
            loaded.aux_loss_weight) == (CLASSES, conditioning, augment, -1.0, 1.0)
    np.testing.assert_allclose(loaded.generate(3, labels=[0, 1, 2], seed=5),
                               gan.generate(3, labels=[0, 1, 2], seed=5), atol=1e-6)
    steps = int(gan.optimizer.iterations)
    loaded.fit(x.astype(np.float32) / 127.5 - 1, y, batch_size=8, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == steps + 1


def test_conditional_gan_fits_on_image_label_batches_and_round_trips(tmp_path):
    gan = _gan(augment="color,translation,cutout", augment_fill=-1.0)
    x, y = _data()
    ds = kd.from_arrays(x, labels=y, value_range=(-1, 1), batch_size=8, num_classes=CLASSES)
    d_before, g_before = _values(gan.d_variables), _values(gan.g_variables)
    history = gan.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all() and int(gan.optimizer.iterations) == 2
    assert any(not np.allclose(a, b) for a, b in zip(d_before, _values(gan.d_variables)))
    assert any(not np.allclose(a, b) for a, b in zip(g_before, _values(gan.g_variables)))
    # Arrays with y= work too.
    gan.fit(x.astype(np.float32) / 127.5 - 1, y, batch_size=8, epochs=1, verbose=0)
    assert int(gan.optimizer.iterations) == 4
    _check_save_load_round_trip(gan, tmp_path, "projection", "color,translation,cutout")


def test_acgan_auxiliary_loss_trains_the_class_logits_and_round_trips(tmp_path):
    gan = _gan("acgan", aux_loss_weight=1.0, augment="translation", augment_fill=-1.0)
    layer = gan.discriminator.get_layer("sn_class_logits").layer
    before = np_(layer.kernel).copy()
    x, y = _data(8)
    gan.fit(x.astype(np.float32) / 127.5 - 1, y, batch_size=8, epochs=1, verbose=0)
    assert not np.allclose(before, np_(layer.kernel))
    _check_save_load_round_trip(gan, tmp_path, "acgan", "translation")
    with pytest.raises(ValueError, match="aux_loss_weight"):
        _gan("projection", aux_loss_weight=2.0)


def test_conditional_fit_errors():
    gan = _gan()
    x, y = _data(8)
    images = x.astype(np.float32) / 127.5 - 1
    with pytest.raises(ValueError, match=r"batches of \(images, labels\) for this class-conditional"):
        gan.fit(images, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"labels in \[0, 3\).*Received: label 3 at index \d+ \(largest label 3\)"):
        gan.fit(images, y + 1, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="this GAN is unconditional|This GAN is unconditional"):
        _gan_unconditional().fit(kd.from_arrays(x, labels=y, value_range=(-1, 1), batch_size=8),
                                 verbose=0)
    with pytest.raises(ValueError, match="conditioning='projection'"):
        kerasgan.GAN(gan.generator, gan.discriminator, num_classes=3)
    with pytest.raises(ValueError, match="generator taking \\[noise, labels\\]"):
        kerasgan.GAN(_gan_unconditional().generator, gan.discriminator, num_classes=3,
                     conditioning="projection", output_range=(-1, 1))


def _message(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("problem", ["above", "negative", "one-hot", "fraction"])
def test_data_and_fit_raise_the_same_label_error(problem):
    # One implementation: kerasgan.data and GAN.fit state the same facts and fix for bad labels.
    gan = _gan()
    x, y = _data(8)
    images = x.astype(np.float32) / 127.5 - 1
    bad = {"above": np.where(np.arange(8) == 5, 3, y), "negative": np.where(np.arange(8) == 2, -1, y),
           "one-hot": np.eye(CLASSES)[y], "fraction": y + 0.5}[problem]
    from_fit = _message(lambda: gan.fit(images, bad, batch_size=8, verbose=0))
    from_data = _message(lambda: kd.from_arrays(images, labels=bad, num_classes=CLASSES,
                                                value_range=(-1, 1), batch_size=8))
    for message in (from_fit, from_data):
        assert message.startswith("Expected ") and ". Received: " in message
    assert from_fit.split(". Received: ", 1)[1] == from_data.split(". Received: ", 1)[1]


def test_num_classes_of_a_conditional_gan_is_checked():
    gan = _gan()
    with pytest.raises(ValueError, match=r"Expected num_classes to be an integer >= 2\. Received: "
                                         r"num_classes=1 \(int\)\. conditioning='projection'"):
        kerasgan.GAN(gan.generator, gan.discriminator, num_classes=1, conditioning="projection")


def _gan_unconditional():
    g = sngan.sngan_generator(8, SHAPE, base_filters=4)
    d = sngan.sngan_discriminator(SHAPE, base_filters=4)
    gan = kerasgan.GAN(g, d, output_range=(-1.0, 1.0))
    gan.compile(loss="hinge")
    return gan


def test_generate_with_labels():
    gan = _gan()
    # Distinct per-class BatchNorm scales, so the class changes the image.
    for layer in gan.generator.layers:
        if isinstance(layer, conditional.ConditionalBatchNormalization):
            layer.gamma.assign(np.random.default_rng(0).normal(size=layer.gamma.shape))
    a = gan.generate(4, labels=2, seed=1)
    assert a.shape == (4,) + SHAPE and a.min() >= 0 and a.max() <= 1
    np.testing.assert_array_equal(a, gan.generate(4, labels=[2, 2, 2, 2], seed=1))
    assert not np.allclose(a, gan.generate(4, labels=0, seed=1))
    cycled = gan.generate(4, seed=1)  # no labels: classes 0, 1, 2, 0
    np.testing.assert_allclose(cycled[2], a[2], atol=1e-6)
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)"):
        gan.generate(2, labels=3)
    with pytest.raises(ValueError, match=r"Expected labels of shape \(2,\).*\(or a single int\)\. Received: shape=\(3,\)"):
        gan.generate(2, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="unconditional"):
        _gan_unconditional().generate(2, labels=1)


def test_augment_helpers_store_flat_keys():
    from kerasgan import augment

    r = augment.draw_into({}, "aug_real0", 4, SHAPE, "color,cutout", seed=0)
    assert sorted(r) == ["aug_real0/brightness", "aug_real0/contrast", "aug_real0/cutout",
                         "aug_real0/saturation"]
    assert all(int(v.shape[0]) == 4 for v in r.values())
    x = np.ones((4,) + SHAPE, np.float32)
    out = augment.apply_from(r, "aug_real0", x, "color,cutout")
    params = {k.split("/")[1]: v for k, v in r.items()}
    np.testing.assert_array_equal(np_(out), np_(augment.apply_diff_augment(x, "color,cutout", params)))
    plain = _gan_unconditional()
    with pytest.raises(ValueError, match="policies from"):
        kerasgan.GAN(plain.generator, plain.discriminator, augment="flip", output_range=(-1, 1))
    with pytest.raises(ValueError, match=r"Expected augment_fill to be a finite number.*-1\.0"):
        kerasgan.GAN(plain.generator, plain.discriminator, augment="translation",
                     augment_fill=float("nan"), output_range=(-1, 1))


# --- presets -------------------------------------------------------------------------------------


def _presets():
    import kerasgan.zoo.conditional_presets  # noqa: F401  (registers cdcgan and sngan)

    return kerasgan.zoo


def test_cdcgan_preset_trains_on_labelled_data_and_generates_by_class(monkeypatch, tmp_path):
    zoo = _presets()
    spec = zoo.spec("cdcgan")
    assert spec.config["num_classes"] == 10 and spec.config["conditioning"] == "projection"
    # The harness's cdcgan (tests/test_presets.py: base_filters 4, batches of 4).
    gan = zoo.get("cdcgan", base_filters=4, batch_size=4, seed=0, **TF_EAGER)
    assert (gan.num_classes, gan.conditioning, gan.loss_family) == (10, "projection",
                                                                    "non_saturating")
    assert gan.generator.get_layer("label_embedding") is not None  # label on the noise
    assert any(isinstance(layer, conditional.ConditionalBatchNormalization) for layer in gan.generator.layers)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (8, 28, 28, 1), dtype=np.uint8)
    # A conditional preset turns labels on in kerasgan.data.
    ds = kd.from_arrays(x, labels=np.arange(8) % 10, preset="cdcgan", batch_size=4)
    assert ds.element_spec[1].shape == (4,) and ds.num_classes == 10
    gan.fit(ds, epochs=1, verbose=0)
    assert int(gan.optimizer.iterations) == 2
    assert gan.generate(3, labels=7, seed=0).shape == (3, 28, 28, 1)


@pytest.mark.parametrize("image_shape", [
    (28, 28, 1),
    pytest.param((32, 32, 3), marks=jax_slow("test_sngan_networks[image_shape1]: the 32x32x3 "
                                             "networks; [image_shape0]: sngan trains")),
])
def test_sngan_preset_sizes(image_shape):
    zoo = _presets()
    gan = zoo.get("sngan", image_shape=image_shape, base_filters=4, seed=0, **TF_EAGER)
    assert gan.loss_family == "hinge" and gan.conditioning is None
    assert any(isinstance(layer, SpectralNorm) for layer in gan.discriminator.layers)
    x = np.random.default_rng(0).uniform(-1, 1, (8,) + image_shape).astype(np.float32)
    gan.fit(x, batch_size=8, epochs=1, verbose=0)
    assert gan.generate(2, seed=0).shape == (2,) + image_shape


def test_export_serves_noise_and_labels(tmp_path):
    import tensorflow as tf

    from kerasgan import export

    gan = _gan()
    for layer in gan.generator.layers:
        if isinstance(layer, conditional.ConditionalBatchNormalization):
            layer.gamma.assign(np.random.default_rng(0).normal(size=layer.gamma.shape))
    path = export.export_generator(gan, str(tmp_path / "generator"))
    served = tf.saved_model.load(path)
    noise = gan.sample_noise(3, seed=2)
    labels = np.array([0, 2, 1], np.int32)
    images = served.signatures["serving_default"](noise=tf.constant(noise),
                                                  labels=tf.constant(labels))["images"].numpy()
    want = (np_(gan.generator([noise, labels], training=False)) + 1.0) / 2.0
    np.testing.assert_allclose(images, np.clip(want, 0, 1), atol=1e-5)
    out = served.signatures["generate"](labels=tf.constant([1, 1], tf.int32),
                                        seed=tf.constant(4, tf.int64))
    assert out["images"].shape == (2,) + SHAPE
    np.testing.assert_array_equal(out["labels"].numpy(), [1, 1])
    message = (r"Expected class labels in \[0, 3\) \(num_classes=3\) in the labels of the "
               r"generate signature\. Received: .* Pass class ids 0 to 2")
    for bad in (3, -1):
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            served.signatures["generate"](labels=tf.constant([bad], tf.int32),
                                          seed=tf.constant(4, tf.int64))
