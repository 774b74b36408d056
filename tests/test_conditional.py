"""Conditional GANs: the ACGAN loss, conditional BatchNorm, spectral norm, conditional networks."""

import keras
import numpy as np
import pytest
from conftest import TF_GRAPH, jax_slow
from keras import ops

from kerasgan import losses
from kerasgan.networks import conditional, sngan
from kerasgan.networks.spectral_norm import SpectralNorm


def np_(x):
    return ops.convert_to_numpy(x)


# --- losses -----------------------------------------------------------------------------------


def test_sparse_softmax_cross_entropy_hand_values():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], np.float32)
    labels = np.array([0, 2])
    # -log softmax: row 0 picks class 0: log(e^2 + 1 + e^-1) - 2; row 1: log 3.
    want = (np.log(np.exp(2) + 1 + np.exp(-1)) - 2 + np.log(3)) / 2
    got = float(losses.sparse_softmax_cross_entropy(labels, logits))
    assert got == pytest.approx(want, rel=1e-6)
    # Stable for huge logits.
    big = float(losses.sparse_softmax_cross_entropy([1], np.array([[1000.0, 0.0]], np.float32)))
    assert big == pytest.approx(1000.0, rel=1e-6)


def test_auxiliary_classifier_losses_hand_values():
    real = np.array([[1.0, 0.0], [0.0, 3.0]], np.float32)
    fake = np.array([[0.5, 0.5], [4.0, 0.0]], np.float32)
    y_real, y_fake = np.array([0, 0]), np.array([1, 0])
    ce = lambda z, y: np.mean([np.log(np.exp(r).sum()) - r[k] for r, k in zip(z, y)])
    real_term, fake_term = ce(real, y_real), ce(fake, y_fake)
    assert real_term == pytest.approx(((np.log(1 + np.e) - 1) + (np.log(1 + np.exp(3)))) / 2)
    d = losses.auxiliary_classifier_discriminator_loss(real, y_real, fake, y_fake, weight=0.5)
    assert float(d) == pytest.approx(0.5 * (real_term + fake_term), rel=1e-6)
    d_real = losses.auxiliary_classifier_discriminator_loss(real_logits=real, real_labels=y_real)
    assert float(d_real) == pytest.approx(real_term, rel=1e-6)
    g = losses.auxiliary_classifier_generator_loss(fake, y_fake, weight=2.0)
    assert float(g) == pytest.approx(2.0 * fake_term, rel=1e-6)
    with pytest.raises(ValueError, match="Expected real_output, fake_output or both"):
        losses.auxiliary_classifier_discriminator_loss()


def test_hinge_pair_hand_values():
    d_loss, g_loss = losses.get("hinge")
    real, fake = np.array([[2.0], [0.5]]), np.array([[-3.0], [0.25]])
    assert float(d_loss(real, fake)) == pytest.approx((0 + 0.5) / 2 + (0 + 1.25) / 2)
    assert float(g_loss(fake)) == pytest.approx(-(-3.0 + 0.25) / 2)


# --- conditional BatchNorm ----------------------------------------------------------------------


def test_conditional_batchnorm_matches_hand_computation():
    rng = np.random.default_rng(0)
    layer = conditional.ConditionalBatchNormalization(3, epsilon=1e-3)
    x = rng.normal(2.0, 3.0, (6, 4, 4, 5)).astype(np.float32)
    y = np.array([0, 1, 2, 2, 1, 0], np.int32)
    layer.build([x.shape, y.shape])
    gamma, beta = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    out = np_(layer([x, y], training=True))
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    want = (x - mean) / np.sqrt(var + 1e-3) * gamma[y][:, None, None] + beta[y][:, None, None]
    np.testing.assert_allclose(out, want, atol=1e-4)
    # Inference uses the moving statistics (updated once from zeros/ones with momentum 0.9).
    out = np_(layer([x, y], training=False))
    m, v = 0.1 * mean, 0.9 + 0.1 * var
    want = (x - m) / np.sqrt(v + 1e-3) * gamma[y][:, None, None] + beta[y][:, None, None]
    np.testing.assert_allclose(out, want, atol=1e-3)
    clone = conditional.ConditionalBatchNormalization.from_config(layer.get_config())
    assert clone.num_classes == 3 and clone.epsilon == 1e-3


# --- spectral norm -------------------------------------------------------------------------------


def _top_singular_value(kernel):
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


