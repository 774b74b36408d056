"""The preset zoo: `kerasgan.zoo.get(name, weights=None, **overrides)` builds a compiled GAN.

Presets are data (`kerasgan.zoo.spec(name).as_dict()`): networks by registered
name, `kerasgan.GAN` keywords, Keras optimizer configs and compile options,
built by one generic builder (`kerasgan.zoo.builder`).

Example:
>>> kerasgan.zoo.names()
>>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
>>> gan = kerasgan.zoo.get("dcgan", learning_rate=1e-4, generator="mlp")
>>> x = kerasgan.zoo.gaussian.gaussian_samples(1000, seed=0)  # data of the gaussian_1d presets
"""

from kerasgan.zoo.registry import Preset, get, names, register, spec  # isort: skip
# Importing a presets module registers its presets.
from kerasgan.zoo import (  # noqa: F401
    conditional_presets,
    dcgan_presets,
    gaussian,
    gaussian_presets,
    l1_presets,
    mlp_presets,
    wgan_presets,
)

# The same module under the name code written for earlier releases uses.
toy = gaussian

__all__ = ["Preset", "gaussian", "get", "names", "register", "spec", "toy"]
