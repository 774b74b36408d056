"""Named generator and discriminator families, so presets can pair any two (seed 000).

Example:
>>> g = kerasgan.networks.build_generator("mlp", latent_dim=100, image_shape=(28, 28, 1))
>>> d = kerasgan.networks.build_discriminator("dcgan", image_shape=(28, 28, 1))
>>> gan = kerasgan.zoo.get("dcgan", generator="mlp")  # the same pair through a preset
"""

import difflib

from kerasgan.networks.dcgan import dcgan_discriminator, dcgan_discriminator_spec, dcgan_generator
from kerasgan.networks.mirror import mirror_generator
from kerasgan.networks.mlp import mlp_discriminator, mlp_generator

GENERATOR_FAMILIES = ("mlp", "dcgan", "mirror")
DISCRIMINATOR_FAMILIES = ("mlp", "dcgan")

MLP_GENERATOR_WIDTHS = (128, 256, 512, 1024)
MLP_DISCRIMINATOR_WIDTHS = (512, 256, 128)


def discriminator_spec(family, image_shape):
    """The layer spec of a generic discriminator family, for `mirror_generator`.

    Args:
        family: `"mlp"` or `"dcgan"`.
        image_shape: `(H, W, C)`.

    Example:
    >>> kerasgan.networks.discriminator_spec("mlp", (28, 28, 1))
    """
    _check("discriminator", family, DISCRIMINATOR_FAMILIES)
    if family == "mlp":
        return {"type": "dense", "widths": list(MLP_DISCRIMINATOR_WIDTHS)}
    return dcgan_discriminator_spec(image_shape)


def build_generator(family, latent_dim, image_shape, output_activation="tanh", mirror_spec=None):
    """Builds a generator of a generic family.

    Args:
        family: `"mlp"` (`kerasgan.networks.mlp_generator`), `"dcgan"`
            (`kerasgan.networks.dcgan_generator`) or `"mirror"`
            (`kerasgan.networks.mirror_generator` of `mirror_spec`).
        latent_dim: Noise size.
        image_shape: Output `(H, W, C)`.
        output_activation: `"tanh"` for [-1, 1] data, `"sigmoid"` for [0, 1].
        mirror_spec: The discriminator spec to mirror (family "mirror").

    Example:
    >>> g = kerasgan.networks.build_generator("dcgan", 100, (32, 32, 3))
    """
    _check("generator", family, GENERATOR_FAMILIES)
    if family == "mlp":
        return mlp_generator(latent_dim, MLP_GENERATOR_WIDTHS, image_shape, output_activation)
    if family == "dcgan":
        return dcgan_generator(latent_dim, image_shape, output_activation=output_activation)
    if mirror_spec is None:
        raise ValueError("generator='mirror' needs the discriminator's spec (mirror_spec=...).")
    return mirror_generator(mirror_spec, latent_dim, image_shape, output_activation)


def build_discriminator(family, image_shape, output_activation=None):
    """Builds a discriminator of a generic family (`"mlp"` or `"dcgan"`).

    Args:
        family: `"mlp"` or `"dcgan"`.
        image_shape: Input `(H, W, C)`.
        output_activation: None for logits / critic values, or e.g. `"sigmoid"`.

    Example:
    >>> d = kerasgan.networks.build_discriminator("mlp", (28, 28, 1))
    """
    _check("discriminator", family, DISCRIMINATOR_FAMILIES)
    if family == "mlp":
        return mlp_discriminator(image_shape, MLP_DISCRIMINATOR_WIDTHS,
                                 output_activation=output_activation)
    return dcgan_discriminator(image_shape, output_activation=output_activation)


def _check(kind, family, choices):
    if family not in choices:
        close = difflib.get_close_matches(str(family), choices, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Unknown {kind} family {family!r}.{hint} Known: {', '.join(choices)}."
        )


def build_pair(
    generator,
    discriminator,
    *,
    native,
    latent_dim,
    image_shape,
    output_activation,
    d_output_activation=None,
    native_generator=None,
    native_discriminator=None,
    native_spec=None,
):
    """Builds `(generator, discriminator)` for a preset from two family names.

    A preset's own family (`native`, e.g. `"l1"`) builds its reference
    networks through `native_generator()` / `native_discriminator()`; any
    other name builds a generic family (`kerasgan.networks.build_generator`,
    `build_discriminator`), so asymmetric pairs (an MLP generator against a
    CNN discriminator) need one call. `"mirror"` mirrors the discriminator
    actually built: its family's spec, or `native_spec` for the native one.

    Args:
        generator: Generator family: `native`, `"mlp"`, `"dcgan"` or `"mirror"`.
        discriminator: Discriminator family: `native`, `"mlp"` or `"dcgan"`.
        native: The preset's own family name.
        latent_dim: Noise size.
        image_shape: `(H, W, C)`.
        output_activation: The generator's output activation.
        d_output_activation: The discriminator's output activation.
        native_generator: Zero-argument callable building the native generator.
        native_discriminator: Zero-argument callable building the native discriminator.
        native_spec: The native discriminator's spec (for `"mirror"`), or None.

    Example:
    >>> g, d = kerasgan.networks.families.build_pair(
    ...     "mlp", "dcgan", native="dcgan", latent_dim=100, image_shape=(28, 28, 1),
    ...     output_activation="tanh")
    """
    _check("generator", generator, tuple(dict.fromkeys((native,) + GENERATOR_FAMILIES)))
    _check("discriminator", discriminator, tuple(dict.fromkeys((native,) + DISCRIMINATOR_FAMILIES)))
    if discriminator == native and native_discriminator is not None:
        d = native_discriminator()
        spec = native_spec
    else:
        d = build_discriminator(discriminator, image_shape, d_output_activation)
        spec = discriminator_spec(discriminator, image_shape)
    if generator == native and native_generator is not None:
        g = native_generator()
    else:
        if generator == "mirror" and spec is None:
            raise ValueError(
                f"generator='mirror' needs a discriminator spec; the '{discriminator}' "
                "discriminator has none. Use discriminator='mlp' or 'dcgan'."
            )
        g = build_generator(generator, latent_dim, image_shape, output_activation, mirror_spec=spec)
    return g, d
