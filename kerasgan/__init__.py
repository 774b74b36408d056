"""kerasgan: a Keras 3 GAN model zoo that trains under TensorFlow and JAX.

Example:
>>> import kerasgan
>>> ds = kerasgan.data.load("fashion_mnist", preset="mnist_mlp", batch_size=128)
>>> gan = kerasgan.zoo.get("mnist_mlp")
>>> gan.fit(ds, epochs=1)
>>> images = gan.generate(16, seed=0)
"""

import importlib

__version__ = "0.1.0"

# Submodules load on first use, so that `python -m kerasgan.train --backend=jax` can set
# KERAS_BACKEND before anything imports keras.
_SUBMODULES = (
    "callbacks", "data", "distribution", "export", "losses", "metrics", "networks",
    "trainers", "zoo",
)
_ATTRIBUTES = {"GAN": "kerasgan.gan", "GANOptimizer": "kerasgan.gan"}

__all__ = ["GAN", "GANOptimizer", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kerasgan.{name}")
    if name in _ATTRIBUTES:
        return getattr(importlib.import_module(_ATTRIBUTES[name]), name)
    raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
