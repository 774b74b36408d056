"""Kernel gradients summed over batch parts (kerasgan's JAX step on the CPU) equal JAX's own."""

import keras
import numpy as np
import pytest

if keras.backend.backend() != "jax":
    pytest.skip("JAX-backend step; run with KERAS_BACKEND=jax", allow_module_level=True)

jax = pytest.importorskip("jax")

import kerasgan  # noqa: E402
from keras.src.backend.jax import nn as keras_jax_nn  # noqa: E402
from kerasgan.trainers import jax_conv_split, jax_conv_transpose  # noqa: E402

ORIGINAL = keras_jax_nn.conv


@pytest.fixture
def avx512(monkeypatch):
    """As on the machine type the rule was measured on (the test machine may lack AVX-512)."""
    monkeypatch.setattr(jax_conv_split.utils, "cpu_has_avx512", lambda: True)


@pytest.fixture
def split_everything(avx512, monkeypatch):
    """Thresholds that split the tiny convolutions of these tests into as many parts as allowed."""
    monkeypatch.setattr(jax_conv_split, "MIN_FLOPS", 0)
    monkeypatch.setattr(jax_conv_split, "PART_BYTES", 1)
    monkeypatch.setattr(jax_conv_split, "MIN_PART_BATCH", 1)


def _assert_close(actual, expected):
    # Same products, summed in another order: float32 rounding only.
    expected = np.asarray(expected)
    scale = float(np.max(np.abs(expected))) or 1.0
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-4, atol=2e-6 * scale)


def test_parts_for_the_presets_convolutions(avx512):
    parts, flops = jax_conv_split.parts, jax_conv_split.conv_flops
    # dcgan (batch 128): D down_1 14 -> 7 px, 64 -> 128 channels: 9.6 MB of operands -> 4 parts.
    assert parts((128, 14, 14, 64), (128, 7, 7, 128), flops((128, 7, 7, 128), (4, 4, 64, 128)),
                 4) == 4
    # D down_0 (one input channel): 51 MFLOP, under MIN_FLOPS -> one piece.
    assert flops((128, 14, 14, 64), (4, 4, 1, 64)) < jax_conv_split.MIN_FLOPS
    assert parts((128, 28, 28, 1), (128, 14, 14, 64), flops((128, 14, 14, 64), (4, 4, 1, 64)),
                 4) == 1
    # dcgan_celeba: D down_1 (50 MB) -> capped at 8; D down_3 (12.6 MB) -> 4.
    assert parts((128, 32, 32, 64), (128, 16, 16, 128),
                 flops((128, 16, 16, 128), (4, 4, 64, 128)), 4) == 8
    assert parts((128, 8, 8, 256), (128, 4, 4, 512), flops((128, 4, 4, 512), (4, 4, 256, 512)),
                 4) == 4
    big = 1e12
    assert parts((100, 32, 32, 64), (100, 16, 16, 128), big, 4) == 4  # 100 = 4 x 25, not 8 x 12.5
    assert parts((16, 64, 64, 64), (16, 32, 32, 64), big, 4) == 2  # at least 8 examples per part
    assert parts((128, 32, 32, 64), (64, 16, 16, 128), big, 4) == 1  # batches differ
    assert parts((128, 4, 4, 8), (128, 2, 2, 8), big, 4) == 1  # 32 KB: already small


def test_parts_is_one_off_the_cpu_and_without_avx512(avx512, monkeypatch):
    args = ((128, 32, 32, 64), (128, 16, 16, 128), 1e12, 4)
    assert jax_conv_split.parts(*args) == 8
    monkeypatch.setattr(jax_conv_split.utils, "cpu_has_avx512", lambda: False)
    assert jax_conv_split.parts(*args) == 1  # not measured there: XLA's one-piece gradient
    monkeypatch.setattr(jax_conv_split.utils, "cpu_has_avx512", lambda: True)
    monkeypatch.setattr(jax_conv_split.jax, "default_backend", lambda: "gpu")
    assert jax_conv_split.parts(*args) == 1


def test_kernel_grad_sums_parts_to_the_one_piece_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 9, 9, 3)).astype("float32")
    k = (0.3 * rng.standard_normal((4, 4, 3, 5))).astype("float32")

    def fn(x, k):
        return keras.ops.conv(x, k, strides=2, padding="same")

    g = rng.standard_normal(tuple(fn(x, k).shape)).astype("float32")
    expected = jax.vjp(lambda k: fn(x, k), k)[1](g)[0]
    for n in (1, 2, 4, 8):
        _assert_close(jax.jit(lambda x, k, g, n=n: jax_conv_split.kernel_grad(fn, x, k, g, n))(
            x, k, g), expected)


def _conv_grads(x, k, w, enable, **conv_args):
    """(dL/dx, dL/dk) of L = sum(w * conv(x, k)), split or not."""

    def loss(x, k):
        return (keras.ops.conv(x, k, **conv_args) * w).sum()

    with jax_conv_split.split_kernel_grads(enable):
        return jax.jit(jax.grad(loss, argnums=(0, 1)))(x, k)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("strides,padding", [(2, "same"), (1, "valid"), ((2, 1), "same")])
