"""kerasgan's BatchNormalization: Keras' layer, numbers and files, with TensorFlow's fused kernel
in training under TensorFlow's graph."""

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import networks

TF = keras.backend.backend() == "tensorflow"


def _pair(shape, **kwargs):
    """Keras' layer and kerasgan's, built on `shape` with the same random weights."""
    rng = np.random.default_rng(0)
    ours, theirs = networks.BatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)
    for layer in (ours, theirs):
        layer.build(shape)
    for a, b in zip(ours.weights, theirs.weights):
        value = rng.uniform(0.5, 1.5, a.shape).astype("float32")
        a.assign(value)
        b.assign(value)
    return ours, theirs


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9, "epsilon": 1e-5},
                                    {"center": False, "scale": False}])
@pytest.mark.parametrize("shape", [(6, 5, 5, 4), (1, 1, 1, 3), (6, 4)])
def test_training_and_inference_match_keras_layer(kwargs, shape):
    ours, theirs = _pair(shape, **kwargs)
    x = np.random.default_rng(1).normal(2.0, 3.0, shape).astype("float32")
    for training in (True, False, True):
        # A batch of one value per channel normalises rounding error by sqrt(epsilon) (2e-4).
        np.testing.assert_allclose(_numpy(ours(x, training=training)),
                                   _numpy(theirs(x, training=training)), rtol=1e-5, atol=2e-4)
    for a, b in zip(ours.weights, theirs.weights):  # the moving statistics after two updates
        np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=1e-5, atol=1e-6)


def _graph_and_gradients(layer, x, jit_compile):
    import tensorflow as tf

    upstream = tf.constant(np.random.default_rng(2).normal(size=x.shape).astype("float32"))

    def step(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                loss = tf.reduce_sum(layer(x, training=True) * upstream)
            input_gradient = inner.gradient(loss, x)
            penalty = tf.reduce_sum(tf.square(input_gradient))  # as R1 and gradient penalties
        return [input_gradient] + outer.gradient(penalty, layer.trainable_weights)

    function = tf.function(step, jit_compile=jit_compile)
    graph = function.get_concrete_function(tf.TensorSpec(x.shape, tf.float32)).graph
    op_types = {op.type for op in graph.get_operations()}
    return op_types, [None if t is None else t.numpy() for t in function(tf.constant(x))]


@pytest.mark.skipif(not TF, reason="the fused kernel is TensorFlow's")
@pytest.mark.parametrize("jit_compile", [False, True])
def test_tensorflow_graph_trains_with_the_fused_kernel_and_xla_with_keras_ops(jit_compile):
    x = np.random.default_rng(1).normal(2.0, 3.0, (6, 5, 5, 4)).astype("float32")
    ours, theirs = _pair(x.shape, momentum=0.9, epsilon=1e-5)
    our_ops, our_gradients = _graph_and_gradients(ours, x, jit_compile)
    keras_ops, keras_gradients = _graph_and_gradients(theirs, x, jit_compile)
    assert "FusedBatchNormV3" not in keras_ops
    assert ("FusedBatchNormV3" in our_ops) is (not jit_compile)
    # Input gradients, and second-order gradients of the weights, as Keras' layer gives them.
    assert [g is None for g in our_gradients] == [g is None for g in keras_gradients]
    for a, b in zip(our_gradients, keras_gradients):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not TF, reason="the fused kernel is TensorFlow's")
def test_mixed_bfloat16_trains_with_the_fused_kernel_like_keras_layer():
    import tensorflow as tf

    x = np.random.default_rng(1).normal(2.0, 3.0, (6, 5, 5, 4)).astype("float32")
    results = {}
    for name, cls in (("ours", networks.BatchNormalization),
                      ("keras", keras.layers.BatchNormalization)):
        layer = cls(momentum=0.9, dtype="mixed_bfloat16")
        layer.build(x.shape)
        function = tf.function(lambda x, layer=layer: layer(tf.cast(x, tf.bfloat16), training=True))
        graph = function.get_concrete_function(tf.TensorSpec(x.shape, tf.float32)).graph
        results[name] = ({op.type for op in graph.get_operations()}, function(x),
                         [_numpy(w) for w in layer.weights])
    assert "FusedBatchNormV3" in results["ours"][0]
    assert "FusedBatchNormV3" not in results["keras"][0]
    ours, theirs = results["ours"][1], results["keras"][1]
    assert ours.dtype == theirs.dtype == tf.bfloat16
    # bfloat16 keeps 8 bits of mantissa: outputs agree to its rounding, statistics to float32's.
    np.testing.assert_allclose(_numpy(tf.cast(ours, tf.float32)),
                               _numpy(tf.cast(theirs, tf.float32)), rtol=2e-2, atol=2e-2)
    for a, b in zip(results["ours"][2], results["keras"][2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(not TF, reason="the fused kernel is TensorFlow's")
@pytest.mark.parametrize("case", ["2-D", "mask", "mixed_float16", "inference", "frozen"])
def test_what_the_fused_kernel_does_not_cover_runs_keras_call(case, monkeypatch):
    import tensorflow as tf

    from kerasgan.networks import batch_norm

    monkeypatch.setattr(batch_norm, "_fused_training_call",
                        lambda *a: pytest.fail("the fused kernel ran"))
    shape = (4, 3) if case == "2-D" else (4, 3, 3, 2)
    layer = networks.BatchNormalization(
        dtype="mixed_float16" if case == "mixed_float16" else None)
    layer.build(shape)
    layer.trainable = case != "frozen"
    x = tf.ones(shape)
    mask = tf.ones(shape[:-1], tf.bool) if case == "mask" else None
    out = layer(x, training=case != "inference", mask=mask)
    assert tuple(out.shape) == shape


def test_presets_use_it_and_files_keep_it():
    gan = kerasgan.zoo.get("dcgan", seed=0)
    norms = [l for l in gan.generator.layers + gan.discriminator.layers
             if isinstance(l, keras.layers.BatchNormalization)]
    assert norms and all(isinstance(l, networks.BatchNormalization) for l in norms)
    config = keras.saving.serialize_keras_object(norms[0])
    assert config["registered_name"] == "kerasgan>BatchNormalization"
    restored = keras.saving.deserialize_keras_object(config, safe_mode=True)
    assert type(restored) is networks.BatchNormalization
    assert restored.get_config() == norms[0].get_config()
