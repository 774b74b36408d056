"""Test setup: the suite runs once per backend (KERAS_BACKEND), never touches the network."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERASGAN_NO_DOWNLOAD"] = "1"
# Tests run tiny shapes, so XLA's compile time is most of a compiled step's cost: LLVM's cheaper
# settings cut it by about a quarter (BUILD_NOTES.md, "Tests and CI"). Set before any XLA
# client starts (JAX's and TensorFlow's read XLA_FLAGS then), after any flags the caller gave.
os.environ["XLA_FLAGS"] = " ".join(
    [os.environ.get("XLA_FLAGS", ""), "--xla_backend_optimization_level=0",
     "--xla_llvm_disable_expensive_passes=true"]).strip()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


def pytest_report_header(config):
    return f"keras backend: {keras.backend.backend()}"


#: `zoo.get(..., **TF_GRAPH)`: TensorFlow's graph instead of XLA (XLA compiles some presets for
#: minutes under TensorFlow); under JAX, which always compiles its step once, nothing (Keras'
#: `jit_compile=False` there runs the step eagerly, op by op: 20-37 s for a tiny preset's step).
TF_GRAPH = {"jit_compile": False} if keras.backend.backend() == "tensorflow" else {}


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def tiny_mlp_gan(seed=0, image_shape=(4, 4, 1), **gan_kwargs):
    """A small MLP GAN for fast tests of the training machinery."""
    import kerasgan
    from kerasgan.networks import mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    g = mlp_generator(8, (16,), image_shape, "sigmoid")
    d = mlp_discriminator(image_shape, (16,))
    gan = kerasgan.GAN(g, d, seed=seed, **gan_kwargs)
    return gan


def random_images(n, shape=(4, 4, 1), seed=0, low=0.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, (n,) + tuple(shape)).astype("float32")
