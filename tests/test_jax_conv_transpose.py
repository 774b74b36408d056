"""The fast transposed-convolution gradient of the JAX trainer equals JAX's own and stays scoped."""

import keras
import numpy as np
import pytest

if keras.backend.backend() != "jax":
    pytest.skip("JAX-backend workaround; run with KERAS_BACKEND=jax", allow_module_level=True)

jax = pytest.importorskip("jax")

import kerasgan  # noqa: E402
from keras.src.backend.jax import nn as keras_jax_nn  # noqa: E402
from kerasgan.trainers import jax_conv_transpose  # noqa: E402

ORIGINAL = keras_jax_nn.conv_transpose


def _grads(x, k, w, enable, **conv_args):
    """(dL/dx, dL/dk) of L = sum(w * conv_transpose(x, k)), with the fast gradient or not."""

    def loss(x, k):
        return (keras.ops.conv_transpose(x, k, **conv_args) * w).sum()

    with jax_conv_transpose.fast_conv_transpose_grad(enable):
        return jax.jit(jax.grad(loss, argnums=(0, 1)))(x, k)


def _assert_close(actual, expected):
    # Same products, different summation order: float32 rounding only.
    expected = np.asarray(expected)
    scale = float(np.max(np.abs(expected))) or 1.0
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-4, atol=2e-6 * scale)


def _random_case(batch, size, c_in, c_out, kernel_size, strides, padding, output_padding,
                 data_format="channels_last", seed=0):
    rng = np.random.default_rng(seed)
    shape = (batch, size, size + 1, c_in) if data_format == "channels_last" else (
        batch, c_in, size, size + 1)
    x = rng.standard_normal(shape).astype("float32")
    k = (0.3 * rng.standard_normal((kernel_size, kernel_size, c_out, c_in))).astype("float32")
    conv_args = dict(strides=strides, padding=padding, output_padding=output_padding,
                     data_format=data_format)
    y = keras.ops.conv_transpose(x, k, **conv_args)
    w = rng.standard_normal(tuple(y.shape)).astype("float32")
    return x, k, w, conv_args


@pytest.mark.parametrize(
    "strides,output_padding",
    # Keras requires output_padding < strides.
    [(1, None), (1, 0), (2, None), (2, 0), (2, 1), ((2, 1), None), ((2, 1), 0)],
)
@pytest.mark.parametrize("padding", ["same", "valid"])
# Odd and even input sizes (the width is size + 1) and kernel sizes.
@pytest.mark.parametrize("size,kernel_size", [(5, 4), (6, 3)])
def test_gradients_match_jax_default(strides, padding, size, kernel_size, output_padding):
    x, k, w, conv_args = _random_case(3, size, 5, 4, kernel_size, strides, padding, output_padding)
    fast = _grads(x, k, w, True, **conv_args)
    default = _grads(x, k, w, False, **conv_args)
    for actual, expected in zip(fast, default):
        _assert_close(actual, expected)


def test_gradients_match_channels_first():
    x, k, w, conv_args = _random_case(2, 5, 3, 6, 4, 2, "same", None, "channels_first")
    for actual, expected in zip(_grads(x, k, w, True, **conv_args), _grads(x, k, w, False, **conv_args)):
        _assert_close(actual, expected)


def test_dcgan_layer_gradients_match():
    # The layer DESIGN.md measured: 128->64 channels, 7->14 px, k5 s2 same (smaller batch).
    x, k, w, conv_args = _random_case(4, 7, 128, 64, 5, 2, "same", None)
    x = x[:, :, :7]
    w = w[:, :, :14]
    for actual, expected in zip(_grads(x, k, w, True, **conv_args), _grads(x, k, w, False, **conv_args)):
        _assert_close(actual, expected)


def test_fast_path_is_taken_inside_the_scope_only():
    x, k, _, conv_args = _random_case(2, 5, 3, 2, 3, 2, "same", None)
    # A fresh function per trace: JAX caches traces by function identity.
    f = lambda x, k: keras.ops.conv_transpose(x, k, **conv_args)  # noqa: E731
    with jax_conv_transpose.fast_conv_transpose_grad(True):
        assert keras_jax_nn.conv_transpose is not ORIGINAL
        assert "custom_vjp" in str(jax.make_jaxpr(f)(x, k))
        # Same forward values as Keras' own function.
        np.testing.assert_array_equal(np.asarray(f(x, k)), np.asarray(ORIGINAL(x, k, **conv_args)))
    assert keras_jax_nn.conv_transpose is ORIGINAL
    g = lambda x, k: keras.ops.conv_transpose(x, k, **conv_args)  # noqa: E731
    assert "custom_vjp" not in str(jax.make_jaxpr(g)(x, k))


def test_dilation_falls_back_to_keras():
    x, k, w, _ = _random_case(2, 6, 3, 2, 3, 1, "same", None)
    conv_args = dict(strides=1, padding="same", dilation_rate=2)
    f = lambda x, k: keras.ops.conv_transpose(x, k, **conv_args)  # noqa: E731
    with jax_conv_transpose.fast_conv_transpose_grad(True):
        assert "custom_vjp" not in str(jax.make_jaxpr(f)(x, k))
        fast = jax.grad(lambda k: (f(x, k) * w[..., :2]).sum())(k)
    default = jax.grad(lambda k: (f(x, k) * w[..., :2]).sum())(k)
    _assert_close(fast, default)


