"""Small serializable layers the preset networks need: tied kernels, pixel shuffle and a
convolution for small output maps."""

import numbers

import keras
from keras import ops


def replace_trainable_variable(layer, old, new):
    """Puts `new` in `old`'s slot of `layer`'s trainable variables (by identity), so the layer's
    variable list and saved layout stay those of an untied layer."""
    store = layer._trainable_variables
    store[next(i for i, v in enumerate(store) if v is old)] = new
    ids = layer._tracker.stored_ids["trainable_variables"]
    ids.discard(id(old))
    ids.add(id(new))


class _TiedKernelMixin:
    """Lets a layer use another layer's `kernel` variable after `tie(source)`.

    Before `tie` the layer builds an ordinary placeholder kernel, so it can be
    built, called and summarised on its own (shape inference, standalone
    loading). `tie` swaps that placeholder for the source layer's variable in
    place, so the variable order, and with it `save_own_variables`, stays the
    same as an untied layer's.
    """

    def tie(self, source):
        """Uses `source.kernel` (the same variable object) as this layer's kernel.

        Idempotent: tying twice to the same source does nothing.

        Args:
            source: A built layer with a `kernel` variable of the same shape.
        """
        if not self.built:
            raise ValueError(
                f"Expected layer '{self.name}' to be built before tie(). Received: an unbuilt "
                f"layer. Build its model first (call it on an input or keras.Input)."
            )
        if not getattr(source, "built", False) or getattr(source, "_kernel", None) is None:
            raise ValueError(
                f"Expected a built source layer with a kernel for tie(). Received: "
                f"source={source!r}. Build the source's model first."
            )
        new = source._kernel
        old = self._kernel
        if old is new:
            return self
        if tuple(old.shape) != tuple(new.shape):
            raise ValueError(
                f"Expected layer '{source.name}' to have the kernel shape of layer "
                f"'{self.name}', {tuple(old.shape)}, to tie them. Received: kernel shape "
                f"{tuple(new.shape)}. Tie layers whose kernel shapes are equal."
            )
        # Replace in place: the shared variable takes the placeholder's slot, so the layer's
        # variable list (and the saved file layout) looks exactly like an untied layer's.
        # (By identity: list.index would compare variables with `==`, elementwise.)
        replace_trainable_variable(self, old, new)
        self._kernel = new
        self._tied_to = source.name
        return self

    @property
    def is_tied(self):
        """Whether `tie()` has replaced the placeholder kernel."""
        return getattr(self, "_tied_to", None) is not None


@keras.saving.register_keras_serializable(package="kerasgan")
class TiedConv2D(_TiedKernelMixin, keras.layers.Conv2D):
    """A `Conv2D` whose kernel can be another layer's kernel variable (Shared-WGAN).

    Takes every `keras.layers.Conv2D` argument; it keeps its own bias, strides,
    padding and activation. After `tie(source)` it convolves with
    `source.kernel`, the very same variable, so an optimizer that updates the
    source updates this layer too. `kerasgan.GAN(shared_weights=[(g, d)])`
    calls `tie` in `build()`, also after `.keras` loading.

    Example:
    >>> shared = kerasgan.networks.TiedConv2D(64, 5, padding="same", name="gshared")
    >>> gan = kerasgan.GAN(generator, critic, shared_weights=[("gshared", "dshared")])

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture (github arjun23496/Shared-WGAN).
    """


@keras.saving.register_keras_serializable(package="kerasgan")
class TiedDense(_TiedKernelMixin, keras.layers.Dense):
    """A `Dense` whose kernel can be another layer's kernel variable.

    Same contract as `kerasgan.networks.TiedConv2D`, for fully connected layers
    (used by the `gaussian_1d_shared` preset).

    Example:
    >>> shared = kerasgan.networks.TiedDense(16, activation="softplus", name="g_shared")

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture, section 5.
    """

    def tie(self, source):
        if getattr(self, "quantization_mode", None) or getattr(self, "lora_enabled", False):
            raise ValueError(
                "Expected a plain float kernel for TiedDense.tie(). Received: a quantized or "
                "LoRA-enabled layer. Tie before quantizing or enabling LoRA."
            )
        return super().tie(source)


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelShuffle(keras.layers.Layer):
    """Depth-to-space upsampling: `(B, H, W, C*r*r) -> (B, H*r, W*r, C)`.

    Args:
        block_size: Upsampling factor `r`.
        channel_order: `"pytorch"` (default) groups input channels as
            `c * r * r + i * r + j`, as `torch.nn.functional.pixel_shuffle`
            does; `"tensorflow"` uses `(i * r + j) * C + c`, as
            `tf.nn.depth_to_space` does. The two differ only by a fixed
            permutation of the preceding layer's output channels.

    Example:
    >>> x = kerasgan.networks.PixelShuffle(2)(keras.ops.zeros((1, 7, 7, 128)))  # (1, 14, 14, 32)

    Reference: Shi et al., Real-Time Single Image and Video Super-Resolution
    Using an Efficient Sub-Pixel Convolutional Neural Network, 2016.
    """

    def __init__(self, block_size=2, channel_order="pytorch", **kwargs):
        super().__init__(**kwargs)
        if channel_order not in ("pytorch", "tensorflow"):
            raise ValueError(
                "Expected channel_order to be 'pytorch' or 'tensorflow'. "
                f"Received: channel_order={channel_order!r}"
            )
        self.block_size = int(block_size)
        self.channel_order = channel_order

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.block_size
        if c is not None and c % (r * r):
            raise ValueError(
                f"Expected channels divisible by {r * r} for PixelShuffle({r}). "
                f"Received: shape={input_shape}"
            )
        scale = lambda d: None if d is None else d * r
        return (b, scale(h), scale(w), None if c is None else c // (r * r))

    def call(self, x):
        r = self.block_size
        _, h, w, c = x.shape
        out_c = c // (r * r)
        b = ops.shape(x)[0]
        if self.channel_order == "pytorch":
            x = ops.reshape(x, (b, h, w, out_c, r, r))
            x = ops.transpose(x, (0, 1, 4, 2, 5, 3))
        else:
            x = ops.reshape(x, (b, h, w, r, r, out_c))
            x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (b, h * r, w * r, out_c))

    def get_config(self):
        return {**super().get_config(), "block_size": self.block_size,
                "channel_order": self.channel_order}


