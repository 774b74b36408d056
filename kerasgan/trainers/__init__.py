"""Per-backend adversarial training steps: the only backend-specific code in kerasgan.

Each module implements `train_step(gan, ...)` with the signature Keras' trainer
of that backend calls, and `input_gradient(fn, x)` for gradient penalties.
"""

import importlib

import keras

_MODULES = {"tensorflow": "kerasgan.trainers.tensorflow_trainer",
            "jax": "kerasgan.trainers.jax_trainer",
            "torch": "kerasgan.trainers.torch_trainer"}


def get():
    """The trainer module for the active Keras backend."""
    backend = keras.backend.backend()
    if backend not in _MODULES:
        raise RuntimeError(
            "Expected the TensorFlow, JAX or PyTorch Keras backend. Received: the active backend "
            f"is '{backend}'. Set KERAS_BACKEND=tensorflow, jax or torch before importing keras."
        )
    return importlib.import_module(_MODULES[backend])


def keras_compile_options(options):
    """`GAN.compile`'s `keras.Model.compile` options, as the active backend's trainer runs them.

    Under torch the step runs eagerly: `jit_compile=True` (which checkpoints
    written under TensorFlow carry as XLA's choice) would wrap it in
    `torch.compile`, which cannot differentiate the gradient penalties twice
    and measured about 3x slower per step on the CPU after a compile of
    about 90 s. The GAN's saved compile config keeps the option as given.
    """
    if keras.backend.backend() == "torch" and options.get("jit_compile") is True:
        return {**options, "jit_compile": False}
    return options


def loss_scale(optimizer):
    """The factor `optimizer.scale_loss` multiplies losses by, or None without loss scaling.

    Read it before the optimizer's update (which may change it). Under JAX call
    it inside the step's stateless scope, so the current value is read.
    """
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.ops.cast(optimizer.dynamic_scale, "float32")
    return None


def gradient_norm(grads, scale=None):
    """`(norm, weight)`: the global L2 norm of `grads` (Nones skipped), unscaled by `scale`.

    With loss scaling (`scale` set) a step whose scaled gradients overflowed
    is skipped by the optimizer: its norm is reported as 0 with weight 0, so
    a metric's mean covers the applied updates only. Without, the weight is
    None and a non-finite norm is reported as it is.
    """
    ops = keras.ops
    squares = [ops.sum(ops.square(ops.cast(g, "float32"))) for g in grads if g is not None]
    norm = ops.sqrt(ops.sum(ops.stack(squares))) if squares else ops.zeros((), "float32")
    if scale is None:
        return norm, None
    norm = norm / scale
    finite = ops.isfinite(norm)
    return ops.where(finite, norm, 0.0), ops.cast(finite, "float32")


def update_metrics(gan, values):
    """Updates the GAN's metrics named in `values` (`{name: (values, sample_weight)}`).

    For the stateful trainers (TensorFlow, PyTorch); the JAX trainer does the same on its
    metric state. Returns the logs of the metrics updated.
    """
    by_name = {m.name: m for m in gan.metrics}
    for name, (value, weight) in values.items():
        by_name[name].update_state(value, sample_weight=weight)
    return {name: by_name[name].result() for name in values}


def evaluation_values(gan, data):
    """`gan.evaluation_losses(data)` as `update_metrics` takes them (no sample weights)."""
    return {name: (value, None) for name, value in gan.evaluation_losses(data).items()}
