"""Test setup: the suite runs once per backend (KERAS_BACKEND), never touches the network, and
reads nothing outside the repository but the real datasets `tools/setup_env.sh` installs.

Under CI=true a missing dataset (or, with KERASGAN_REQUIRE_TORCH=1, a missing PyTorch) fails the
test that needs it instead of skipping it: a CI run always reads real data.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERASGAN_NO_DOWNLOAD"] = "1"
# Tests run tiny shapes, so XLA's compile time is most of a compiled step's cost: LLVM's cheaper
# settings cut it by about a quarter (BUILD_NOTES.md, "Tests and CI"). Set before any XLA
# client starts (JAX's and TensorFlow's read XLA_FLAGS then), after any flags the caller gave.
os.environ["XLA_FLAGS"] = " ".join(
    [os.environ.get("XLA_FLAGS", ""), "--xla_backend_optimization_level=0",
     "--xla_llvm_disable_expensive_passes=true"]).strip()
# One JAX compilation cache per test session, empty at its start and removed at its end: the
# many tests (and the processes they start, which inherit these variables) that build the same
# tiny step compile it once; a run's first compile of each computation is still exercised.
# Measured on 2 cores: the JAX pass 615 s -> 367 s with this and the test changes beside it;
# TensorFlow's XLA cache (--tf_xla_persistent_cache_directory) gained nothing (271 s without,
# 284 s with), most TensorFlow tests running graphs without XLA.
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="kerasgan-tests-jax-cache-")
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _CACHE
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "-1"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


#: Debian's Fashion-MNIST (`apt-get install dataset-fashion-mnist`; tools/setup_env.sh installs it).
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def on_ci():
    """True when CI is set to "true" (or "1", "yes"): missing test data is then a failure."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require(available, what, fix, strict=False):
    """Skips the calling test when `what` is missing; under CI=true (or `strict`) fails it."""
    if available:
        return
    message = f"{what} is missing ({fix})"
    if strict or on_ci():
        pytest.fail(f"{'CI=true' if on_ci() else 'required'}: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def fashion_mnist_dir():
    """Debian's Fashion-MNIST IDX directory (skip without it; under CI=true, fail)."""
    found = os.path.isfile(os.path.join(DEBIAN_FASHION_MNIST, "train-images-idx3-ubyte.gz"))
    require(found, f"Fashion-MNIST at {DEBIAN_FASHION_MNIST}",
            "bash tools/setup_env.sh installs it: apt-get install -y dataset-fashion-mnist")
    return DEBIAN_FASHION_MNIST


@pytest.fixture
def torch():
    """PyTorch on one thread (its spinning OpenMP threads crawl on oversubscribed cores).

    Tests that use it carry the `torch` marker (bash tools/test.sh --slow runs them); without
    PyTorch they skip, or fail under KERASGAN_REQUIRE_TORCH=1.
    """
    try:
        import torch
    except ImportError:
        torch = None
    # Only tools/test.sh --slow requires it (CI=true alone does not: its default run has no
    # PyTorch-twin tests).
    if torch is None:
        require(False, "PyTorch", "bash tools/test.sh --slow installs it: pip install -e '.[bench]'",
                strict=os.environ.get("KERASGAN_REQUIRE_TORCH") == "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def pytest_collection_modifyitems(config, items):
    """Marks the tests that take the `torch` fixture; leaves out the tests marked
    `backend_neutral` (their subject does not depend on the Keras backend) in every pass but the
    one the marker names (`backend_neutral("jax")`; TensorFlow when it names none), unless
    KERASGAN_ALL_BACKENDS=1. Naming the pass keeps the two side-by-side passes of
    tools/test.sh about equally long."""
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)
    if os.environ.get("KERASGAN_ALL_BACKENDS") == "1":
        return
    backend = keras.backend.backend()

    def elsewhere(item):
        marker = item.get_closest_marker("backend_neutral")
        return marker is not None and (marker.args or ("tensorflow",))[0] != backend

    away = [item for item in items if elsewhere(item)]
    if away:
        config.hook.pytest_deselected(items=away)
        items[:] = [item for item in items if not elsewhere(item)]


def pytest_report_header(config):
    return f"keras backend: {keras.backend.backend()}"


#: `zoo.get(..., **TF_GRAPH)`: TensorFlow's graph instead of XLA (XLA compiles some presets for
#: minutes under TensorFlow); under JAX, which always compiles its step once, nothing (Keras'
#: `jit_compile=False` there runs the step eagerly, op by op: 20-37 s for a tiny preset's step).
TF_GRAPH = {"jit_compile": False} if keras.backend.backend() == "tensorflow" else {}


def jax_slow(covered_by):
    """Marks a test `slow` under JAX only: `covered_by` names the faster test that covers the
    same behaviour there (each JAX step compiles for seconds to a minute on 2 cores)."""
    assert covered_by
    return pytest.mark.slow if keras.backend.backend() == "jax" else pytest.mark.jax_slow


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