def test_scope_restores_on_error_and_nests():
    with pytest.raises(RuntimeError):
        with jax_conv_transpose.fast_conv_transpose_grad(True):
            raise RuntimeError("boom")
    assert keras_jax_nn.conv_transpose is ORIGINAL
    with jax_conv_transpose.fast_conv_transpose_grad(True):
        patched = keras_jax_nn.conv_transpose
        with jax_conv_transpose.fast_conv_transpose_grad(True):
            assert keras_jax_nn.conv_transpose is patched  # not wrapped twice
        with jax_conv_transpose.fast_conv_transpose_grad(False):
            assert keras_jax_nn.conv_transpose is ORIGINAL
        assert keras_jax_nn.conv_transpose is patched
    assert keras_jax_nn.conv_transpose is ORIGINAL


def test_second_order_gradients_match():
    # Gradient penalties differentiate an input gradient again (reverse over reverse).
    x, k, w, conv_args = _random_case(2, 5, 3, 4, 4, 2, "same", None)

    def penalty(k, x):
        dx = jax.grad(lambda x: (keras.ops.conv_transpose(x, k, **conv_args) * w).sum() ** 2)(x)
        return (dx**2).sum()

    with jax_conv_transpose.fast_conv_transpose_grad(True):
        fast = jax.jit(jax.grad(penalty))(k, x)
    default = jax.jit(jax.grad(penalty))(k, x)
    _assert_close(fast, default)


def test_layer_kernel_gradient_matches():
    layer = keras.layers.Conv2DTranspose(6, 4, strides=2, padding="same")
    x = np.random.default_rng(1).standard_normal((3, 5, 7, 4)).astype("float32")
    layer.build(x.shape)

    def grads(enable):
        def loss(tv):
            y, _ = layer.stateless_call(tv, [], x)
            return (y**2).sum()

        with jax_conv_transpose.fast_conv_transpose_grad(enable):
            return jax.jit(jax.grad(loss))([v.value for v in layer.trainable_variables])

    for actual, expected in zip(grads(True), grads(False)):
        _assert_close(actual, expected)


_SEEN = []


class _RecordConvTranspose(keras.layers.Layer):
    """Identity layer that records which `conv_transpose` Keras would call right now."""

    def call(self, x):
        _SEEN.append(keras_jax_nn.conv_transpose)
        return x


def _train_gan(enable, monkeypatch, steps=3):
    monkeypatch.setattr(jax_conv_transpose, "enabled", enable)
    keras.utils.set_random_seed(0)
    _SEEN.clear()
    generator = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(4 * 4 * 8),
        keras.layers.Reshape((4, 4, 8)),
        keras.layers.Conv2DTranspose(8, 3, strides=1, padding="same", activation="relu"),
        _RecordConvTranspose(),
        keras.layers.Conv2DTranspose(4, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh"),
    ])
    discriminator = keras.Sequential([
        keras.Input((16, 16, 1)),
        keras.layers.Conv2D(4, 4, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    gan = kerasgan.GAN(generator, discriminator, output_range=(-1, 1), seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    images = np.random.default_rng(0).uniform(-1, 1, (steps * 8, 16, 16, 1)).astype("float32")
    logs = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(
            (float(logs["d_loss"]), float(logs["g_loss"]))
        )
    )
    losses = []
    _SEEN.clear()  # building the GAN called the generator outside the training step
    gan.fit(images, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[logs])
    return np.array(losses), list(_SEEN)


def test_gan_trains_identically_with_switch_on_and_off(monkeypatch):
    on, seen_on = _train_gan(True, monkeypatch)
    off, seen_off = _train_gan(False, monkeypatch)
    # The workaround was active while the step was traced, and only then.
    assert seen_on and all(f is not ORIGINAL for f in seen_on)
    assert seen_off and all(f is ORIGINAL for f in seen_off)
    assert keras_jax_nn.conv_transpose is ORIGINAL
    # Running means of (d_loss, g_loss) after each of the 3 steps.
    assert on.shape == (3, 2)
    np.testing.assert_allclose(on, off, atol=1e-4, rtol=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("strides", [1, 2])
def test_projection_of_a_1x1_input_is_one_matmul_with_the_same_values(data_format, strides):
    # The DCGAN generator's first layer: noise as a 1x1 image, "valid", kernel = start size.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 1, 1, 6) if data_format == "channels_last" else (3, 6, 1, 1))
    x = x.astype("float32")
    k = rng.standard_normal((7, 7, 5, 6)).astype("float32")
    conv_args = dict(strides=strides, padding="valid", data_format=data_format)
    f = lambda x, k: keras.ops.conv_transpose(x, k, **conv_args)  # noqa: E731
    with jax_conv_transpose.fast_conv_transpose_grad(True):
        jaxpr = str(jax.make_jaxpr(f)(x, k))
        fast = np.asarray(jax.jit(f)(x, k))
    assert "conv_general_dilated" not in jaxpr and "dot_general" in jaxpr
    expected = np.asarray(ORIGINAL(x, k, **conv_args))
    assert fast.shape == expected.shape
    _assert_close(fast, expected)
    w = rng.standard_normal(expected.shape).astype("float32")
    for actual, wanted in zip(_grads(x, k, w, True, **conv_args), _grads(x, k, w, False, **conv_args)):
        _assert_close(actual, wanted)
    # "same" padding or a larger input keeps the convolution.
    with jax_conv_transpose.fast_conv_transpose_grad(True):
        same = lambda x, k: keras.ops.conv_transpose(x, k, strides=strides, padding="same",  # noqa: E731
                                                     data_format=data_format)
        assert "conv_general_dilated" in str(jax.make_jaxpr(same)(x, k))
