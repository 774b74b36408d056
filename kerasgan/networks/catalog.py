"""Named generators and discriminators, so a preset (or a user) can pick any two by name.

Each network module registers its builders where they are defined. A
generator builder takes `latent_dim`, `image_shape` and, when it has one, an
`output_activation`; a discriminator builder takes `image_shape`. Any other
keyword (`base_filters`, `hidden`, `widths`, ...) is the builder's own.

Example:
>>> kerasgan.networks.generator_names()
>>> g = kerasgan.networks.build_generator("mlp", latent_dim=100, image_shape=(28, 28, 1))
>>> d = kerasgan.networks.build_discriminator("dcgan", image_shape=(28, 28, 1), base_filters=32)
"""

import dataclasses
import difflib
import inspect
from typing import Any, Callable, Optional


@dataclasses.dataclass(frozen=True)
class NetworkEntry:
    """A registered network builder.

    Attributes:
        name: Registry key, e.g. `"dcgan"`.
        builder: The function that builds the `keras.Model`.
        spec: For discriminators: `spec(image_shape, **kwargs)` giving the
            layer spec `kerasgan.networks.mirror_generator` mirrors, or None.
        shared_layers: For generators that can share a kernel: the pair
            `(generator_layer, discriminator_layer)` tied when built with
            `shared=True` against the discriminator registered under the same name.
    """

    name: str
    builder: Callable[..., Any]
    spec: Optional[Callable[..., Any]] = None
    shared_layers: Optional[tuple] = None

    def accepts(self, argument):
        """Whether the builder takes the keyword `argument`."""
        return argument in inspect.signature(self.builder).parameters


_GENERATORS: dict = {}
_DISCRIMINATORS: dict = {}


def _register(table, kind, name, entry):
    if not isinstance(name, str) or not name:
        raise ValueError(f"Expected a non-empty string as the {kind} name. Received: {name!r}")
    if name in table:
        raise ValueError(f"Expected a new {kind} name. Received: {name!r}, which is already registered.")
    table[name] = entry
    return entry.builder


def register_generator(name, builder, shared_layers=None):
    """Registers a generator builder under `name`; raises on a duplicate name.

    Args:
        name: The name presets and `build_generator` use.
        builder: `builder(latent_dim=..., image_shape=..., [output_activation=...], **kwargs)`.
        shared_layers: `(generator_layer, discriminator_layer)` tied when the
            generator is built with `shared=True` (see `kerasgan.GAN(shared_weights=...)`).

    Example:
    >>> kerasgan.networks.register_generator("my_g", my_generator_fn)
    """
    entry = NetworkEntry(name, builder, shared_layers=tuple(shared_layers) if shared_layers else None)
    return _register(_GENERATORS, "generator", name, entry)


def register_discriminator(name, builder, spec=None):
    """Registers a discriminator builder under `name`; raises on a duplicate name.

    Args:
        name: The name presets and `build_discriminator` use.
        builder: `builder(image_shape=..., **kwargs)` -> a model with outputs `(batch, 1)`.
        spec: Optional `spec(image_shape, **kwargs)` -> the discriminator's
            layer spec, so that the `"mirror"` generator can mirror it.

    Example:
    >>> kerasgan.networks.register_discriminator("my_d", my_discriminator_fn)
    """
    return _register(_DISCRIMINATORS, "discriminator", name, NetworkEntry(name, builder, spec=spec))


def generator_names():
    """Sorted names of the registered generators."""
    return sorted(_GENERATORS)


def discriminator_names():
    """Sorted names of the registered discriminators."""
    return sorted(_DISCRIMINATORS)


def _lookup(table, kind, name):
    if not isinstance(name, str) or name not in table:
        close = difflib.get_close_matches(str(name), sorted(table), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Expected a known {kind} family. Received: {kind}={name!r}.{hint} Known: "
            f"{', '.join(sorted(table))}."
        )
    return table[name]


def generator_entry(name):
    """The `NetworkEntry` of the generator `name`; a miss lists the known names."""
    return _lookup(_GENERATORS, "generator", name)


def discriminator_entry(name):
    """The `NetworkEntry` of the discriminator `name`; a miss lists the known names."""
    return _lookup(_DISCRIMINATORS, "discriminator", name)


def _accepted(fn, kwargs):
    parameters = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if k in parameters}


def discriminator_spec(name, image_shape, **kwargs):
    """The layer spec of the discriminator `name` built with `kwargs`, or None.

    Args:
        name: A name from `kerasgan.networks.discriminator_names()`.
        image_shape: `(H, W, C)`.
        **kwargs: The discriminator's own keywords (those the spec depends on are used).

    Example:
    >>> kerasgan.networks.discriminator_spec("mlp", (28, 28, 1))
    """
    entry = discriminator_entry(name)
    if entry.spec is None:
        return None
    return entry.spec(**_accepted(entry.spec, {"image_shape": tuple(image_shape), **kwargs}))


def build_generator(name, latent_dim, image_shape, output_activation="tanh", mirror_spec=None,
                    **kwargs):
    """Builds the registered generator `name`.

    Args:
        name: A name from `kerasgan.networks.generator_names()`, e.g. `"mlp"`,
            `"dcgan"` or `"mirror"` (which mirrors `mirror_spec`).
        latent_dim: Noise size.
        image_shape: Output `(H, W, C)`.
        output_activation: `"tanh"` for [-1, 1] data, `"sigmoid"` for [0, 1];
            ignored by generators without an output activation (unbounded ones).
        mirror_spec: The discriminator spec the `"mirror"` generator mirrors.
        **kwargs: The builder's own keywords.

    Example:
    >>> g = kerasgan.networks.build_generator("dcgan", 100, (32, 32, 3), base_filters=32)
    """
    entry = generator_entry(name)
    if entry.accepts("spec"):
        if mirror_spec is None:
            raise ValueError(
                f"Expected a discriminator spec for generator {name!r} (it needs the discriminator's "
                "spec). Received: mirror_spec=None. Pass "
                "mirror_spec=kerasgan.networks.discriminator_spec(...)."
            )
        kwargs["spec"] = mirror_spec
    if entry.accepts("output_activation"):
        kwargs["output_activation"] = output_activation
    return entry.builder(latent_dim=int(latent_dim), image_shape=tuple(image_shape), **kwargs)


def build_discriminator(name, image_shape, output_activation=None, **kwargs):
    """Builds the registered discriminator `name`.

    Args:
        name: A name from `kerasgan.networks.discriminator_names()`.
        image_shape: Input `(H, W, C)`.
        output_activation: None for logits / critic values, or e.g. `"sigmoid"`.
        **kwargs: The builder's own keywords.

    Example:
    >>> d = kerasgan.networks.build_discriminator("mlp", (28, 28, 1), widths=(256, 128))
    """
    entry = discriminator_entry(name)
    return entry.builder(image_shape=tuple(image_shape), output_activation=output_activation, **kwargs)