def test_conv_gradients_match_jax_default(split_everything, data_format, strides, padding):
    rng = np.random.default_rng(1)
    shape = (8, 9, 10, 3) if data_format == "channels_last" else (8, 3, 9, 10)
    x = rng.standard_normal(shape).astype("float32")
    k = (0.3 * rng.standard_normal((4, 3, 3, 6))).astype("float32")
    conv_args = dict(strides=strides, padding=padding, data_format=data_format)
    w = rng.standard_normal(tuple(keras.ops.conv(x, k, **conv_args).shape)).astype("float32")
    split = _conv_grads(x, k, w, True, **conv_args)
    default = _conv_grads(x, k, w, False, **conv_args)
    for actual, expected in zip(split, default):
        _assert_close(actual, expected)
    # The split really ran: the jitted gradient sums 8 kernel gradients.
    with jax_conv_split.split_kernel_grads(True):
        text = jax.jit(jax.grad(lambda k: (keras.ops.conv(x, k, **conv_args) * w).sum())).lower(
            k).as_text()
    assert text.count("stablehlo.convolution") >= 8


def test_second_order_gradients_match(split_everything):
    # Gradient penalties differentiate an input gradient again (reverse over reverse).
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 8, 8, 2)).astype("float32")
    k = (0.3 * rng.standard_normal((3, 3, 2, 4))).astype("float32")

    def penalty(k, x):
        dx = jax.grad(lambda x: (keras.ops.conv(x, k, strides=2, padding="same") ** 2).sum())(x)
        return (dx**2).sum()

    with jax_conv_split.split_kernel_grads(True):
        split = jax.jit(jax.grad(penalty))(k, x)
    _assert_close(split, jax.jit(jax.grad(penalty))(k, x))


def test_conv_transpose_kernel_gradient_split_matches(split_everything):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 5, 6, 4)).astype("float32")
    k = (0.3 * rng.standard_normal((4, 4, 3, 4))).astype("float32")
    conv_args = dict(strides=2, padding="same")
    w = rng.standard_normal(tuple(keras.ops.conv_transpose(x, k, **conv_args).shape)).astype(
        "float32")

    def grads(fast):
        def loss(x, k):
            return (keras.ops.conv_transpose(x, k, **conv_args) * w).sum()

        with jax_conv_transpose.fast_conv_transpose_grad(fast):
            return jax.jit(jax.grad(loss, argnums=(0, 1)))(x, k)

    for actual, expected in zip(grads(True), grads(False)):  # JAX's default as reference
        _assert_close(actual, expected)


def test_unsupported_calls_keep_keras_conv(split_everything):
    x = np.ones((4, 6, 3), "float32")  # 1-D convolution
    k = np.ones((3, 3, 2), "float32")
    with jax_conv_split.split_kernel_grads(True):
        assert keras_jax_nn.conv is not ORIGINAL
        np.testing.assert_allclose(keras.ops.conv(x, k), ORIGINAL(x, k))
        x4, k4 = np.ones((4, 6, 6, 4), "float32"), np.ones((3, 3, 2, 4), "float32")
        np.testing.assert_allclose(keras.ops.conv(x4, k4), ORIGINAL(x4, k4))  # grouped
    assert keras_jax_nn.conv is ORIGINAL


def test_scope_restores_on_error():
    with pytest.raises(RuntimeError):
        with jax_conv_split.split_kernel_grads(True):
            raise RuntimeError("boom")
    assert keras_jax_nn.conv is ORIGINAL


_SEEN = []


class _RecordConv(keras.layers.Layer):
    """Identity layer that records which `conv` Keras would call right now."""

    def call(self, x):
        _SEEN.append(keras_jax_nn.conv)
        return x


def _train_gan(enable, monkeypatch, steps=3):
    monkeypatch.setattr(jax_conv_split, "enabled", enable)
    keras.utils.set_random_seed(0)
    generator = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(4 * 4 * 8),
        keras.layers.Reshape((4, 4, 8)),
        keras.layers.Conv2DTranspose(4, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ])
    discriminator = keras.Sequential([
        keras.Input((16, 16, 1)),
        keras.layers.Conv2D(4, 4, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        _RecordConv(),
        keras.layers.Conv2D(8, 4, strides=2, padding="same"),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    gan = kerasgan.GAN(generator, discriminator, output_range=(-1, 1), seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    images = np.random.default_rng(0).uniform(-1, 1, (steps * 8, 16, 16, 1)).astype("float32")
    losses = []
    logs = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: losses.append(
        (float(logs["d_loss"]), float(logs["g_loss"]))))
    _SEEN.clear()  # building the GAN called the discriminator outside the training step
    gan.fit(images, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[logs])
    return np.array(losses), [np.asarray(v) for v in gan.generator.weights], list(_SEEN)


def test_gan_trains_identically_split_or_not(split_everything, monkeypatch):
    on, g_on, seen_on = _train_gan(True, monkeypatch)
    off, g_off, seen_off = _train_gan(False, monkeypatch)
    # The split conv was installed while the step was traced, and only then.
    assert seen_on and all(f is not ORIGINAL for f in seen_on)
    assert seen_off and all(f is ORIGINAL for f in seen_off)
    assert keras_jax_nn.conv is ORIGINAL
    assert on.shape == (3, 2)
    np.testing.assert_allclose(on, off, atol=1e-4, rtol=0)
    for a, b in zip(g_on, g_off):
        np.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-4)
