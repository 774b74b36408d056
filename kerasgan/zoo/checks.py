"""Type and range checks of preset overrides, run by `kerasgan.zoo.get` before anything is built.

Every failure is a `ValueError` "Expected <key> to be <what>. Received:
<key>=<value> (<type>)." naming the preset's default (the fix), built by
`kerasgan.validation.argument_error` from its predicates. Choices among names
(`loss`, `generator`, ...) are checked where they are looked up, which lists the known names.
"""

from kerasgan import validation
from kerasgan.validation import (
    is_finite_number,
    is_int,
    is_number,
    is_positive_int,
    is_positive_number,
)

_POSITIVE_INTS = {
    "batch_size", "latent_dim", "steps_per_execution", "hidden", "base_filters",
    "d_steps",
}
_NON_NEGATIVE_NUMBERS = {"gradient_penalty_weight", "epsilon"}
# Decay rates: 1.0 would divide by zero (Adam's bias correction) or freeze the average (RMSprop).
_DECAY_RATES = {"beta_1", "beta_2", "rho"}
_MAX_SEED = 2**32 - 1


def _is_sequence(value):
    return isinstance(value, (tuple, list))


def _problem(key, value, default):
    """What is wrong with `value` for `key` (None when it is fine)."""
    if key in _POSITIVE_INTS:
        if not is_positive_int(value):
            return "a positive integer"
    elif key.endswith("learning_rate"):
        if not is_positive_number(value):
            return "a positive number (finite)"
    elif key == "clip_value":  # None: no weight clipping
        if value is not None and not is_positive_number(value):
            return "None or a positive number (finite)"
    elif key in _NON_NEGATIVE_NUMBERS:
        if not is_finite_number(value) or not value >= 0:
            return "a finite number >= 0"
    elif key in _DECAY_RATES:
        if not is_number(value) or not 0 <= value < 1:
            return "a number in [0, 1)"
    elif key == "seed":
        if value is not None and (not is_int(value) or not 0 <= value <= _MAX_SEED):
            return f"None or an integer in [0, {_MAX_SEED}]"
    elif key == "jit_compile":
        if not (isinstance(value, bool) or value == "auto"):
            return "True, False or 'auto'"
    elif key == "image_shape":
        n = len(default)
        if (not _is_sequence(value) or len(value) != n
                or not all(is_positive_int(v) for v in value)):
            return f"a tuple of {n} positive integer(s)" + (" (H, W, C)" if n == 3 else "")
    elif key == "value_range":
        if not _is_sequence(value) or not validation.is_range_pair(value):
            return "a pair (low, high) of finite numbers with low < high"
    elif key.endswith("widths"):
        if not _is_sequence(value) or not all(is_positive_int(v) for v in value):
            return "a tuple of positive integers (hidden layer widths)"
    elif key in ("generator", "discriminator"):
        if not isinstance(value, (str, dict)):
            return "a registered network name or a dict {'name': ..., **keywords}"
    elif isinstance(default, bool):
        if not isinstance(value, bool):
            return "True or False"
    elif isinstance(default, str):
        if not isinstance(value, str):
            return "a string"
    elif is_number(default):
        if not is_finite_number(value):
            return "a finite number"
    elif _is_sequence(default) and not _is_sequence(value):
        return "a tuple"
    return None


def check_overrides(name, config, overrides):
    """Raises a ValueError for the first override of the wrong type or out of range.

    Args:
        name: The preset's name (for the message).
        config: `{key: the preset's default}` for every key of `overrides`.
        overrides: The overrides given to `kerasgan.zoo.get`.
    """
    for key, value in overrides.items():
        default = config[key]
        expected = _problem(key, value, default)
        if expected is not None:
            raise validation.argument_error(
                key, value, expected,
                f"Preset '{name}' defaults to {key}={default!r}; pass a value like it, or leave "
                "the override out.")
