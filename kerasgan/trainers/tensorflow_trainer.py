"""TensorFlow training step: one GradientTape and one optimizer update per phase."""

import tensorflow as tf

from kerasgan import trainers


def train_step(gan, data):
    chunks = gan.real_chunks(data)
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    # MultiWorkerMirroredStrategy's rebatched datasets lose the static batch size.
    batch = chunks[0].shape[0]
    batch = tf.shape(chunks[0])[0] if batch is None else int(batch)
    randomness = _replica_randomness(gan, batch, replicas)
    results = []
    for phase in gan.phase_plan():
        is_d = phase.network == "discriminator"
        variables = gan.d_variables if is_d else gan.g_variables
        optimizer = gan.d_optimizer if is_d else gan.g_optimizer
        result = {"phase": phase}
        with tf.GradientTape() as tape:
            if gan.diagnostics:
                loss, result["aux"] = gan.phase_loss(phase, chunks, randomness, return_aux=True)
            else:
                loss = gan.phase_loss(phase, chunks, randomness)
            # Keras' TF optimizer SUMS gradients over replicas (and Keras' own compute_loss
            # divides by the replica count): divide too, so the update is the global-batch mean.
            scaled = optimizer.scale_loss(loss / replicas if replicas > 1 else loss)
        grads = tape.gradient(scaled, variables)
        if gan.diagnostics:
            result["grad_norm"] = _global_gradient_norm(grads, optimizer, replicas)
        # Variable constraints (WGAN clipping) are applied by the optimizer after the update.
        optimizer.apply(grads, variables)
        if not is_d:
            gan.after_generator_update()
        result["loss"] = loss
        results.append(result)
    trainers.update_metrics(gan, gan.step_metric_values(results))
    logs = {m.name: m.result() for m in gan.metrics}
    if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
        # Keras reduces multi-worker logs with strategy.reduce(MEAN, axis=0), which needs an axis.
        logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
    return logs


def test_step(gan, data):
    """`evaluate()`'s step: the losses of `gan.evaluation_losses`, no update."""
    return trainers.update_metrics(gan, trainers.evaluation_values(gan, data))


def _global_gradient_norm(grads, optimizer, replicas):
    """`trainers.gradient_norm` of the global-batch gradient (all-reduced over replicas)."""
    if replicas > 1:
        # Each replica holds the gradient of its share of the loss; their sum is the update's.
        present = [g for g in grads if g is not None]
        grads = tf.distribute.get_replica_context().all_reduce(
            tf.distribute.ReduceOp.SUM, present)
    return trainers.gradient_norm(grads, trainers.loss_scale(optimizer))


def _replica_randomness(gan, batch, replicas):
    """The step's noise for the global batch, cut to this replica's rows.

    Every replica's seed generator holds the same state, so each draws the same
    global-batch noise and keeps its own slice: N replicas then see exactly the
    noise one device would see for the global batch.
    """
    if replicas == 1:
        return gan.draw_randomness(batch)
    full = gan.draw_randomness(batch * replicas)
    start = tf.distribute.get_replica_context().replica_id_in_sync_group * batch
    return {k: v[start : start + batch] for k, v in full.items()}


def input_gradient(fn, x):
    """d sum(fn(x)) / dx, differentiable again (for gradient penalties)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x)
