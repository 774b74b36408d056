"""The preset zoo: `kerasgan.zoo.get(name, **overrides)` builds a compiled GAN.

Example:
>>> kerasgan.zoo.names()
>>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
>>> x = kerasgan.zoo.toy.gaussian_samples(1000, seed=0)  # data of the gaussian_1d presets
"""

from kerasgan.zoo.registry import Preset, get, names, register, spec  # isort: skip
# Importing a presets module registers its presets.
from kerasgan.zoo import (  # noqa: F401
    cnn_presets,
    l1_presets,
    mlp_presets,
    toy,
    toy_presets,
    wgan_presets,
)

__all__ = ["Preset", "get", "names", "register", "spec", "toy"]
