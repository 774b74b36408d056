"""Spectral normalization as a reparametrisation: the layer computes with W / sigma(W)."""

import keras
from keras import ops


def _normalize(v, epsilon):
    return v / (ops.sqrt(ops.sum(ops.square(v))) + epsilon)


@keras.saving.register_keras_serializable(package="kerasgan")
class SpectralNorm(keras.layers.Wrapper):
    """Runs a `Dense`, `Conv1D/2D/3D` or `Embedding` layer with its kernel divided by
    its largest singular value, estimated by power iteration (Miyato et al.).

    As in the paper (and PyTorch's `spectral_norm`), the kernel variable keeps
    its unnormalised value and the gradient flows through `W / sigma(W)`; only
    the power-iteration vector `u` (a non-trainable variable) is updated, once
    per training call. That keeps the layer exact under JAX's stateless
    training step, where `keras.layers.SpectralNormalization` (which assigns
    the normalised kernel to the trainable variable in place) loses its
    update, and makes TensorFlow and JAX train alike.

    Args:
        layer: An unbuilt or built `keras.layers.Dense`, `Conv1D`, `Conv2D`,
            `Conv3D` or `Embedding`.
        power_iterations: Power-iteration steps per training call (1 in the paper).
        epsilon: Added to norms to avoid division by zero.

    Example:
    >>> conv = kerasgan.networks.SpectralNorm(keras.layers.Conv2D(64, 3, padding="same"))

    Reference: Miyato, Kataoka, Koyama, Yoshida, Spectral Normalization for
    Generative Adversarial Networks, ICLR 2018.
    """

    def __init__(self, layer, power_iterations=1, epsilon=1e-12, **kwargs):
        super().__init__(layer, **kwargs)
        if int(power_iterations) < 1:
            raise ValueError(
                f"Expected power_iterations >= 1. Received: power_iterations={power_iterations}"
            )
        kind = self._kind(layer)
        if kind is None:
            raise ValueError(
                "Expected a Dense, Conv1D, Conv2D, Conv3D or Embedding layer to normalise. "
                f"Received: {type(layer).__name__}. Transposed convolutions are not supported."
            )
        self.power_iterations = int(power_iterations)
        self.epsilon = float(epsilon)

    @staticmethod
    def _kind(layer):
        if isinstance(layer, keras.layers.Embedding):
            return "embedding"
        if isinstance(layer, keras.layers.Dense):
            return "dense"
        if isinstance(layer, (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)) and (
            not isinstance(layer, (keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
                                   keras.layers.Conv3DTranspose))
        ):
            return "conv"
        return None

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        if getattr(self.layer, "lora_enabled", False) or getattr(
            self.layer, "quantization_mode", None
        ):
            raise ValueError(
                "Expected a layer without LoRA or quantization for SpectralNorm. Received: "
                f"layer {self.layer.name!r}, which has LoRA or quantization enabled. Wrap a "
                "layer without them."
            )
        kernel = self._kernel()
        self.vector_u = self.add_weight(
            shape=(1, int(kernel.shape[-1])),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            trainable=False,
            name="vector_u",
        )
        self.built = True

    def _kernel(self):
        return self.layer.embeddings if self._kind(self.layer) == "embedding" else self.layer.kernel

    def normalized_kernel(self, training=False):
        """(W / sigma, new u): sigma estimated from the stored u; `training` iterates."""
        kernel = self._kernel()
        w = ops.cast(kernel.value, "float32")
        matrix = ops.reshape(w, (-1, w.shape[-1]))
        u = _normalize(ops.cast(self.vector_u.value, "float32"), self.epsilon)
        steps = self.power_iterations if training else 0
        for _ in range(steps):
            v = _normalize(ops.matmul(u, ops.transpose(matrix)), self.epsilon)
            u = _normalize(ops.matmul(v, matrix), self.epsilon)
        u = ops.stop_gradient(u)
        v = ops.stop_gradient(_normalize(ops.matmul(u, ops.transpose(matrix)), self.epsilon))
        sigma = ops.sum(ops.matmul(v, matrix) * u)
        return ops.cast(w / sigma, kernel.dtype), u

    def call(self, inputs, training=None):
        kernel, u = self.normalized_kernel(training=bool(training))
        if training:
            self.vector_u.assign(ops.cast(u, self.vector_u.dtype))
        layer = self.layer
        kind = self._kind(layer)
        if kind == "embedding":
            return ops.take(ops.cast(kernel, layer.compute_dtype), ops.cast(inputs, "int32"),
                            axis=0)
        inputs = ops.cast(inputs, layer.compute_dtype)
        kernel = ops.cast(kernel, layer.compute_dtype)
        if kind == "dense":
            outputs = ops.matmul(inputs, kernel)
            if layer.use_bias:
                outputs = ops.add(outputs, ops.cast(layer.bias, layer.compute_dtype))
        else:
            outputs = layer.convolution_op(inputs, kernel)
            if layer.use_bias:
                if layer.data_format == "channels_last":
                    shape = (1,) * (layer.rank + 1) + (layer.filters,)
                else:
                    shape = (1, layer.filters) + (1,) * layer.rank
                outputs = ops.add(outputs, ops.reshape(ops.cast(layer.bias, outputs.dtype), shape))
        if layer.activation is not None:
            outputs = layer.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations,
                "epsilon": self.epsilon}


def maybe_spectral_norm(layer, spectral_norm, power_iterations=1):
    """`SpectralNorm(layer)` when `spectral_norm`, else `layer` (for network builders)."""
    if not spectral_norm:
        return layer
    return SpectralNorm(layer, power_iterations=power_iterations, name=f"sn_{layer.name}")
