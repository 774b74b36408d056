"""Conditional and spectrally normalised networks: the ACGAN loss, conditional BatchNorm,
spectral norm, conditional generators and discriminators, saving them."""

import keras
import numpy as np
import pytest
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
