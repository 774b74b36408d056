"""kerasgan: a Keras 3 GAN model zoo that trains under TensorFlow and JAX.

Example:
>>> import kerasgan
>>> ds = kerasgan.data.load("fashion_mnist", preset="mnist_mlp", batch_size=128)
>>> gan = kerasgan.zoo.get("mnist_mlp")
>>> gan.fit(ds, epochs=1)
>>> images = gan.generate(16, seed=0)
"""

import importlib

# Importing these registers kerasgan's serializable classes (GAN, its optimizer pair, the
# networks' custom layers), so `keras.saving.load_model("run.keras")` works after `import kerasgan`.
from kerasgan import callbacks, losses, networks, zoo
from kerasgan.gan import GAN, GANOptimizer, load_gan

__version__ = "0.1.0"

# Heavier or optional parts load on first use (tensorflow-datasets, SavedModel export).
_LAZY = ("augment", "data", "distribution", "export", "metrics", "trainers")

__all__ = ["GAN", "GANOptimizer", "load_gan", "callbacks", "losses", "networks", "zoo", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"kerasgan.{name}")
    raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
