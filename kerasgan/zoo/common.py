"""Helpers shared by the preset builders."""

import keras


def seed_everything(seed):
    """Seeds Python, NumPy and the backend so that weight init is repeatable."""
    if seed is not None:
        keras.utils.set_random_seed(int(seed))


def check_learning_rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number. Received: {name}={value!r}")
    return float(value)


def compile_kwargs(jit_compile, steps_per_execution):
    return {"jit_compile": jit_compile, "steps_per_execution": int(steps_per_execution)}
