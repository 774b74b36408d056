"""Kernel gradients of large 2-D convolutions as sums over parts of the batch (JAX on the CPU).

XLA:CPU computes the kernel gradient of a large convolution several times slower in one piece
than as the sum of the same gradient over parts of the batch: for dcgan_celeba's D down_1
(batch 128, 32 -> 16 px, 64 -> 128 channels, k4 stride 2) 232-314 ms against 90-116 ms in
8 parts, for dcgan's D down_1 (14 -> 7 px, 64 -> 128) 20-22 ms against 13-16 ms in 4 parts
(2-core Zen 4; `experiments/jax_convs/jax_split_grad_microbench.py`). Only the order of the float
additions changes.

kerasgan's JAX training step uses it for the kernels of `Conv2D` layers (Keras' JAX `conv`
gets a custom VJP while the step is traced, see `split_kernel_grads`) and of
`Conv2DTranspose` layers (through `jax_conv_transpose`'s backward pass). Input gradients,
forward passes and everything outside kerasgan's step are unchanged.

How many parts (`parts`): the smallest power of two that brings one part's two operands
(the layer's input and the output cotangent) under `PART_BYTES`, at most `MAX_PARTS`, with at
least `MIN_PART_BATCH` examples per part; one (no split) off the CPU, on CPUs without AVX-512,
for convolutions under `MIN_FLOPS` (2 x multiply-adds), or when `enabled` is False. The
constants and the AVX-512 condition come from the measurements above: one machine type (the
Intel and AVX2 AMD types were not available to measure, so they keep XLA's one-piece gradient).

Limitations while the scope is active: forward-mode differentiation of a split `conv`
(`jax.jvp`, `jax.jacfwd`) is not available, as for any `jax.custom_vjp` function; reverse
mode to any order (gradient penalties) is.
"""

import contextlib
import functools
import math

import jax
import jax.numpy as jnp
from keras.src.backend.config import standardize_data_format
from keras.src.backend.jax.core import convert_to_tensor

from kerasgan import utils
from kerasgan.trainers import jax_keras_swap

#: The switch, read when kerasgan's JAX step is traced (the first `fit()` after `compile()`):
#: False keeps XLA's one-piece kernel gradients.
enabled = True
#: Most bytes of one part's input and output cotangent together.
PART_BYTES = 4 * 2**20
#: Most parts.
MAX_PARTS = 8
#: Fewest examples in one part.
MIN_PART_BATCH = 8
#: Smallest convolution (2 x multiply-adds of its forward pass) that is split.
MIN_FLOPS = 2e8


def parts(x_shape, cotangent_shape, flops, itemsize):
    """How many batch parts the kernel gradient of one convolution is summed over.

    Args:
        x_shape: Shape of the convolution's input (batch first).
        cotangent_shape: Shape of its output cotangent (batch first).
        flops: 2 x the multiply-adds of the convolution.
        itemsize: Bytes per element.
    """
    batch = int(x_shape[0])
    if (batch != int(cotangent_shape[0]) or flops < MIN_FLOPS or jax.default_backend() != "cpu"
            or not utils.cpu_has_avx512()):
        return 1
    total = (math.prod(x_shape) + math.prod(cotangent_shape)) * itemsize
    n = 1
    while (total / n > PART_BYTES and 2 * n <= MAX_PARTS and batch % (2 * n) == 0
           and batch // (2 * n) >= MIN_PART_BATCH):
        n *= 2
    return n


def kernel_grad(fn, x, kernel, cotangent, n):
    """The gradient of `<cotangent, fn(x, kernel)>` with respect to `kernel`, over `n` batch parts.

    Args:
        fn: `(x, kernel) -> y`, batch first in `x` and `y`.
        x: The input.
        kernel: The kernel.
        cotangent: The output cotangent, shaped as `fn(x, kernel)`.
        n: Parts (from `parts`); 1 computes it in one piece.
    """
    total = None
    for xi, gi in zip(jnp.split(x, n), jnp.split(cotangent, n)):
        (dk,) = jax.vjp(lambda k, xi=xi: fn(xi, k), kernel)[1](gi)
        total = dk if total is None else total + dk
    return total


def conv_flops(y_shape, kernel_shape):
    """2 x the multiply-adds of a convolution with output `y_shape` and a Keras kernel.

    Keras' kernels are (*spatial, in, out): each output value sums over all but the last axis.
    (For a transposed convolution, whose kernels are (*spatial, out, in), pass its input's shape.)
    """
    return 2 * math.prod(y_shape) * math.prod(kernel_shape[:-1])


@functools.lru_cache(maxsize=None)
def _with_split_grad(original):
    """Keras' JAX `conv` (`original`) whose kernel gradient is summed over batch parts."""

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5, 6))
    def conv_split(x, k, strides, padding, data_format, dilation_rate, n):
        return original(x, k, strides, padding, data_format, dilation_rate)

    def fwd(x, k, strides, padding, data_format, dilation_rate, n):
        return original(x, k, strides, padding, data_format, dilation_rate), (x, k)

    def bwd(strides, padding, data_format, dilation_rate, n, residuals, g):
        x, k = residuals
        fn = lambda x, k: original(x, k, strides, padding, data_format, dilation_rate)  # noqa: E731
        (dx,) = jax.vjp(lambda x: fn(x, k), x)[1](g)
        return dx, kernel_grad(fn, x, k, g, n)

    conv_split.defvjp(fwd, bwd)

    def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
        x, k = convert_to_tensor(inputs), convert_to_tensor(kernel)
        channels_axis = 1 if standardize_data_format(data_format) == "channels_first" else -1
        if (x.ndim != 4 or x.dtype != k.dtype or not jnp.issubdtype(x.dtype, jnp.floating)
                or k.shape[-2] != x.shape[channels_axis]):  # grouped convolutions: as Keras does
            return original(inputs, kernel, strides, padding, data_format, dilation_rate)
        y = jax.eval_shape(lambda x, k: original(x, k, strides, padding, data_format,
                                                 dilation_rate), x, k)
        n = parts(x.shape, y.shape, conv_flops(y.shape, k.shape), x.dtype.itemsize)
        if n == 1:
            return original(inputs, kernel, strides, padding, data_format, dilation_rate)
        return conv_split(x, k, _static(strides), padding, data_format, _static(dilation_rate), n)

    return jax_keras_swap.wrapping(conv, original)


def _static(value):
    # custom_vjp's non-differentiable arguments must be hashable.
    return tuple(value) if isinstance(value, list) else value


@contextlib.contextmanager
def split_kernel_grads(enable=None):
    """Makes Keras' JAX `conv` (so every `Conv2D` layer) split its kernel gradient inside the block.

    Args:
        enable: True or False; default: the module's `enabled` switch.
    """
    if enable is None:
        enable = enabled
    with jax_keras_swap.swapped("conv", _with_split_grad, enable):
        yield


#: Decorates a JAX training step to run inside `split_kernel_grads()`.
within_split_kernel_grads = jax_keras_swap.within(split_kernel_grads)
