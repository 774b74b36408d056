"""The phase form of few-channel strided convolutions in the TF trainer equals TensorFlow's ops."""

import keras
import numpy as np
import pytest

if keras.backend.backend() != "tensorflow":
    pytest.skip("TensorFlow-backend path; run with KERAS_BACKEND=tensorflow",
                allow_module_level=True)

import tensorflow as tf  # noqa: E402
from keras.src.backend.tensorflow import nn as keras_tf_nn  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan.trainers import tf_narrow_convs  # noqa: E402

ORIGINAL = {"conv": keras_tf_nn.conv, "conv_transpose": keras_tf_nn.conv_transpose}


def _assert_close(actual, expected):
    # Same products, another summation order: float32 rounding only.
    expected = np.asarray(expected)
    scale = float(np.max(np.abs(expected))) or 1.0
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-4, atol=2e-6 * scale)


def _tensors(rng, *shapes):
    return [tf.constant(rng.standard_normal(s).astype("float32")) for s in shapes]


@pytest.mark.parametrize("kernel_size", [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (4, 5)])
@pytest.mark.parametrize("stride", [2, 3])
@pytest.mark.parametrize("channels", [1, 3])
def test_conv_transpose_forward_and_gradients_match(kernel_size, stride, channels):
    rng = np.random.default_rng(sum(kernel_size) + 10 * stride + channels)
    x, k = _tensors(rng, (2, 5, 4, 6), kernel_size + (channels, 6))
    w, = _tensors(rng, (2, 5 * stride, 4 * stride, channels))

    def run(enable):
        with tf_narrow_convs.narrow_conv_paths(enable), tf.GradientTape() as tape:
            tape.watch([x, k])
            y = keras.ops.conv_transpose(x, k, strides=stride, padding="same")
            loss = tf.reduce_sum(y * w)
        return [y, *tape.gradient(loss, [x, k])]

    for got, expected in zip(run(True), run(False)):
        _assert_close(got, expected)


@pytest.mark.parametrize("kernel_size,stride", [((5, 5), 2), ((4, 4), 2), ((3, 3), 2),
                                                ((4, 3), 2), ((5, 5), 3)])
@pytest.mark.parametrize("channels", [1, 3])
def test_conv_gradients_match_first_and_second_order(kernel_size, stride, channels):
    # The input gradient takes the phase form; a gradient penalty differentiates it again.
    rng = np.random.default_rng(sum(kernel_size) + stride + channels)
    x, k = _tensors(rng, (2, 6 * stride, 4 * stride, channels), kernel_size + (channels, 5))
    w, = _tensors(rng, (2, 6, 4, 5))

    def run(enable):
        with tf_narrow_convs.narrow_conv_paths(enable), tf.GradientTape() as outer:
            outer.watch(k)
            with tf.GradientTape() as inner:
                inner.watch([x, k])
                y = keras.ops.conv(x, k, strides=stride, padding="same")
                loss = tf.reduce_sum(tf.tanh(y) * w)
            dx, dk = inner.gradient(loss, [x, k])
            penalty = tf.reduce_sum(dx ** 2)
        return [y, dx, dk, outer.gradient(penalty, k)]

    for got, expected in zip(run(True), run(False)):
        _assert_close(got, expected)


def test_phase_form_is_taken_only_where_it_applies():
    rng = np.random.default_rng(0)
    x, k, wide = _tensors(rng, (1, 4, 4, 8), (5, 5, 1, 8), (5, 5, 8, 8))
    image, k_conv = _tensors(rng, (1, 7, 8, 1), (5, 5, 1, 4))

    def op_types(fn):
        graph = tf.function(fn).get_concrete_function().graph
        return {op.type for op in graph.get_operations()}

    with tf_narrow_convs.narrow_conv_paths(True):
        assert "DepthToSpace" in op_types(lambda: keras.ops.conv_transpose(x, k, 2, "same"))
        # Wider outputs, stride 1, "valid" and dilation keep TensorFlow's kernel.
        assert "DepthToSpace" not in op_types(lambda: keras.ops.conv_transpose(x, wide, 2, "same"))
        assert "DepthToSpace" not in op_types(lambda: keras.ops.conv_transpose(x, k, 1, "same"))
        assert "DepthToSpace" not in op_types(lambda: keras.ops.conv_transpose(x, k, 2, "valid"))
        assert "DepthToSpace" not in op_types(
            lambda: keras.ops.conv_transpose(x, k, 2, "same", dilation_rate=2))
        # A convolution's input height not divisible by the stride keeps TensorFlow's gradient.
        assert op_types(lambda: keras.ops.conv(image, k_conv, 2, "same")) >= {"Conv2D"}
    assert keras_tf_nn.conv is ORIGINAL["conv"]
    assert keras_tf_nn.conv_transpose is ORIGINAL["conv_transpose"]


def test_scope_restores_on_error_and_nests():
    with pytest.raises(RuntimeError):
        with tf_narrow_convs.narrow_conv_paths(True):
            assert keras_tf_nn.conv_transpose is not ORIGINAL["conv_transpose"]
            with tf_narrow_convs.narrow_conv_paths(True):  # not wrapped twice
                inner = keras_tf_nn.conv_transpose
                assert getattr(inner, tf_narrow_convs._MARK) is ORIGINAL["conv_transpose"]
            with tf_narrow_convs.narrow_conv_paths(False):  # off inside on
                assert keras_tf_nn.conv_transpose is ORIGINAL["conv_transpose"]
            raise RuntimeError("boom")
    assert keras_tf_nn.conv is ORIGINAL["conv"]
    assert keras_tf_nn.conv_transpose is ORIGINAL["conv_transpose"]


def _train(switch, monkeypatch, preset="dcgan", **overrides):
    monkeypatch.setattr(tf_narrow_convs, "enabled", switch)
    gan = kerasgan.zoo.get(preset, seed=3, batch_size=4, **overrides)
    images = np.random.default_rng(0).uniform(-1, 1, (8,) + gan.generator.output.shape[1:])
    gan.fit(images.astype("float32"), epochs=1, verbose=0)
    return [keras.ops.convert_to_numpy(v) for v in gan.generator.weights + gan.discriminator.weights]


@pytest.mark.parametrize("preset,overrides", [("dcgan", {"base_filters": 4}),
                                              ("wgan_gp", {"d_steps": 1})])
def test_gan_trains_the_same_with_switch_on_and_off(monkeypatch, preset, overrides):
    # dcgan: G's last layer (-> 1 channel) and D's first; wgan_gp: its critic's first layer
    # under the gradient penalty. Two steps, so the values agree to float rounding.
    on = _train(True, monkeypatch, preset, **overrides)
    off = _train(False, monkeypatch, preset, **overrides)
    assert len(on) == len(off) > 0
    for a, b in zip(on, off):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_xla_steps_keep_tensorflow_ops(monkeypatch):
    calls = []
    original = tf_narrow_convs.narrow_conv_paths

    def spy(enable=None):
        calls.append(enable)
        return original(enable)

    monkeypatch.setattr(tf_narrow_convs, "narrow_conv_paths", spy)
    gan = kerasgan.zoo.get("dcgan", seed=0, batch_size=4, base_filters=4, jit_compile=True)
    gan.fit(np.zeros((4, 28, 28, 1), "float32"), epochs=1, verbose=0)
    assert calls and not any(calls)
