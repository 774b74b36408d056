"""Small serializable layers the preset networks need: tied kernels and pixel shuffle."""

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
