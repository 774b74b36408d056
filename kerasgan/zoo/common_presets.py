"""Helpers shared by the CNN, WGAN, L1 and toy preset modules (no presets registered here)."""

import keras

from kerasgan.zoo.common import check_learning_rate, compile_kwargs

# Config keys every preset of these modules takes (besides its own).
ADVERSARIAL_DEFAULTS = {"fake_source": "generator", "anneal_steps": 10_000}
RUN_DEFAULTS = {"seed": None, "jit_compile": "auto", "steps_per_execution": 1}


def output_activation(name, value_range):
    """The generator output activation for a preset's `value_range`."""
    value_range = tuple(float(v) for v in value_range)
    if value_range == (-1.0, 1.0):
        return "tanh"
    if value_range == (0.0, 1.0):
        return "sigmoid"
    raise ValueError(
        f"Preset '{name}' serves images in [-1, 1] (tanh) or [0, 1] (sigmoid). "
        f"Received: value_range={value_range}"
    )


def require_range(name, value_range, expected):
    """Raises unless `value_range` is the only range the preset's generator can produce."""
    if tuple(float(v) for v in value_range) != tuple(expected):
        raise ValueError(
            f"Preset '{name}' draws images in {tuple(expected)} (its generator's output "
            f"activation). Received: value_range={tuple(value_range)}"
        )


def rmsprop(learning_rate, rho=0.9, epsilon=1e-7):
    """A Keras RMSprop; note Keras adds `epsilon` inside the square root."""
    return keras.optimizers.RMSprop(
        check_learning_rate("learning_rate", learning_rate), rho=rho, epsilon=epsilon
    )


def adam(learning_rate, beta_1, beta_2):
    return keras.optimizers.Adam(
        check_learning_rate("learning_rate", learning_rate), beta_1=beta_1, beta_2=beta_2
    )


def compile_gan(gan, d_optimizer, g_optimizer, loss, jit_compile, steps_per_execution):
    gan.compile(
        d_optimizer=d_optimizer,
        g_optimizer=g_optimizer,
        loss=loss,
        **compile_kwargs(jit_compile, steps_per_execution),
    )
    return gan
