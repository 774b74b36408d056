"""Faster TensorFlow kernels for strided convolutions with few image channels, in kerasgan's TF step.

TensorFlow's CPU kernel for a strided transposed convolution that writes few channels (a
generator's last layer, 64 -> 1 or 3 channels) is slow: 4.5 ms per call for dcgan's `to_image`
(batch 128, 14 -> 28 pixels) against 1.6 ms under XLA, and the same kernel computes the input
gradient of a strided convolution that reads few channels (a discriminator's first layer,
8.4 ms against 1.6; `tools/results/profile_convs_dcgan_zen4_s9.json`, Zen 4). Both run every
step: the generator's forward twice, the discriminator's input gradient in the generator phase.

This module computes that transposed convolution in its phase (sub-pixel) form: output pixel
`s*q + r` only meets kernel taps `r, r + s, ...`, so all `s*s` phases are one dense stride-1
convolution with `s*s*C` output channels, followed by depth-to-space and a crop. Values equal
Keras' op to float rounding (the same products, summed in another order). It applies to 2-D,
channels-last, "same"-padded ops with equal strides >= 2, no dilation, no output padding, at
most `MAX_CHANNELS` image channels and spatial sizes divisible by the stride; every other call
keeps Keras' function. A strided convolution keeps its forward and kernel gradient (TensorFlow's
own kernels) and gets the phase form as its input gradient (`tf.custom_gradient`, which keeps
second-order gradients such as gradient penalties working).

`kerasgan.GAN` turns this on while its TensorFlow `train_step` is traced without XLA (under XLA
the swap is off: XLA's own lowering is fast here), so Keras is untouched everywhere else. Set
`kerasgan.trainers.tf_narrow_convs.enabled = False` before the first `fit()` call to train with
TensorFlow's kernels.

Example:
>>> from kerasgan.trainers import tf_narrow_convs
>>> with tf_narrow_convs.narrow_conv_paths():
...     y = keras.ops.conv_transpose(x, kernel, strides=2, padding="same")

Reference: Shi et al., Real-Time Single Image and Video Super-Resolution Using an Efficient
Sub-Pixel Convolutional Neural Network, CVPR 2016 (the phase form of a strided transposed
convolution); Dumoulin and Visin, A guide to convolution arithmetic for deep learning, 2016.
"""

import contextlib
import functools

import tensorflow as tf
from keras.src.backend.config import standardize_data_format
from keras.src.backend.tensorflow import nn as _keras_tf_nn

#: The switch: when True (default), `kerasgan.GAN`'s TensorFlow step (without XLA) uses the
#: phase form. Read when the step is traced (the first `fit()` after `compile()`).
enabled = True

#: Most image channels (a transposed convolution's outputs, a convolution's inputs) for which
#: the phase form is used; wider layers keep TensorFlow's kernels, which are faster there
#: (dcgan's 128 -> 64 transposed convolution: 13 ms with TensorFlow's, 24 ms in phase form).
MAX_CHANNELS = 4

_MARK = "_kerasgan_narrow_conv_paths"


def _stride(strides):
    strides = (strides, strides) if isinstance(strides, int) else tuple(strides)
    return strides[0] if len(strides) == 2 and strides[0] == strides[1] else None


def _applies(x, kernel, strides, padding, data_format, dilation_rate, channels, divisible):
    """The common stride (>= 2) when the phase form applies to this call, else None.

    `divisible`: the spatial sizes must be multiples of the stride (a convolution's input).
    """
    s = _stride(strides)
    dilation = (dilation_rate,) * 2 if isinstance(dilation_rate, int) else tuple(dilation_rate)
    if (len(x.shape) != 4 or s is None or s < 2 or str(padding).lower() != "same"
            or standardize_data_format(data_format) != "channels_last"
            or any(d != 1 for d in dilation) or channels is None or channels > MAX_CHANNELS
            or any(d is None for d in kernel.shape)):
        return None
    if any(d is None or (divisible and d % s) for d in x.shape[1:3]):
        return None
    return s


