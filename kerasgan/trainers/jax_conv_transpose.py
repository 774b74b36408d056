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
called unchanged, except for one case: a 1x1 input with "valid" padding (the
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
from keras.src.backend.config import standardize_data_format
from keras.src.backend.jax.core import convert_to_tensor

from kerasgan.trainers import jax_conv_split, jax_keras_swap

#: The switch: when True (default), `kerasgan.GAN`'s JAX training step uses the
#: fast gradient. Read when the step is traced (the first `fit()` after `compile()`).
enabled = True


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

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5, 6))
    def conv_transpose_fast(x, k, strides, padding, output_padding, data_format, dilation_rate):
        return original(x, k, strides, padding, output_padding, data_format, dilation_rate)

    def fwd(x, k, strides, padding, output_padding, data_format, dilation_rate):
        y = original(x, k, strides, padding, output_padding, data_format, dilation_rate)
        return y, (x, k)

    def bwd(strides, padding, output_padding, data_format, dilation_rate, residuals, g):
        x, k = residuals

        def input_grad(cotangent, kernel):
            # The input gradient is the transpose of the op with respect to x:
            # a plain strided convolution of the cotangent, linear in the kernel.
            forward = lambda inputs: original(  # noqa: E731
                inputs, kernel, strides, padding, output_padding, data_format, dilation_rate
            )
            shape = (cotangent.shape[0],) + tuple(x.shape[1:])
            return jax.linear_transpose(forward, jax.ShapeDtypeStruct(shape, x.dtype))(cotangent)[0]

        # <input_grad(g, k), x> = <g, conv_transpose(x, k)>, so the kernel gradient is
        # the vjp of input_grad at cotangent x: the kernel gradient of a strided
        # convolution (rhs_dilation=strides), which XLA:CPU runs fast, instead of
        # JAX's default (lhs_dilation=strides with the cotangent as kernel), which
        # it runs through a generic loop. Large ones are summed over batch parts.
        n = 1
        if jax_conv_split.enabled:
            n = jax_conv_split.parts(g.shape, x.shape, jax_conv_split.conv_flops(x.shape, k.shape),
                                     x.dtype.itemsize)
        return input_grad(g, k), jax_conv_split.kernel_grad(input_grad, g, k, x, n)

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

    return jax_keras_swap.wrapping(conv_transpose, original)


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
    with jax_keras_swap.swapped("conv_transpose", _with_fast_grad, enable):
        yield


#: Decorates a function that builds or runs a JAX training step (such as
#: `kerasgan.trainers.jax_trainer.train_step`) to run inside `fast_conv_transpose_grad()`.
within_fast_conv_transpose_grad = jax_keras_swap.within(fast_conv_transpose_grad)
