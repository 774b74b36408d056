"""Finds a registered preset by name for the layers below the zoo (the data layer).

`kerasgan.zoo` installs its `spec` here when it is imported (`import kerasgan` imports it), so
`kerasgan.data.load(..., preset="dcgan")` reads the preset's image shape, value range, batch
size and dataset without the data layer importing the zoo.
"""

_LOOKUP = {}


def install(spec):
    """Sets `spec(name) -> Preset`, the function `spec` below calls."""
    _LOOKUP["spec"] = spec


def spec(name):
    """The preset registered under `name` (its `image_shape`, `value_range`, `dataset`, ...)."""
    lookup = _LOOKUP.get("spec")
    if lookup is None:
        raise ValueError(
            f"Expected the preset zoo to be loaded to read a preset's settings. Received: "
            f"preset={name!r} before kerasgan.zoo was imported. Import kerasgan (or kerasgan.zoo) "
            "first."
        )
    return lookup(name)
