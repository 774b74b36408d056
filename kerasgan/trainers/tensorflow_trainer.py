"""TensorFlow training step: one GradientTape and one optimizer update per phase."""

import tensorflow as tf
from keras import ops


def train_step(gan, data):
    chunks = gan.real_chunks(data)
    randomness = gan.draw_randomness(int(chunks[0].shape[0]))
    d_losses, g_loss = [], None
    for phase in gan.phase_plan():
        is_d = phase.network == "discriminator"
        variables = gan.d_variables if is_d else gan.g_variables
        optimizer = gan.d_optimizer if is_d else gan.g_optimizer
        with tf.GradientTape() as tape:
            loss = gan.phase_loss(phase, chunks, randomness)
            scaled = optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, variables)
        # Variable constraints (WGAN clipping) are applied by the optimizer after the update.
        optimizer.apply(grads, variables)
        if is_d:
            d_losses.append(loss)
        else:
            g_loss = loss
    gan.d_loss_tracker.update_state(ops.sum(ops.stack(d_losses)) / gan.d_steps)
    gan.g_loss_tracker.update_state(g_loss)
    return {m.name: m.result() for m in gan.metrics}


def input_gradient(fn, x):
    """d sum(fn(x)) / dx, differentiable again (for gradient penalties)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x)
