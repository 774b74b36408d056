"""Per-backend adversarial training steps: the only backend-specific code in kerasgan.

Each module implements `train_step(gan, ...)` with the signature Keras' trainer
of that backend calls, and `input_gradient(fn, x)` for gradient penalties.
"""

import importlib

import keras

_MODULES = {"tensorflow": "kerasgan.trainers.tensorflow_trainer", "jax": "kerasgan.trainers.jax_trainer"}


def get():
    """The trainer module for the active Keras backend."""
    backend = keras.backend.backend()
    if backend not in _MODULES:
        raise RuntimeError(
            f"kerasgan trains under the TensorFlow and JAX backends; the active backend is "
            f"'{backend}'. Set KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax before importing keras."
        )
    return importlib.import_module(_MODULES[backend])