@pytest.mark.parametrize("make", [
    lambda: keras.layers.Dense(6),
    lambda: keras.layers.Conv2D(4, 3, padding="same"),
    lambda: keras.layers.Embedding(5, 7),
])
def test_spectral_norm_top_singular_value_is_one(make):
    layer = SpectralNorm(make(), power_iterations=1)
    x = (np.arange(5) if isinstance(layer.layer, keras.layers.Embedding)
         else np.random.default_rng(0).normal(size=(2, 5, 5, 3)
                                              if isinstance(layer.layer, keras.layers.Conv2D)
                                              else (2, 9)).astype(np.float32))
    layer(x)
    raw = layer.layer.embeddings if isinstance(layer.layer, keras.layers.Embedding) else layer.layer.kernel
    # A kernel with singular values 10, 3, 1, ...: the power iteration converges quickly.
    rng = np.random.default_rng(1)
    shape = tuple(raw.shape)
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    k = min(rows, cols)
    left, _ = np.linalg.qr(rng.normal(size=(rows, k)))
    right, _ = np.linalg.qr(rng.normal(size=(cols, k)))
    values = np.array([10.0, 3.0] + [1.0] * (k - 2))
    raw.assign(((left * values) @ right.T).reshape(shape).astype(np.float32))
    before = np_(raw).copy()
    assert _top_singular_value(before) == pytest.approx(10.0, rel=1e-5)
    for _ in range(30):
        layer(x, training=True)
    normalized = np_(layer.normalized_kernel()[0])
    assert _top_singular_value(normalized) == pytest.approx(1.0, abs=1e-3)
    np.testing.assert_array_equal(np_(raw), before)  # the trainable kernel itself is untouched
    if not isinstance(layer.layer, keras.layers.Embedding):
        # The forward pass computes with the normalised kernel.
        plain = make()
        plain(x)
        plain.set_weights([normalized] + [np_(w) for w in layer.layer.weights[1:]])
        np.testing.assert_allclose(np_(layer(x)), np_(plain(x)), atol=1e-5)


def test_spectral_norm_updates_u_in_a_stateless_step():
    layer = SpectralNorm(keras.layers.Dense(3))
    x = np.ones((2, 4), np.float32)
    layer(x)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    _, new_non_trainable = layer.stateless_call(trainable, non_trainable, x, training=True)
    assert len(new_non_trainable) == 1
    assert not np.allclose(np_(new_non_trainable[0]), np_(non_trainable[0]))
    _, same = layer.stateless_call(trainable, non_trainable, x, training=False)
    np.testing.assert_array_equal(np_(same[0]), np_(non_trainable[0]))


def test_spectral_norm_gradient_flows_through_sigma():
    layer = SpectralNorm(keras.layers.Dense(1, use_bias=False), power_iterations=5)
    x = np.array([[1.0, 0.0]], np.float32)
    layer(x)
    layer.layer.kernel.assign(np.array([[3.0], [4.0]], np.float32))
    for _ in range(3):
        layer(x, training=True)
    # f(w) = w0 / |w|: df/dw = (1/|w| - w0^2/|w|^3, -w0 w1/|w|^3) = (0.128, -0.096).
    want = np.array([[0.128], [-0.096]])
    if keras.backend.backend() == "jax":
        import jax

        kernel = layer.layer.kernel
        u = layer.vector_u.value

        def f(w):
            out, _ = layer.stateless_call([w], [u], x, training=False)
            return out[0, 0]

        grad = np.asarray(jax.grad(f)(kernel.value))
    else:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            out = layer(x)[0, 0]
        grad = tape.gradient(out, layer.layer.kernel).numpy()
    np.testing.assert_allclose(grad, want, atol=1e-4)


def test_spectral_norm_rejects_transposed_convolutions():
    with pytest.raises(ValueError, match="Transposed convolutions are not supported"):
        SpectralNorm(keras.layers.Conv2DTranspose(3, 3))


# --- conditional networks ------------------------------------------------------------------------


