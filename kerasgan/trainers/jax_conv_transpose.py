"""Fast, exact gradients of transposed convolutions for kerasgan's JAX training step.

XLA:CPU computes JAX's default kernel gradient of a strided transposed
convolution (a convolution with `lhs_dilation=strides` whose "kernel" is the
whole output cotangent) through a slow generic loop: 0.6 s (k4) to 0.8 s (k5)
per call for a DCGAN layer (batch 128, 128->64 channels, 7->14 pixels) on an
idle 2-core machine, against 28 ms (k4) and 33 ms (k5) here. This module
computes the same gradient through the transpose of the op, a plain strided
convolution, which XLA:CPU lowers to its fast convolution kernels. It applies
to 2-D transposed convolutions (either data format) without dilation; other
calls keep Keras' function and JAX's gradient.

The forward pass is Keras' own `keras.src.backend.jax.nn.conv_transpose`,
called unchanged, except for two cases. A strided transposed convolution with
16 or more output channels runs as one dense stride-1 convolution followed by
depth-to-space (`_subpixel`): XLA:CPU lowers Keras' form, a convolution over
the input dilated with zeros, to a slower path (dcgan's 7 -> 14 px layer: 37
ms against 25 ms per call, batch 128, Zen 4). And a 1x1 input with "valid" padding (the
DCGAN generator's first layer, noise seen as a 1x1 image) is a matrix product,
`y[b, i, j, o] = sum_c x[b, c] k[i, j, o, c]`, which XLA:CPU runs as one
matmul; as a convolution it padded the 1x1 input to the kernel's size and
took 38 ms per call against TensorFlow's 4 ms (dcgan, batch 128, Zen 4).
Only the order of the float additions differs (same products, same sums).

`kerasgan.GAN` turns this on while its JAX `train_step` is traced (see
`fast_conv_transpose_grad`), so every network it trains benefits, the
generator presets and users' own networks alike, and Keras is left untouched
everywhere else. Set `kerasgan.trainers.jax_conv_transpose.enabled = False`
before the first `fit()` call (the step is traced once and cached) to train
with JAX's default gradient instead.

Limitations while the scope is active: forward-mode differentiation
(`jax.jvp`, `jax.jacfwd`, `jax.hessian`) of a transposed convolution is not
available, as for any `jax.custom_vjp` function; kerasgan's training step
uses reverse mode only (second-order reverse mode, as in gradient
penalties, works). The swap is process-wide while a step is being traced, so
another thread calling Keras' `conv_transpose` at that moment gets the same
forward values and the fast gradient.

Example:
>>> from kerasgan.trainers import jax_conv_transpose
>>> jax_conv_transpose.enabled = False  # before gan.fit(): JAX's default gradient
>>> with jax_conv_transpose.fast_conv_transpose_grad():
...     y = keras.ops.conv_transpose(x, kernel, strides=2, padding="same")

Reference: Dumoulin and Visin, A guide to convolution arithmetic for deep
learning, 2016 (a transposed convolution is the transpose of a convolution,
so its gradients are convolutions).
"""

import contextlib
import functools

import jax
import jax.numpy as jnp
from keras.src.backend.jax import nn as _keras_jax_nn
from keras.src.backend.config import standardize_data_format
from keras.src.backend.jax.core import convert_to_tensor

#: The switch: when True (default), `kerasgan.GAN`'s JAX training step uses the
#: fast gradient. Read when the step is traced (the first `fit()` after `compile()`).
enabled = True

# Our replacement carries the function it wraps under this name, so that nested
# scopes neither wrap it twice nor lose the way back to Keras' function.
_MARK = "_kerasgan_fast_conv_transpose_grad"


def _static(value):
    # custom_vjp needs hashable non-differentiable arguments; the Conv*Transpose
    # layers pass `strides` as a list.
    return tuple(value) if isinstance(value, list) else value


def _spatial_dims_supported(inputs, dilation_rate):
    """Whether the fast gradient has been verified and measured for this call.

    Restricted to 2-D convolutions without dilation, the cases the tests check
    against JAX's own gradient; everything else keeps Keras' function.
    """
    if getattr(inputs, "ndim", None) != 4:
        return False
    rates = dilation_rate if isinstance(dilation_rate, (tuple, list)) else (dilation_rate,)
    return all(int(r) == 1 for r in rates)


