"""`BatchNormalization`: Keras' layer, trained with one fused kernel under TensorFlow's graph."""

import keras


@keras.saving.register_keras_serializable(package="kerasgan")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization`, with the same arguments, weights and results.

    In training under TensorFlow, on 4-D channels-last float32 or bfloat16
    inputs outside XLA, it normalises with TensorFlow's fused batch-norm
    kernel (one op and one gradient op instead of Keras' moments and
    arithmetic): 4-28% more training steps per second for the zoo's BatchNorm
    presets in float32 on a 2-core AVX-512 CPU (msgan_small the most), 6-24%
    more under `mixed_bfloat16` (BUILD_NOTES.md, "Fused batch normalisation"). Statistics
    are computed in float32 either way. Everything else (inference, other
    backends, XLA, masks, float16 inputs, renorm, synchronized statistics)
    runs Keras' own `call`. The moving
    statistics follow Keras' rule: `moving = moving * momentum + batch *
    (1 - momentum)` with the batch's biased variance.

    Example:
    >>> bn = kerasgan.networks.BatchNormalization(momentum=0.9, epsilon=1e-5)
    """

    def call(self, inputs, training=None, mask=None):
        if training and mask is None and _fused_kernel_applies(self, inputs):
            return _fused_training_call(self, inputs)
        return super().call(inputs, training=training, mask=mask)


def _fused_kernel_applies(layer, inputs):
    if keras.backend.backend() != "tensorflow" or not layer.trainable:
        return False
    if layer.renorm or layer.synchronized or len(inputs.shape) != 4 or layer.axis not in (-1, 3):
        return False
    if keras.backend.standardize_dtype(inputs.dtype) not in ("float32", "bfloat16"):
        return False
    return not _in_xla_context()


def _in_xla_context():
    """Whether TensorFlow is tracing for XLA (`jit_compile=True`); where TensorFlow cannot say,
    True, so that Keras' own path runs (XLA measured no faster with the fused kernel)."""
    import tensorflow as tf

    try:
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # a TensorFlow without the module: Keras' path
        return True
    if tf.executing_eagerly():
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def _fused_training_call(layer, inputs):
    import tensorflow as tf

    channels = inputs.shape[-1]
    gamma = layer.gamma if layer.scale else tf.ones([channels])
    beta = layer.beta if layer.center else tf.zeros([channels])
    outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
        inputs, tf.convert_to_tensor(gamma), tf.convert_to_tensor(beta), epsilon=layer.epsilon,
        data_format="NHWC", is_training=True)
    # The kernel returns the batch's unbiased variance (0 for a single value); Keras averages the
    # biased one.
    count = tf.cast(tf.size(inputs, out_type=tf.int64) // channels, variance.dtype)
    variance = variance * (count - 1.0) / count
    momentum = layer.momentum
    layer.moving_mean.assign(layer.moving_mean * momentum + mean * (1.0 - momentum))
    layer.moving_variance.assign(layer.moving_variance * momentum + variance * (1.0 - momentum))
    return tf.cast(outputs, layer.compute_dtype)