@pytest.mark.parametrize("image_shape", [(28, 28, 1), (32, 32, 3)])
@pytest.mark.parametrize("mode", ["concat+batchnorm", "batchnorm", "concat"])
def test_conditional_generator_shapes_and_labels_matter(image_shape, mode):
    g = conditional.conditional_dcgan_generator(10, 16, image_shape, base_filters=8,
                                                conditioning=mode)
    z = np.random.default_rng(0).normal(size=(4, 16)).astype(np.float32)
    a = np_(g([z, np.array([0, 1, 2, 3])], training=True))
    b = np_(g([z, np.array([5, 6, 7, 8])], training=True))
    assert a.shape == (4,) + image_shape
    if mode != "batchnorm":
        assert np.abs(a - b).max() > 1e-4
    else:
        # Distinct per-class gamma/beta make the labels matter (they start equal: ones/zeros).
        for layer in g.layers:
            if isinstance(layer, conditional.ConditionalBatchNormalization):
                layer.gamma.assign(np.random.default_rng(1).normal(size=layer.gamma.shape))
        a = np_(g([z, np.array([0, 1, 2, 3])], training=True))
        b = np_(g([z, np.array([5, 6, 7, 8])], training=True))
        assert np.abs(a - b).max() > 1e-4


@pytest.mark.parametrize("mode", ["concat+batchnorm", "batchnorm"])
def test_label_moves_the_untrained_generator_as_much_as_the_noise(mode):
    # With conditional BatchNorm alone the per-class tables start equal, so at initialisation
    # the label changes nothing (cdcgan's samples ignored the label after 1,500 steps); the
    # default embedding on the noise's scale moves the output about as much as new noise does.
    keras.utils.set_random_seed(0)
    g = conditional.conditional_dcgan_generator(10, 16, (28, 28, 1), base_filters=8,
                                                conditioning=mode)
    rng = np.random.default_rng(0)
    z, z2 = (rng.normal(size=(64, 16)).astype(np.float32) for _ in range(2))
    y = np.arange(64) % 10
    out = np_(g([z, y], training=True))
    by_label = np.abs(out - np_(g([z, (y + 5) % 10], training=True))).mean()
    by_noise = np.abs(out - np_(g([z2, y], training=True))).mean()
    if mode == "batchnorm":
        assert by_label == 0.0
    else:
        assert by_label > 0.3 * by_noise > 0


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_projection_discriminator_is_psi_plus_inner_product(spectral_norm):
    d = conditional.projection_discriminator(4, (28, 28, 1), base_filters=8,
                                             spectral_norm=spectral_norm)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (5, 28, 28, 1)).astype(np.float32)
    y = np.array([0, 1, 2, 3, 1], np.int32)
    emb_layer = d.get_layer("sn_class_embedding" if spectral_norm else "class_embedding")
    psi_layer = d.get_layer("sn_psi" if spectral_norm else "psi")
    # Random embeddings so the projection term is not ~0.
    inner = emb_layer.layer if spectral_norm else emb_layer
    inner.embeddings.assign(rng.normal(size=inner.embeddings.shape))
    out = np_(d([x, y], training=False))
    phi = np_(keras.Model(d.inputs, d.get_layer("features").output)([x, y], training=False))
    if spectral_norm:
        w_psi = np_(psi_layer.normalized_kernel()[0])
        bias = np_(psi_layer.layer.bias)
        embed = np_(emb_layer.normalized_kernel()[0])
    else:
        w_psi, bias = np_(psi_layer.kernel), np_(psi_layer.bias)
        embed = np_(emb_layer.embeddings)
    want = phi @ w_psi + bias + np.sum(embed[y] * phi, axis=1, keepdims=True)
    assert out.shape == (5, 1)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)
    assert np.abs(np.sum(embed[y] * phi, axis=1)).max() > 1e-3  # the projection term counts