def _projection_layout(x, padding, output_padding, data_format, dilation_rate):
    """For a 1x1 input, "valid" padding, no output padding or dilation (the op is a matmul):
    whether the layout is channels_first; None for every other call."""
    if data_format not in (None, "channels_last", "channels_first"):
        return None
    channels_first = standardize_data_format(data_format) == "channels_first"
    spatial = x.shape[2:] if channels_first else x.shape[1:-1]
    paddings = output_padding if isinstance(output_padding, (tuple, list)) else (output_padding,)
    if (x.ndim == 4 and tuple(spatial) == (1, 1) and str(padding).lower() == "valid"
            and not any(int(p or 0) for p in paddings)
            and _spatial_dims_supported(x, dilation_rate)):
        return channels_first
    return None


#: Output channels from which the sub-pixel forward pass is used. Measured on Zen 4
#: (batch 128): 1.5x faster at 64 channels (7 -> 14 px, k5), 1.6x at 128 (16 -> 32 px,
#: k4), 4x slower at 1 channel (14 -> 28 px, k5: a convolution with 4 output channels).
SUBPIXEL_MIN_OUT_CHANNELS = 16


def _pairs(value, n=2):
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),) * n


def _subpixel(x, k, strides, padding, output_padding, data_format):
    """A strided 2-D transposed convolution as one stride-1 convolution, then depth-to-space.

    Output pixel `s * q + r` of the transposed convolution only meets kernel taps
    `r, r + s, ...`, so each of the `s_h * s_w` phases is a dense convolution of the
    input with every `s`-th tap, and all phases run as one convolution with
    `s_h * s_w * C_out` output channels (taps a phase lacks are zero). XLA:CPU runs
    it through its fast convolution kernels; Keras' form convolves an input dilated
    by `s` (zeros between pixels), up to `s_h * s_w` times the multiply-adds, through
    a slower path. The same products and sums: only their order differs.

    Returns None where it does not apply or was not measured faster (stride 1, a
    padding other than "same" or "valid", fewer than `SUBPIXEL_MIN_OUT_CHANNELS`
    output channels); the caller then keeps Keras' function.
    """
    from keras.src.backend.common.backend_utils import (
        compute_conv_transpose_padding_args_for_jax,
    )

    s = _pairs(strides)
    if (s == (1, 1) or str(padding).lower() not in ("same", "valid")
            or k.shape[-2] < SUBPIXEL_MIN_OUT_CHANNELS):
        return None
    channels_first = standardize_data_format(data_format) == "channels_first"
    xh = jnp.transpose(x, (0, 2, 3, 1)) if channels_first else x
    kh, kw, c_out, c_in = k.shape
    pads = compute_conv_transpose_padding_args_for_jax(
        input_shape=xh.shape, kernel_shape=k.shape, strides=s, padding=str(padding).lower(),
        output_padding=output_padding, dilation_rate=1)
    conv_pads, crops = [], []
    for n, kd, sd, (pl, pr) in zip(xh.shape[1:3], (kh, kw), s, pads):
        # Keras' output o is the full (uncropped) transposed convolution's o + kd - 1 - pl.
        offset, length = kd - 1 - pl, sd * (n - 1) + 2 + pl + pr - kd
        m = -(-kd // sd)  # taps per phase
        q0, q1 = offset // sd, -(-(offset + length) // sd)  # phase outputs needed
        # Pads that make the stride-1 convolution produce exactly phase outputs q0 .. q1 - 1.
        conv_pads.append((m - 1 - q0, q1 - n))
        crops.append((offset - sd * q0, length, q1 - q0))
    if any(lo < 0 or hi < 0 for lo, hi in conv_pads):
        return None
    mh, mw = -(-kh // s[0]), -(-kw // s[1])
    phases = []
    for rh in range(s[0]):
        for rw in range(s[1]):
            sub = k[rh::s[0], rw::s[1]]  # (taps_h, taps_w, C_out, C_in)
            sub = jnp.pad(sub, ((0, mh - sub.shape[0]), (0, mw - sub.shape[1]), (0, 0), (0, 0)))
            phases.append(jnp.transpose(sub[::-1, ::-1], (0, 1, 3, 2)))  # correlation, HWIO
    kernel = jnp.stack(phases, axis=3).reshape(mh, mw, c_in, s[0] * s[1] * c_out)
    y = jax.lax.conv_general_dilated(
        xh, kernel, window_strides=(1, 1), padding=conv_pads,
        dimension_numbers=("NHWC", "HWIO", "NHWC"))
    b, qh, qw, _ = y.shape
    y = y.reshape(b, qh, qw, s[0], s[1], c_out).transpose(0, 1, 3, 2, 4, 5)
    y = y.reshape(b, qh * s[0], qw * s[1], c_out)
    (oh, lh, _), (ow, lw, _) = crops
    y = y[:, oh:oh + lh, ow:ow + lw, :]
    return jnp.transpose(y, (0, 3, 1, 2)) if channels_first else y


def _projection(x, k, channels_first):
    """The transposed convolution of a 1x1 input as one matmul (exact up to summation order)."""
    if channels_first:
        return jnp.einsum("bc,ijoc->boij", x[:, :, 0, 0], k)
    return jnp.einsum("bc,ijoc->bijo", x[:, 0, 0, :], k)


@functools.lru_cache(maxsize=None)
def _with_fast_grad(original):
    """Builds `original` (Keras' JAX `conv_transpose`) with the fast backward pass.

    Args:
        original: The function `keras.src.backend.jax.nn.conv_transpose` held
            when the scope was entered; the forward pass calls it unchanged.

    Returns:
        A function with the signature of `original`.
    """

    def forward(x, k, strides, padding, output_padding, data_format, dilation_rate):
        y = _subpixel(x, k, strides, padding, output_padding, data_format)
        if y is None:
            y = original(x, k, strides, padding, output_padding, data_format, dilation_rate)
        return y

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5, 6))
    def conv_transpose_fast(x, k, strides, padding, output_padding, data_format, dilation_rate):
        return forward(x, k, strides, padding, output_padding, data_format, dilation_rate)

    def fwd(x, k, strides, padding, output_padding, data_format, dilation_rate):
        y = forward(x, k, strides, padding, output_padding, data_format, dilation_rate)
        return y, (x, k)

    def bwd(strides, padding, output_padding, data_format, dilation_rate, residuals, g):
        x, k = residuals

        def input_grad(kernel):
            # The input gradient is the transpose of the op with respect to x:
            # a plain strided convolution of g, linear in the kernel.
            forward = lambda inputs: original(  # noqa: E731
                inputs, kernel, strides, padding, output_padding, data_format, dilation_rate
            )
            return jax.linear_transpose(forward, jax.ShapeDtypeStruct(x.shape, x.dtype))(g)[0]

        # <input_grad(k), x> = <g, conv_transpose(x, k)>, so the kernel gradient is
        # the vjp of input_grad at cotangent x: the kernel gradient of a strided
        # convolution (rhs_dilation=strides), which XLA:CPU runs fast, instead of
        # JAX's default (lhs_dilation=strides with the cotangent as kernel), which
        # it runs through a generic loop.
        dx, pullback = jax.vjp(input_grad, k)
        (dk,) = pullback(x)
        return dx, dk

    conv_transpose_fast.defvjp(fwd, bwd)

    def conv_transpose(
        inputs,
        kernel,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
    ):
        x = convert_to_tensor(inputs)
        k = convert_to_tensor(kernel)
        if (
            not _spatial_dims_supported(x, dilation_rate)
            or x.dtype != k.dtype
            or not jnp.issubdtype(x.dtype, jnp.floating)
        ):
            return original(
                inputs, kernel, strides, padding, output_padding, data_format, dilation_rate
            )
        channels_first = _projection_layout(x, padding, output_padding, data_format, dilation_rate)
        if channels_first is not None:
            return _projection(x, k, channels_first)
        return conv_transpose_fast(
            x,
            k,
            _static(strides),
            padding,
            _static(output_padding),
            data_format,
            _static(dilation_rate),
        )

    conv_transpose.__doc__ = original.__doc__
    setattr(conv_transpose, _MARK, original)
    return conv_transpose


@contextlib.contextmanager
def fast_conv_transpose_grad(enable=None):
    """Makes Keras' JAX `conv_transpose` use the fast gradient inside the block.

    Swaps `keras.src.backend.jax.nn.conv_transpose`, the function that
    `keras.ops.conv_transpose` (and so every `Conv*DTranspose` layer) looks
    up at call time as `backend.nn.conv_transpose`, and restores it on exit.

    Args:
        enable: True or False; default: the module's `enabled` switch.
    """
    if enable is None:
        enable = enabled
    current = _keras_jax_nn.conv_transpose
    unwrapped = getattr(current, _MARK, None) or current
    wanted = _with_fast_grad(unwrapped) if enable else unwrapped
    if wanted is current:
        yield
        return
    _keras_jax_nn.conv_transpose = wanted
    try:
        yield
    finally:
        _keras_jax_nn.conv_transpose = current


def within_fast_conv_transpose_grad(fn):
    """Decorates `fn` to run inside `fast_conv_transpose_grad()` (the `enabled` switch).

    Args:
        fn: A function that builds or runs a JAX training step, such as
            `kerasgan.trainers.jax_trainer.train_step`.
    """

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with fast_conv_transpose_grad():
            return fn(*args, **kwargs)

    return wrapped