def phase_conv_transpose(x, kernel, stride):
    """Keras' "same" `conv_transpose(x, kernel, strides=stride)` (NHWC), in the phase form.

    Args:
        x: (batch, height, width, in_channels).
        kernel: (kh, kw, out_channels, in_channels), Keras' transposed-convolution layout.
        stride: the stride along both spatial axes.
    """
    kh, kw, cout, cin = (int(d) for d in kernel.shape)
    s = int(stride)
    a_h, a_w = -(-kh // s), -(-kw // s)  # taps per phase
    k = tf.pad(kernel, [[0, a_h * s - kh], [0, a_w * s - kw], [0, 0], [0, 0]])
    # Tap a*s + r of each axis -> (a, r); reversed a: a correlation computes the convolution.
    k = tf.reverse(tf.reshape(k, [a_h, s, a_w, s, cout, cin]), [0, 2])
    k = tf.reshape(tf.transpose(k, [0, 2, 5, 1, 3, 4]), [a_h, a_w, cin, s * s * cout])
    h, w = int(x.shape[1]), int(x.shape[2])
    z = tf.pad(x, [[0, 0], [a_h - 1, a_h - 1], [a_w - 1, a_w - 1], [0, 0]])
    z = tf.nn.depth_to_space(tf.nn.conv2d(z, k, 1, "VALID"), s)
    top, left = max(kh - s, 0) // 2, max(kw - s, 0) // 2  # TensorFlow's "same" padding split
    return z[:, top:top + h * s, left:left + w * s, :]


def _narrow_conv_transpose(original):
    @functools.wraps(original)
    def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                       data_format=None, dilation_rate=1):
        inputs, kernel = tf.convert_to_tensor(inputs), tf.convert_to_tensor(kernel)
        s = None
        if output_padding is None:
            s = _applies(inputs, kernel, strides, padding, data_format, dilation_rate,
                         kernel.shape[-2], divisible=False)
        if s is None:
            return original(inputs, kernel, strides, padding, output_padding, data_format,
                            dilation_rate)
        return phase_conv_transpose(inputs, kernel, s)

    setattr(conv_transpose, _MARK, original)
    return conv_transpose


def _narrow_conv(original):
    @functools.wraps(original)
    def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
        inputs, kernel = tf.convert_to_tensor(inputs), tf.convert_to_tensor(kernel)
        s = None
        if kernel.shape[-2] == inputs.shape[-1]:  # not a grouped convolution
            s = _applies(inputs, kernel, strides, padding, data_format, dilation_rate,
                         inputs.shape[-1], divisible=True)
        if s is None:
            return original(inputs, kernel, strides, padding, data_format, dilation_rate)

        @tf.custom_gradient
        def strided_conv(x, k):
            def grad(dy):
                dx = phase_conv_transpose(dy, k, s)
                dk = tf.raw_ops.Conv2DBackpropFilter(
                    input=x, filter_sizes=tf.shape(k), out_backprop=dy, strides=[1, s, s, 1],
                    padding="SAME")
                return dx, dk

            return tf.nn.conv2d(x, k, s, "SAME"), grad

        return strided_conv(inputs, kernel)

    setattr(conv, _MARK, original)
    return conv


@contextlib.contextmanager
def narrow_conv_paths(enable=None):
    """Makes Keras' TensorFlow `conv_transpose` and `conv` use the phase form inside the block.

    Swaps `keras.src.backend.tensorflow.nn.conv_transpose` and `.conv`, the functions that
    `keras.ops` (and so every `Conv2D` / `Conv2DTranspose` layer) looks up at call time, and
    restores them on exit.

    Args:
        enable: True or False; default: the module's `enabled` switch.
    """
    if enable is None:
        enable = enabled
    saved = {}
    for name, wrap in (("conv_transpose", _narrow_conv_transpose), ("conv", _narrow_conv)):
        current = getattr(_keras_tf_nn, name)
        unwrapped = getattr(current, _MARK, None) or current
        wanted = wrap(unwrapped) if enable else unwrapped
        if wanted is not current:
            saved[name] = current
            setattr(_keras_tf_nn, name, wanted)
    try:
        yield
    finally:
        for name, current in saved.items():
            setattr(_keras_tf_nn, name, current)