# PatchConv2D's max_positions="auto" per backend (4 where not listed). wgan_gp's step at batch 64
# under JAX, Zen 4: 4.4-5.7 s with the 2x2 map as a matmul, 2.0-3.0 s with the 4x4 one too,
# 1.4-1.8 s with the 8x8 one too, 1.6-1.7 s with the 16x16 one too (and a 14-fold compilation);
# TensorFlow and PyTorch ran the 4x4 and 8x8 maps faster as convolutions (BUILD_NOTES.md,
# "wgan_gp is slow on CPUs").
_AUTO_MAX_POSITIONS = {"jax": 64}


@keras.saving.register_keras_serializable(package="kerasgan")
class PatchConv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` that computes a small output map as one matrix product.

    When the output has at most `max_positions` positions (e.g. a 5x5 stride-2
    convolution from 4x4 to 2x2), it stacks the zero-padded input window of
    every output position and multiplies them by the kernel in one matmul:
    the same values as `Conv2D` up to float rounding, with the same variables,
    config and gradients (of any order, e.g. for a gradient penalty). CPU
    convolution kernels run such maps at a fraction of their speed on larger
    ones (BUILD_NOTES.md, "wgan_gp is slow on CPUs"). Larger maps, unknown
    input sizes, dilation, groups and `channels_first` run `Conv2D`'s own
    convolution.

    Args:
        max_positions: The largest output map (height x width) computed as a
            matmul, or "auto" (the default): 64 under JAX, whose CPU
            convolutions are the slower on maps up to 8x8, and 4 under
            TensorFlow and PyTorch.
        *args, **kwargs: `keras.layers.Conv2D`'s.

    Example:
    >>> conv = kerasgan.networks.PatchConv2D(512, 5, strides=2, padding="same")
    >>> conv(keras.ops.zeros((8, 4, 4, 256))).shape   # (8, 2, 2, 512), one matmul
    """

    def __init__(self, *args, max_positions="auto", **kwargs):
        super().__init__(*args, **kwargs)
        auto = isinstance(max_positions, str) and max_positions == "auto"
        if not auto and (isinstance(max_positions, bool)
                         or not isinstance(max_positions, numbers.Integral) or max_positions < 0):
            raise ValueError(
                'Expected max_positions to be an integer >= 0 or "auto". Received: '
                f"max_positions={max_positions!r}. Pass 0 to always run Conv2D's convolution; "
                '"auto", the default, picks by backend.')
        self.max_positions = "auto" if auto else int(max_positions)

    def largest_patch_map(self):
        """The largest output map computed as a matmul under this backend (`max_positions`
        resolved)."""
        if self.max_positions == "auto":
            return _AUTO_MAX_POSITIONS.get(keras.backend.backend(), 4)
        return self.max_positions

    def patch_plan(self, input_shape):
        """`(out_h, out_w, (top, bottom, left, right))`, or None where `Conv2D` computes."""
        if (self.data_format != "channels_last" or self.groups != 1
                or any(int(d) != 1 for d in self.dilation_rate)):
            return None
        out, pads = [], []
        for size, k, stride in zip(input_shape[1:3], self.kernel_size, self.strides):
            if size is None:
                return None
            if self.padding == "same":
                n = -(-int(size) // stride)
                total = max((n - 1) * stride + k - int(size), 0)
                pads += [total // 2, total - total // 2]
            else:
                n = (int(size) - k) // stride + 1
                pads += [0, 0]
            if n < 1:  # a window larger than the input: Conv2D says so
                return None
            out.append(n)
        if out[0] * out[1] > self.largest_patch_map():
            return None
        return out[0], out[1], tuple(pads)

    def call(self, inputs):
        plan = self.patch_plan(inputs.shape)
        if plan is None:
            return super().call(inputs)
        out_h, out_w, (top, bottom, left, right) = plan
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        x = ops.pad(inputs, [[0, 0], [top, bottom], [left, right], [0, 0]])
        patches = ops.stack([x[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
                             for i in range(out_h) for j in range(out_w)], axis=1)
        depth = kh * kw * int(inputs.shape[-1])
        y = ops.matmul(ops.reshape(patches, (-1, depth)),
                       ops.reshape(self.kernel, (depth, self.filters)))
        y = ops.reshape(y, (-1, out_h, out_w, self.filters))
        if self.use_bias:
            y = ops.add(y, self.bias)
        if self.activation is not None:
            y = self.activation(y)
        return y

    def get_config(self):
        return {**super().get_config(), "max_positions": self.max_positions}
