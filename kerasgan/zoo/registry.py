"""The preset registry: named GAN recipes as data, built by one generic builder."""

import copy
import dataclasses
import difflib

from kerasgan.utils import preset_lookup
from kerasgan.zoo import builder, checks
from kerasgan.zoo import config as config_lib
from kerasgan.zoo import weights as weights_lib

_REQUIRED = ("image_shape", "value_range", "batch_size", "latent_dim", "generator",
             "discriminator", "d_optimizer", "g_optimizer")


@dataclasses.dataclass(frozen=True)
class Preset:
    """A registered preset.

    Attributes:
        name: Registry key, e.g. `"mnist_mlp"`.
        recipe: The structured config (see `kerasgan.zoo.config`): networks by
            name, `kerasgan.GAN` keywords, Keras optimizer configs, compile options.
        description: One line for listings and cards.
        reference: The paper and code the preset reproduces.
        dataset: The dataset the reference trains on (a `kerasgan.data.load` name).
        weights: `{dataset: {"file", "sha256", "overrides", ...}}` of shipped
            trained weights (see `kerasgan.zoo.get(name, weights=...)`).
    """

    name: str
    recipe: dict
    description: str = ""
    reference: str = ""
    dataset: str = ""
    weights: dict = dataclasses.field(default_factory=dict)

    def as_dict(self):
        """The preset as the dict it was registered from (a copy)."""
        return copy.deepcopy({"description": self.description, "reference": self.reference,
                              "dataset": self.dataset, "config": self.recipe,
                              "weights": self.weights})

    @property
    def config(self):
        """The flat keys `kerasgan.zoo.get(name, **overrides)` takes, with their defaults."""
        return config_lib.flat_view(self.recipe)

    @property
    def image_shape(self):
        return tuple(self.recipe["image_shape"])

    @property
    def value_range(self):
        return tuple(float(v) for v in self.recipe["value_range"])

    @property
    def batch_size(self):
        """Real images per discriminator update."""
        return int(self.recipe["batch_size"])

    @property
    def step_batch_size(self):
        """Real images one `fit()` step consumes (one generator update).

        `batch_size * d_steps` when every discriminator update takes a fresh
        real batch (`real_batches="split"`), else `batch_size`.
        """
        gan = self.recipe.get("gan", {})
        if gan.get("real_batches", "reuse") == "split":
            return self.batch_size * int(gan.get("d_steps", 1))
        return self.batch_size


_REGISTRY: dict = {}


def register(name, preset):
    """Registers `preset`, a dict `{description, reference, dataset, config[, weights]}`.

    Raises on a duplicate name or a config without the keys every preset has.

    Args:
        name: The preset's name.
        preset: The preset dict; `config` is a structured config (see `kerasgan.zoo.config`).

    Example:
    >>> kerasgan.zoo.register("my_dcgan", {**kerasgan.zoo.spec("dcgan").as_dict(),
    ...                                    "description": "DCGAN at lr 1e-4"})
    """
    if name in _REGISTRY:
        raise ValueError(f"Expected a new preset name. Received: '{name}', which is already registered.")
    unknown = sorted(set(preset) - {"description", "reference", "dataset", "config", "weights"})
    if unknown or "config" not in preset:
        raise ValueError(
            "Expected a preset dict with keys description, reference, dataset, config "
            f"(and optionally weights). Received keys: {sorted(preset)}."
        )
    recipe = copy.deepcopy(preset["config"])
    missing = [k for k in _REQUIRED if k not in recipe]
    if missing:
        raise ValueError(
            f"Expected preset '{name}' config to have the keys {list(_REQUIRED)}. "
            f"Received: a config without {missing}. Add them to its 'config' dict."
        )
    _REGISTRY[name] = Preset(
        name, recipe, preset.get("description", ""), preset.get("reference", ""),
        preset.get("dataset", ""), copy.deepcopy(preset.get("weights", {})),
    )
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
            f"Expected a known preset. Received: preset={name!r}.{hint} "
            f"Known presets: {', '.join(names())}."
        )
    return _REGISTRY[name]


# The data layer finds presets by name through this (`kerasgan.data.load(..., preset=name)`).
preset_lookup.install(spec)


def get(name, weights=None, **overrides):
    """Builds the preset `name` as a compiled `kerasgan.GAN`, ready for `fit()`.

    Args:
        name: A name from `kerasgan.zoo.names()`.
        weights: None (freshly initialised) or the name of shipped trained
            weights, e.g. `"fashion_mnist"` (see the preset's card); the GAN is
            built with the overrides they were trained with, then loaded after a
            sha256 check of the file.
        **overrides: Flat keys of `kerasgan.zoo.spec(name).config` (e.g.
            `learning_rate=1e-4`, `generator="mlp"`), any `kerasgan.GAN`
            keyword, or whole structured values (`d_optimizer={...}`).

    Example:
    >>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
    >>> gan.fit(kerasgan.data.load("fashion_mnist", preset="mnist_mlp"), epochs=1)
    >>> gan = kerasgan.zoo.get("dcgan", weights="fashion_mnist")
    """
    preset = spec(name)
    entry = weights_lib.entry(preset, weights) if weights is not None else None
    if entry is not None:
        overrides = {**entry.get("overrides", {}), **overrides}
    defaults = config_lib.defaults_of(name, preset.recipe, list(overrides))
    checks.check_overrides(name, defaults, overrides)
    recipe = config_lib.apply_overrides(name, preset.recipe, overrides)
    gan = builder.build(name, recipe, default_range=preset.value_range)
    if entry is not None:
        weights_lib.load(gan, preset, weights, entry)
    return gan
