"""Training steps that leave out their own update when it is not finite (the NaN stop's half inside
the step).

`kerasgan.GAN.fit` runs each backend's `train_step` through `train_step` here while a
`kerasgan.callbacks.TerminateOnNonFinite` watches the run. A step is applied only if every value
it logs and every trainable variable after its updates are finite. Otherwise the GAN keeps the
state it had before the step: weights, optimizer state (its step count too), BatchNorm
statistics, the generator's moving average and the noise stream; the callback then stops
training.

The logged values are running means over the epoch: once one is NaN or Inf it stays so, and
every later step of the epoch (within a multi-step execution) is left out too. A step whose
losses were finite but whose update was not logs NaN for every value (the metrics keep its
finite losses, which is how the callback tells the two apart).

The state before the step is kept alive until the check: under JAX the step's input values
(one select per variable), under TensorFlow a read of each variable before the updates (which
then copy instead of updating in place), under PyTorch a clone of each variable.
"""

import keras

from kerasgan import trainers

# The name scope of the check's own ops (profiles place them under it).
SCOPE = "finite_step_check"


def watch(gan, callbacks, terminate_on_nan=True):
    """`fit()`'s `callbacks` with a `TerminateOnNonFinite` added (unless they hold one,
    `terminate_on_nan` is False or they are a `keras.callbacks.CallbackList`, used as given);
    `gan`'s step skips non-finite updates while one watches."""
    from kerasgan.callbacks import TerminateOnNonFinite

    given = isinstance(callbacks, keras.callbacks.CallbackList)
    listed = callbacks.callbacks if given else list(callbacks or [])
    if terminate_on_nan and not given and not any(
            isinstance(c, TerminateOnNonFinite) for c in listed):
        callbacks = listed + [TerminateOnNonFinite()]
    guarded = any(isinstance(c, TerminateOnNonFinite)
                  for c in (callbacks.callbacks if given else callbacks or []))
    if guarded != getattr(gan, "_skip_non_finite_steps", False):
        gan._skip_non_finite_steps = guarded
        gan.train_function = None  # traced again, with or without the check
    return callbacks


def state_variables(gan):
    """The variables a training step may change, except the metrics', each once."""
    seen, out = set(), []
    for v in gan.trainable_variables + gan.non_trainable_variables + gan.optimizer.variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def all_finite(values):
    """A scalar bool: every value (tensors or variables; floats only) is finite."""
    ops = keras.ops
    flags = [ops.all(ops.isfinite(v)) for v in values
             if keras.backend.is_float_dtype(keras.backend.standardize_dtype(v.dtype))]
    return ops.all(ops.stack(flags)) if flags else ops.convert_to_tensor(True)


def checked_logs(logs, weights_ok):
    """`logs`, every value NaN if they were finite but the update left a weight non-finite."""
    ops = keras.ops
    keep = ops.logical_or(weights_ok, ops.logical_not(all_finite(logs.values())))
    return {k: ops.where(keep, v, ops.cast(float("nan"), v.dtype)) for k, v in logs.items()}


def train_step(gan, *args):
    """The active backend's `train_step(gan, *args)`, applied only when its results are finite."""
    backend = keras.backend.backend()
    step = trainers.get().train_step
    if backend == "jax":
        return _jax_step(gan, step, *args)
    if backend == "tensorflow":
        return _tensorflow_step(gan, step, *args)
    return _torch_step(gan, step, *args)


def _jax_step(gan, step, state, data):
    import jax.numpy as jnp

    import jax

    logs, new_state = step(gan, state, data)
    trainable, non_trainable, optimizer_values, metric_values = new_state
    with jax.named_scope(SCOPE):
        weights_ok = all_finite(trainable)
        ok = jnp.logical_and(all_finite(logs.values()), weights_ok)

        def keep(new, old):
            return [jnp.where(ok, n, o) for n, o in zip(new, old)]

        kept = (keep(trainable, state[0]), keep(non_trainable, state[1]),
                keep(optimizer_values, state[2]), metric_values)
        return checked_logs(logs, weights_ok), kept


def _tensorflow_step(gan, step, data):
    import tensorflow as tf

    variables = [v.value for v in state_variables(gan)]
    # Nothing of the step runs before its batch arrives: a batch that fails in the input
    # pipeline leaves no partial update (the step count, the noise stream).
    with tf.control_dependencies(tf.nest.flatten(data)):
        before = [tf.identity(v) for v in variables]
        logs = step(gan, data)
    with tf.name_scope(SCOPE):
        weights_ok = all_finite([v.value for v in gan.trainable_variables])
        ok = tf.logical_and(all_finite(logs.values()), weights_ok)
    if not tf.distribute.has_strategy():
        # One branch restores every variable: a branch per variable, as the strategies need
        # below, takes several times longer to trace (BUILD_NOTES.md, "Tests and CI").
        def restore_all():
            for variable, value in zip(variables, before):
                variable.assign(value)
            return tf.constant(True)

        tf.cond(ok, lambda: tf.constant(False), restore_all)
        return checked_logs(logs, weights_ok)
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        # Every replica restores or none: one replica's NaN batch stops them all.
        bad = context.all_reduce(tf.distribute.ReduceOp.SUM, tf.cast(tf.logical_not(ok), "float32"))
        ok = tf.equal(bad, 0.0)

    def restore_one(variable, value, ok):
        def assign():
            variable.assign(value)
            return tf.constant(True)

        return tf.cond(ok, lambda: tf.constant(False), assign)

    def restore(distribution, pairs, ok):
        for variable, value in pairs:
            distribution.extended.update(variable, restore_one, args=(value, ok), group=False)

    tf.__internal__.distribute.interim.maybe_merge_call(
        restore, gan.distribute_strategy, list(zip(variables, before)), ok)
    return checked_logs(logs, weights_ok)


def _torch_step(gan, step, data):
    import torch

    variables = state_variables(gan)
    with torch.no_grad():
        before = [v.value.detach().clone() for v in variables]
    logs = step(gan, data)
    with torch.no_grad():
        weights_ok = all_finite(gan.trainable_variables)
        if not bool(all_finite(logs.values())) or not bool(weights_ok):
            for variable, value in zip(variables, before):
                variable.assign(value)
        return checked_logs(logs, weights_ok)
