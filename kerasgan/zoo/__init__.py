"""The preset zoo: `kerasgan.zoo.get(name, **overrides)` builds a compiled GAN.

Example:
>>> kerasgan.zoo.names()
>>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
"""

from kerasgan.zoo.registry import Preset, get, names, register, spec
from kerasgan.zoo import mlp_presets  # noqa: F401  (registers its presets)

__all__ = ["Preset", "get", "names", "register", "spec"]
