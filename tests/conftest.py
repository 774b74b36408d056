"""Test setup: the suite runs once per backend (KERAS_BACKEND), never touches the network, and
reads nothing outside the repository but the real datasets `tools/setup_env.sh` installs.

Under CI=true a missing dataset (or, with KERASGAN_REQUIRE_TORCH=1, a missing PyTorch) fails the
test that needs it instead of skipping it: a CI run always reads real data.
"""

import atexit
import gc
import os
import shutil
import tempfile
import weakref
from importlib import metadata

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERASGAN_NO_DOWNLOAD"] = "1"


def _release(package):
    """(major, minor) of an installed package, or None."""
    try:
        return tuple(int(part) for part in metadata.version(package).split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return None


# Tests run tiny shapes, so XLA's compile time is most of a compiled step's cost: LLVM's cheaper
# settings, XLA's loop emitters for fusions and one code-generation thread cut it by more than
# half (BUILD_NOTES.md, "Tests and CI"). Set before any XLA client starts (JAX's and
# TensorFlow's read XLA_FLAGS then), after any flags the caller gave; processes the tests start
# inherit them. XLA aborts on a flag it does not know, so the last two are given only to the
# releases they were measured with (jaxlib 0.10, tensorflow 2.21) and later ones.
_flags = ["--xla_backend_optimization_level=0", "--xla_llvm_disable_expensive_passes=true"]
if (_release("jaxlib") or (99, 0)) >= (0, 10) and (_release("tensorflow") or (99, 0)) >= (2, 21):
    _flags += ["--xla_cpu_use_fusion_emitters=false", "--xla_cpu_parallel_codegen_split_count=1"]
os.environ["XLA_FLAGS"] = " ".join([os.environ.get("XLA_FLAGS", ""), *_flags]).strip()
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

# Tracing allocates objects by the million and a pass keeps many models alive, so Python's cyclic
# garbage collector ran 5,000 times for 7 s in five TensorFlow test files (5 s in three JAX ones);
# collecting 100 times less often: 1.6 s (0.7 s), the files 4-6% faster. Memory stays far below
# the machine's.
gc.set_threshold(50_000, 50, 1_000)


def _track_tf_data_iterators():
    """A WeakSet that every tf.data iterator made from now on joins (None without TensorFlow)."""
    try:
        from tensorflow.python.data.ops import iterator_ops
    except ImportError:
        return None
    made = weakref.WeakSet()
    init = iterator_ops.OwnedIterator.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.add(self)

    iterator_ops.OwnedIterator.__init__ = __init__
    return made


# A fit() that raises leaves its tf.data iterator in a reference cycle (the exception's traceback
# holds the fit's frames), so with the thresholds above the collector may free it many tests
# later. Freeing an iterator waits for its autotuning thread, which sleeps for longer the longer
# the iterator has lived; beside the other pass it sometimes slept its wait out: one full
# collection took 33-59 s (BUILD_NOTES.md, "Tests and CI"). So the iterators a test leaves alive
# are collected at its teardown (the young generations, milliseconds), and those still alive then
# at the end of their module (after its fixtures), while they are young.
_NEW_ITERATORS = _track_tf_data_iterators()
_LEFT_ITERATORS = weakref.WeakSet()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _NEW_ITERATORS:
        gc.collect(1)
        _LEFT_ITERATORS.update(_NEW_ITERATORS)
        _NEW_ITERATORS.clear()
    if _LEFT_ITERATORS and (nextitem is None or nextitem.module is not item.module):
        gc.collect()
        _LEFT_ITERATORS.clear()


def _tf_graph_optimizer(on):
    """Turns TensorFlow's graph optimizer (Grappler, oneDNN's rewrites among its passes) on or off
    for the functions this process traces from now on."""
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": not on})


if keras.backend.backend() == "tensorflow":
    # The optimizer spends more on a tiny test step's graph than the step's few runs save (the
    # TensorFlow pass about 8% faster). Off in this process only: the trainer, export and tool
    # processes the tests start keep it, as users run them.
    _tf_graph_optimizer(False)


@pytest.fixture
def graph_optimizer_on():
    """TensorFlow's graph optimizer on for this test, as in the processes tests start: for tests
    that compare this process's numbers with a child's bit for bit."""
    if keras.backend.backend() != "tensorflow":
        yield
        return
    _tf_graph_optimizer(True)
    try:
        yield
    finally:
        _tf_graph_optimizer(False)


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


@pytest.fixture
def offline_data(monkeypatch):
    """No downloads, and no dataset directories from the caller's environment."""
    monkeypatch.setenv("KERASGAN_NO_DOWNLOAD", "1")
    for name in ("KERASGAN_MNIST_DIR", "KERASGAN_FASHION_MNIST_DIR"):
        monkeypatch.delenv(name, raising=False)


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


_SESSION = {}


def pytest_sessionfinish(session, exitstatus):
    _SESSION["exitstatus"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Ends the process as soon as pytest has reported and the exit handlers have run: the
    interpreter's own teardown of the thousands of functions and graphs a pass traced took 8 s
    after 213 TensorFlow tests and about 24 s after a whole pass."""
    if "exitstatus" not in _SESSION:
        return
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()  # the compilation cache's removal, pytest's temporary-directory locks
    os._exit(_SESSION["exitstatus"])


def pytest_report_header(config):
    return f"keras backend: {keras.backend.backend()}"


#: `zoo.get(..., **TF_GRAPH)`: TensorFlow's graph instead of XLA (XLA compiles some presets for
#: minutes under TensorFlow); under JAX, which always compiles its step once, nothing (Keras'
#: `jit_compile=False` there runs the step eagerly, op by op: 20-37 s for a tiny preset's step).
TF_GRAPH = {"jit_compile": False} if keras.backend.backend() == "tensorflow" else {}

#: `zoo.get(..., **TF_EAGER)`: the preset harness's steps run eagerly under TensorFlow. What it
#: checks (losses, updates, schedules, saving, ranges, shapes) does not depend on tracing, and
#: tracing a tiny convolutional GAN's step costs 1-3 s against milliseconds for its steps. Traced
#: steps stay tested: JAX's jit traces one preset of every network family in the JAX pass (it
#: refuses Python control flow on tensors as `tf.function` does), and TensorFlow's graph runs in
#: the trainer, NaN-stop, resume, distribution and export tests. Under JAX, nothing.
TF_EAGER = {"run_eagerly": True} if keras.backend.backend() == "tensorflow" else {}


def jax_slow(covered_by):
    """Marks a test `slow` under JAX only: `covered_by` names the faster test that covers the
    same behaviour there (each JAX step compiles for seconds to a minute on 2 cores)."""
    assert covered_by
    return pytest.mark.slow if keras.backend.backend() == "jax" else pytest.mark.jax_slow


#: Parameters for end-to-end runs of a tool whose child runs the backend it is given: both with
#: --slow, in the JAX pass (a run starts several processes; the tool's bookkeeping has fast tests).
TOOL_CHILD_BACKENDS = [
    pytest.param(backend, marks=[pytest.mark.backend_neutral("jax"), pytest.mark.slow])
    for backend in ("tensorflow", "jax")]


@pytest.fixture
def scratch_name():
    """A preset name ("_test_..."), removed from the registry after the test that registers it."""
    from kerasgan.zoo import registry

    name = "_test_scratch_preset"
    yield name
    registry._REGISTRY.pop(name, None)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def child_pythonpath(*paths):
    """PYTHONPATH for a process a test starts: `paths`, then the caller's own PYTHONPATH."""
    return os.pathsep.join([*paths, *filter(None, [os.environ.get("PYTHONPATH")])])


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
