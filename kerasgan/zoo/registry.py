"""The preset registry: named, data-only GAN recipes."""

import dataclasses
import difflib
from typing import Any, Callable

from kerasgan.zoo import checks


@dataclasses.dataclass(frozen=True)
class Preset:
    """A registered recipe: a builder plus the data-only config it is called with.

    Attributes:
        name: Registry key, e.g. `"mnist_mlp"`.
        builder: `builder(**config) -> kerasgan.GAN`, built and compiled.
        config: Default keyword arguments of `builder`. Every key can be
            overridden through `kerasgan.zoo.get(name, **overrides)`.
        description: One line for `names()` listings and cards.
        paper: Reference (paper and code) the preset reproduces.
        dataset: The dataset the reference trains on (a `kerasgan.data.load` name).
    """

    name: str
    builder: Callable[..., Any]
    config: dict
    description: str = ""
    paper: str = ""
    dataset: str = ""

    @property
    def image_shape(self):
        return tuple(self.config["image_shape"])

    @property
    def value_range(self):
        return tuple(float(v) for v in self.config["value_range"])

    @property
    def batch_size(self):
        """Images per discriminator update."""
        return int(self.config["batch_size"])

    @property
    def step_batch_size(self):
        """Real images one `fit()` step consumes (one generator update)."""
        if self.config.get("real_batches", "reuse") == "split":
            return self.batch_size * int(self.config.get("d_steps", 1))
        return self.batch_size


_REGISTRY: dict = {}


def register(name, builder, config, description="", paper="", dataset=""):
    """Registers a preset; raises on a duplicate name.

    `config` must hold `image_shape`, `value_range` and `batch_size`.
    """
    if name in _REGISTRY:
        raise ValueError(f"A preset named '{name}' is already registered.")
    missing = {"image_shape", "value_range", "batch_size"} - set(config)
    if missing:
        raise ValueError(f"Preset '{name}' config lacks required keys {sorted(missing)}.")
    _REGISTRY[name] = Preset(name, builder, dict(config), description, paper, dataset)
    return _REGISTRY[name]


def names():
    """Sorted names of every registered preset."""
    return sorted(_REGISTRY)


def spec(name):
    """The `Preset` registered under `name`; a miss lists the known names."""
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), names(), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Unknown preset {name!r}.{hint} Known presets: {', '.join(names())}."
        )
    return _REGISTRY[name]


def get(name, **overrides):
    """Builds the preset `name` as a compiled `kerasgan.GAN`, ready for `fit()`.

    Args:
        name: A name from `kerasgan.zoo.names()`.
        **overrides: Replace entries of the preset's config (see its card).

    Example:
    >>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
    >>> gan.fit(kerasgan.data.load("fashion_mnist", preset="mnist_mlp"), epochs=1)
    """
    preset = spec(name)
    unknown = sorted(set(overrides) - set(preset.config))
    if unknown:
        suggestions = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(preset.config), n=1)
            suggestions.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise ValueError(
            f"Unknown override(s) for preset '{name}': {', '.join(suggestions)}. "
            f"Valid overrides: {', '.join(sorted(preset.config))}."
        )
    checks.check_overrides(name, preset.config, overrides)
    config = {**preset.config, **overrides}
    return preset.builder(**config)
