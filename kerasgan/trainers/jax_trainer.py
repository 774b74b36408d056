"""JAX training step: a stateless value-and-grad per phase, state threaded by `fit()`.

Keras' JAX trainer hands `train_step` the values of the model's trainable,
non-trainable, optimizer and metric variables and expects the new values
back. Each phase runs the backend-neutral `gan.phase_loss` inside a
`StatelessScope` mapping every variable to its current value, so BatchNorm
statistics and seed-generator states are read back after every phase.
"""

import weakref

import jax
import keras
from keras import ops

from kerasgan import trainers
from kerasgan.trainers import jax_conv_split, jax_conv_transpose


# Layouts per GANOptimizer: `GAN.compile()` builds a new one, so a recompiled GAN (another
# optimizer class, other state variables) gets a fresh layout and never a stale one.
_LAYOUTS = weakref.WeakKeyDictionary()


def _layout(gan):
    """Where each network's variables sit in the trainable and optimizer state lists."""
    cached = _LAYOUTS.get(gan.optimizer)
    if cached is not None and cached["sizes"] == _sizes(gan):
        return cached
    index = {}
    for i, v in enumerate(gan.trainable_variables):
        index.setdefault(id(v), i)
    d_idx = [index[id(v)] for v in gan.d_variables]
    g_idx = [index[id(v)] for v in gan.g_variables]
    n_d = len(gan.d_optimizer.variables)
    n_own = len(gan.optimizer.variables) - n_d - len(gan.g_optimizer.variables)
    layout = {
        "discriminator": (d_idx, slice(n_own, n_own + n_d), gan.d_optimizer),
        "generator": (g_idx, slice(n_own + n_d, None), gan.g_optimizer),
        "sizes": _sizes(gan),
    }
    _LAYOUTS[gan.optimizer] = layout
    return layout


def _sizes(gan):
    return (len(gan.trainable_variables), len(gan.d_optimizer.variables),
            len(gan.g_optimizer.variables))


def _run(gan, fn, tv, ntv, ov):
    """Runs `fn` with variables mapped to values; returns (output, new non-trainable values)."""
    mapping = (
        list(zip(gan.trainable_variables, tv))
        + list(zip(gan.non_trainable_variables, ntv))
        + list(zip(gan.optimizer.variables, ov))
    )
    with keras.StatelessScope(state_mapping=mapping) as scope:
        out = fn()
    return out, [scope.get_current_value(v) for v in gan.non_trainable_variables]


def _put(values, indices, new):
    values = list(values)
    for i, v in zip(indices, new):
        values[i] = v
    return values


@jax_conv_split.within_split_kernel_grads
@jax_conv_transpose.within_fast_conv_transpose_grad
def train_step(gan, state, data):
    trainable, non_trainable, optimizer_values, metric_values = state
    tv, ntv, ov = list(trainable), list(non_trainable), list(optimizer_values)
    layout = _layout(gan)
    chunks = gan.real_chunks(data)
    randomness, ntv = _run(gan, lambda: gan.draw_randomness(int(chunks[0].shape[0])), tv, ntv, ov)
    results = []
    for phase in gan.phase_plan():
        idx, opt_slice, optimizer = layout[phase.network]

        def loss_fn(update, tv, ntv, phase=phase, idx=idx, optimizer=optimizer):
            def compute():
                if gan.diagnostics:
                    loss, aux = gan.phase_loss(phase, chunks, randomness, return_aux=True)
                else:
                    loss, aux = gan.phase_loss(phase, chunks, randomness), None
                return loss, aux, trainers.loss_scale(optimizer), optimizer.scale_loss(loss)

            (loss, aux, scale, scaled), new_ntv = _run(gan, compute, _put(tv, idx, update), ntv, ov)
            return scaled, (loss, aux, scale, new_ntv)

        update = [tv[i] for i in idx]
        grads, (loss, aux, scale, ntv) = jax.grad(loss_fn, has_aux=True)(update, tv, ntv)
        result = {"phase": phase, "loss": loss}
        if gan.diagnostics:
            result["aux"] = aux
            result["grad_norm"] = trainers.gradient_norm(grads, scale)
        update, new_opt = optimizer.stateless_apply(ov[opt_slice], grads, update)
        tv = _put(tv, idx, update)
        ov[opt_slice] = new_opt
        if phase.network == "generator":
            _, ntv = _run(gan, gan.after_generator_update, tv, ntv, ov)
        results.append(result)
    values = gan.step_metric_values(results)
    logs, mv = _update_metrics(gan, metric_values, values)
    return logs, (tv, ntv, ov, mv)


def test_step(gan, state, data):
    """`evaluate()`'s step: the losses of `gan.evaluation_losses`, no update."""
    trainable, non_trainable, metric_values = state
    tv, ntv = list(trainable), list(non_trainable)
    mapping = list(zip(gan.trainable_variables, tv)) + list(zip(gan.non_trainable_variables, ntv))
    with keras.StatelessScope(state_mapping=mapping) as scope:
        values = trainers.evaluation_values(gan, data)
    ntv = [scope.get_current_value(v) for v in gan.non_trainable_variables]
    logs, mv = _update_metrics(gan, metric_values, values)
    return logs, (tv, ntv, mv)


def _update_metrics(gan, metric_values, values):
    """Updates the metrics named in `values` (`name: (values, sample_weight)`).

    The other metrics keep their values and are left out of the logs.
    """
    mv, logs, start = list(metric_values), {}, 0
    for metric in gan.metrics:
        n = len(metric.variables)
        if metric.name in values:
            value, weight = values[metric.name]
            new = metric.stateless_update_state(mv[start : start + n], value, sample_weight=weight)
            mv[start : start + n] = new
            logs[metric.name] = metric.stateless_result(new)
        start += n
    return logs, mv


def input_gradient(fn, x):
    """d sum(fn(x)) / dx, differentiable again (for gradient penalties)."""
    return jax.grad(lambda inputs: ops.sum(fn(inputs)))(x)
