"""PyTorch training step: eager autograd and one optimizer update per phase.

Keras' torch backend runs `fit()` eagerly: `train_step` computes each
phase's loss with the backend-neutral `gan.phase_loss`, differentiates it with
`torch.autograd.grad` with respect to the phase's variables only, and applies
the update with that network's optimizer. Variables are updated in place, so
optimizer state, BatchNorm statistics, the EMA and the noise stream carry
from step to step as they do under TensorFlow.
"""

import contextlib

import torch

from kerasgan import trainers


def _float16_on_cpu(gan):
    """True when a network computes in float16 on the CPU."""
    return any(network.compute_dtype == "float16" and network.trainable_variables
               and network.trainable_variables[0].value.device.type == "cpu"
               for network in (gan.generator, gan.discriminator))


def _gradients(gan, loss, variables):
    """d loss / d variables; None where the loss does not reach (the optimizer skips those)."""
    try:
        return list(torch.autograd.grad(loss, [v.value for v in variables], allow_unused=True))
    except RuntimeError as e:
        if not _float16_on_cpu(gan):
            raise
        raise ValueError(
            "Expected mixed_bfloat16 or float32 for this GAN on the CPU under the torch backend. "
            "Received: the mixed_float16 policy, whose float16 gradients PyTorch's CPU kernels "
            f"could not compute ({e}). Call kerasgan.distribution.set_mixed_precision("
            "'mixed_bfloat16') (or pass --mixed_precision=mixed_bfloat16) before building the "
            "GAN, or train on a GPU."
        ) from e


@contextlib.contextmanager
def _only_differentiating(gan, variables):
    """Within the block, of the GAN's trainable variables only `variables` require gradients.

    The other network's forward pass then records no graph for its weights
    (a discriminator update's fakes are made without one, as a hand-written
    PyTorch loop makes them under `detach`), and a generator update computes
    no gradient for the discriminator's weights.
    """
    wanted = {id(v) for v in variables}
    frozen = []
    for v in gan.trainable_variables:
        value = v.value
        if id(v) not in wanted and value.requires_grad:
            value.requires_grad_(False)
            frozen.append(value)
    try:
        yield
    finally:
        for value in frozen:
            value.requires_grad_(True)


def train_step(gan, data):
    chunks = gan.real_chunks(data)
    randomness = gan.draw_randomness(int(chunks[0].shape[0]))
    results = []
    for phase in gan.phase_plan():
        is_d = phase.network == "discriminator"
        variables = gan.d_variables if is_d else gan.g_variables
        optimizer = gan.d_optimizer if is_d else gan.g_optimizer
        result = {"phase": phase}
        with _only_differentiating(gan, variables):
            if gan.diagnostics:
                loss, result["aux"] = gan.phase_loss(phase, chunks, randomness, return_aux=True)
            else:
                loss = gan.phase_loss(phase, chunks, randomness)
            scale = trainers.loss_scale(optimizer)
            scaled = optimizer.scale_loss(loss)
            grads = _gradients(gan, scaled, variables)
        if gan.diagnostics:
            result["grad_norm"] = trainers.gradient_norm(grads, scale)
        with torch.no_grad():
            # Variable constraints (WGAN clipping) are applied by the optimizer after the update.
            optimizer.apply(grads, variables)
            if not is_d:
                gan.after_generator_update()
        result["loss"] = loss.detach()
        results.append(result)
    with torch.no_grad():
        trainers.update_metrics(gan, gan.step_metric_values(results))
        return {m.name: m.result() for m in gan.metrics}


def test_step(gan, data):
    """`evaluate()`'s step: the losses of `gan.evaluation_losses`, no update."""
    with torch.no_grad():
        return trainers.update_metrics(gan, trainers.evaluation_values(gan, data))


def input_gradient(fn, x):
    """d sum(fn(x)) / dx, differentiable again (for gradient penalties)."""
    with torch.enable_grad():
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        y = fn(x)
        (grad,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return grad
