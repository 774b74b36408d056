"""Floating-point operations of one training step of a preset, counted from its layers' shapes.

Counted: the multiply-adds of convolutions (also transposed and tied ones), dense layers and
spectrally normalised wrappers of them, two operations each; normalisation, activations, the
optimizer update and the loss are left out (a few percent of a convolutional step). A training
pass over a network costs three forward passes (forward, gradient with respect to the inputs,
gradient with respect to the weights); a pass that needs only the gradient with respect to the
inputs (the discriminator inside the generator's update) costs two; a gradient penalty or R1
term (a gradient of a gradient) is counted as one more training pass of the discriminator over
its images. These are the usual conventions for a FLOP budget, not a trace of what a backend
runs: XLA or oneDNN may skip or fuse work, so GFLOP/s compare runs of the same step only.

Example:
    >>> flops = step_flops(kerasgan.zoo.get("shared_wgan"), step_batch=320)
    >>> flops["total"] / 1e9  # GFLOP per generator update
"""

import math

import keras

_CONV = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)
_TRANSPOSE = (keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
              keras.layers.Conv3DTranspose)


def _spatial(shape):
    return math.prod(int(d) for d in shape[1:-1])


def layer_flops(layer, input_shape, output_shape):
    """Forward FLOPs per example of one layer, given its input and output shapes (batch first)."""
    inner = layer.layer if isinstance(layer, keras.layers.Wrapper) else layer
    kernel = getattr(inner, "kernel", None)
    if kernel is None:
        return 0
    k = tuple(int(d) for d in kernel.shape)
    if isinstance(inner, _TRANSPOSE):
        # Every input position scatters a (k..., out) block: in_positions x k x in x out.
        return 2 * _spatial(input_shape) * math.prod(k)
    if isinstance(inner, _CONV):
        # Every output position gathers a (k..., in / groups) window per output channel.
        return 2 * _spatial(output_shape) * math.prod(k)
    if isinstance(inner, keras.layers.Dense):
        positions = math.prod(int(d) for d in output_shape[1:-1]) if len(output_shape) > 2 else 1
        return 2 * positions * k[0] * k[1]
    return 0


def network_flops(model):
    """Forward FLOPs per example of a functional or sequential Keras model (nested ones too)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += network_flops(layer)
            continue
        try:
            inputs, outputs = layer.input, layer.output
        except (AttributeError, ValueError):
            continue  # a layer never called symbolically holds no shapes to count
        if isinstance(inputs, (list, tuple)):
            if not inputs:
                continue  # an InputLayer
            inputs = inputs[0]
        first_out = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        first_in = inputs
        total += layer_flops(layer, tuple(first_in.shape), tuple(first_out.shape))
    return total


def step_flops(gan, step_batch):
    """FLOPs of one `fit()` step (d_steps critic updates and one generator update).

    Args:
        gan: A built `kerasgan.GAN` (e.g. from `kerasgan.zoo.get`).
        step_batch: Real images one step consumes (the bench's batch column).

    Returns:
        A dict: `generator_forward` and `discriminator_forward` (per example), `discriminator`
        and `generator` (per step, the two phases) and `total`.
    """
    g = network_flops(gan.generator)
    d = network_flops(gan.discriminator)
    d_steps = int(getattr(gan, "d_steps", 1))
    split = getattr(gan, "real_batches", "reuse") == "split"
    part = -(-step_batch // d_steps) if split else step_batch
    penalties = bool(getattr(gan, "gradient_penalty_weight", 0.0)) + bool(
        getattr(gan, "r1_weight", 0.0))
    # Each critic update: fakes drawn (G forward), D trained on reals and fakes, penalties.
    per_update = g * part + 3 * d * 2 * part + penalties * 3 * d * part
    discriminator = d_steps * per_update
    # The generator update: G trained, D passed through for the gradient with respect to its input.
    generator = 3 * g * part + 2 * d * part
    return {"generator_forward": g, "discriminator_forward": d,
            "discriminator": discriminator, "generator": generator,
            "total": discriminator + generator}