def test_discriminator_pooling_sum_mean_flatten():
    """phi(x) is the sum over positions, that sum / (H*W), or every position in order."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (3, 28, 28, 1)).astype(np.float32)
    y = np.array([0, 1, 2], np.int32)
    phis = {}
    for pooling in ("sum", "mean", "flatten"):
        keras.utils.set_random_seed(0)  # same body weights in every arm
        d = conditional.projection_discriminator(3, (28, 28, 1), base_filters=8, pooling=pooling)
        maps = np_(keras.Model(d.inputs, d.get_layer("lrelu_2").output)([x, y], training=False))
        phis[pooling] = np_(keras.Model(d.inputs, d.get_layer("features").output)([x, y],
                                                                                   training=False))
        assert np_(d([x, y], training=False)).shape == (3, 1)
    assert maps.shape == (3, 7, 7, 16)
    np.testing.assert_allclose(phis["sum"], maps.sum(axis=(1, 2)), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(phis["mean"], maps.mean(axis=(1, 2)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(phis["flatten"], maps.reshape(3, -1), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"Expected pooling in .*Received: pooling='max'"):
        conditional.projection_discriminator(3, (28, 28, 1), base_filters=8, pooling="max")


def test_cdcgan_preset_pools_by_flattening_and_takes_a_pooling_override():
    import kerasgan

    assert kerasgan.zoo.spec("cdcgan").recipe["discriminator"]["pooling"] == "flatten"
    gan = kerasgan.zoo.get("cdcgan", seed=0, pooling="sum", base_filters=8)
    assert isinstance(gan.discriminator.get_layer("features"), conditional.GlobalSumPooling2D)
    assert gan.discriminator.get_layer("features").output.shape == (None, 16)


@pytest.mark.backend_neutral  # shapes; both train under JAX in the fit tests below
def test_concat_and_acgan_discriminators():
    x = np.zeros((3, 32, 32, 3), np.float32)
    y = np.array([0, 1, 2], np.int32)
    d = conditional.concat_discriminator(3, (32, 32, 3), base_filters=8)
    assert [tuple(i.shape) for i in d.inputs] == [(None, 32, 32, 3), (None,)]
    assert np_(d([x, y])).shape == (3, 1)
    d = conditional.acgan_discriminator(3, (32, 32, 3), base_filters=8, spectral_norm=True)
    logit, classes = d(x)
    assert np_(logit).shape == (3, 1) and np_(classes).shape == (3, 3)
    with pytest.raises(ValueError, match="conditioning in"):
        conditional.conditional_dcgan_discriminator(3, conditioning="bogus")


@pytest.mark.parametrize("image_shape", [(28, 28, 1), (32, 32, 3)])
def test_sngan_networks(image_shape):
    g = sngan.sngan_generator(16, image_shape, base_filters=8)
    d = sngan.sngan_discriminator(image_shape, base_filters=8)
    images = np_(g(np.zeros((2, 16), np.float32)))
    assert images.shape == (2,) + image_shape
    assert np_(d(images)).shape == (2, 1)
    n_sn = sum(isinstance(layer, SpectralNorm) for layer in d.layers)
    stages = 3 if image_shape[0] == 32 else 2
    assert n_sn == 2 * stages + 2  # every conv and the dense logit


def test_sngan_conditional_networks():
    z = np.zeros((2, 16), np.float32)
    g = sngan.sngan_generator(16, (28, 28, 1), base_filters=8, num_classes=5)
    d = sngan.sngan_discriminator((28, 28, 1), base_filters=8, num_classes=5,
                                  conditioning="projection")
    y = np.array([1, 4])
    assert np_(d([np_(g([z, y])), y])).shape == (2, 1)
    with pytest.raises(ValueError, match="num_classes and conditioning together"):
        sngan.sngan_discriminator((28, 28, 1), num_classes=5)


def test_conditional_networks_save_and_load(tmp_path):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2, 16)).astype(np.float32)
    y = np.array([1, 2], np.int32)
    x = rng.uniform(-1, 1, (2, 28, 28, 1)).astype(np.float32)
    nets = {
        "g": (conditional.conditional_dcgan_generator(3, 16, (28, 28, 1), base_filters=8),
              [z, y]),
        "d": (conditional.projection_discriminator(3, (28, 28, 1), base_filters=8,
                                                   spectral_norm=True), [x, y]),
        "s": (sngan.sngan_discriminator((28, 28, 1), base_filters=8, num_classes=3,
                                        conditioning="concat"), [x, y]),
    }
    for name, (net, inputs) in nets.items():
        for _ in range(2):
            net(inputs, training=True)  # moves BatchNorm statistics and the power iteration
        path = str(tmp_path / f"{name}.keras")
        net.save(path)
        loaded = keras.saving.load_model(path)
        np.testing.assert_allclose(np_(loaded(inputs)), np_(net(inputs)), atol=1e-5)


# --- the conditional GAN ---------------------------------------------------------------------------

import kerasgan  # noqa: E402
import kerasgan.data as kd  # noqa: E402

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
    gan = zoo.get("cdcgan", base_filters=4, batch_size=4, seed=0, **TF_GRAPH)
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
    gan = zoo.get("sngan", image_shape=image_shape, base_filters=4, seed=0, **TF_GRAPH)
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
