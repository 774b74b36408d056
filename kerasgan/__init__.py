"""kerasgan: a Keras 3 GAN model zoo that trains under TensorFlow and JAX.

Example:
>>> import kerasgan
>>> ds = kerasgan.data.load("fashion_mnist", preset="mnist_mlp", batch_size=128)
>>> gan = kerasgan.zoo.get("mnist_mlp")
>>> gan.fit(ds, epochs=1)
>>> images = gan.generate(16, seed=0)
"""

from kerasgan import losses, networks, zoo
from kerasgan.gan import GAN, GANOptimizer

__version__ = "0.1.0"

__all__ = ["GAN", "GANOptimizer", "data", "losses", "networks", "zoo"]


def __getattr__(name):
    # kerasgan.data imports tensorflow-datasets lazily; keep `import kerasgan` light.
    if name in ("data", "metrics", "export", "distribution"):
        import importlib

        return importlib.import_module(f"kerasgan.{name}")
    raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")
