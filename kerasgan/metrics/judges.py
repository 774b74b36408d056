r"""The pinned judges shipped with the package: their table, weights files, saving and loading.

Each judge is a `DomainClassifier` whose weights ship in `kerasgan/metrics/weights/`:
`<judge>_classifier.weights.h5` plus `<judge>_classifier.json` (sha256, test
accuracy, the training command, backend and versions, the data protocol).
`load_classifier` checks the sha256 before loading; a missing or corrupt file
raises an error naming it. Nothing is trained at first use: training is an
explicit command (`python -m kerasgan.metrics.classifier`, see
`kerasgan.metrics.classifier`).

Judges have names (`JUDGES`); a dataset's name is its first judge's name.
Each dataset has two, trained independently (another architecture and seed)
so that a generator cannot look good in one feature space only: "fashion_mnist"
and "mnist" (3x3 kernels, conv filters 32-64, 256 features, seed 0), and
"fashion_mnist_b" and "mnist_b" (5x5 kernels, conv filters 16-32-64, 128
features, seed 1). `load_classifier("fashion_mnist_b")` loads a second judge; `shipped_judges(dataset)`
lists a dataset's judges, first judge first; `kerasgan.metrics.evaluate`
reports every shipped judge of the dataset.
"""

import json
import os

from kerasgan.metrics.domain_classifier import (
    ARCHITECTURE_KEYS,
    DomainClassifier,
    architecture_of,
    build_classifier,
)
from kerasgan.utils.io import atomic_path, atomic_write_text, file_sha256

WEIGHTS_SUFFIX = ".weights.h5"
WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")

# Shipped judges: name -> the dataset it judges and its training seed (its recipe:
# `kerasgan.metrics.classifier.RECIPES[name]`).
# The weights are `weights/<name>_classifier.weights.h5`; a dataset's first judge bears its name.
JUDGES = {
    "mnist": dict(dataset="mnist", seed=0),
    "mnist_b": dict(dataset="mnist", seed=1),
    "fashion_mnist": dict(dataset="fashion_mnist", seed=0),
    "fashion_mnist_b": dict(dataset="fashion_mnist", seed=1),
}


def canonical_name(dataset):
    """A dataset's or judge's name in canonical form ("Fashion-MNIST" -> "fashion_mnist")."""
    key = str(dataset).strip().lower().replace("-", "_")
    return {"fashionmnist": "fashion_mnist"}.get(key, key)


def shipped_judges(dataset):
    """Names of the judges shipped for `dataset`, its first judge first (empty if none).

    Example:
    >>> kerasgan.metrics.shipped_judges("fashion_mnist")
    ['fashion_mnist', 'fashion_mnist_b']
    """
    key = canonical_name(dataset)
    names = [name for name, judge in JUDGES.items() if judge["dataset"] == key]
    return sorted(names, key=lambda name: name != key)


def judge_name(classifier):
    """A judge's name: its metadata's `judge`, else its file name less `_classifier.weights.h5`.

    Example:
    >>> kerasgan.metrics.judge_name(kerasgan.metrics.load_classifier("fashion_mnist_b"))
    'fashion_mnist_b'
    """
    info = classifier.info
    if info.get("judge"):
        return str(info["judge"])
    path = info.get("path") or info.get("file")
    if path:
        base = os.path.basename(path)
        for suffix in ("_classifier" + WEIGHTS_SUFFIX, WEIGHTS_SUFFIX):
            if base.endswith(suffix):
                return base[: -len(suffix)]
    return str(info.get("dataset"))


def classifier_path(dataset, directory=None):
    """The judge's weights file: `<directory>/<judge>_classifier.weights.h5`.

    Args:
        dataset: A judge's name ("fashion_mnist", "fashion_mnist_b", "mnist";
            a dataset's name is its first judge's).
        directory: Where to look; default the package's shipped weights
            (`kerasgan/metrics/weights`).

    Example:
    >>> kerasgan.metrics.classifier_path("fashion_mnist_b")
    '.../kerasgan/metrics/weights/fashion_mnist_b_classifier.weights.h5'
    """
    name = f"{canonical_name(dataset)}_classifier{WEIGHTS_SUFFIX}"
    return os.path.join(directory or WEIGHTS_DIR, name)


def metadata_path(weights_path):
    """The JSON metadata beside a `.weights.h5` file (`x.weights.h5` -> `x.json`)."""
    path = os.fspath(weights_path)
    if not path.endswith(WEIGHTS_SUFFIX):
        raise ValueError(
            f"Expected a classifier weights file ending in {WEIGHTS_SUFFIX}. Received: {path}")
    return path[: -len(WEIGHTS_SUFFIX)] + ".json"


def save_classifier(clf, path):
    """Writes `clf.model`'s weights to `path` (`.weights.h5`) and `clf.info` beside it (`.json`).

    The JSON gains the file's name, size and sha256; `load_classifier` checks them.
    Both files are written atomically. Returns `path`.
    """
    info_path = metadata_path(path)
    model = clf.model
    if getattr(model, "optimizer", None) is not None:  # weights only, no optimizer state
        model = build_classifier(**{k: v for k, v in architecture_of(clf.model).items()})
        model.set_weights(clf.model.get_weights())
    with atomic_path(path, suffix=WEIGHTS_SUFFIX) as tmp:
        model.save_weights(tmp)
    info = {k: v for k, v in clf.info.items() if k != "path"}
    info.update(file=os.path.basename(path), size_bytes=os.path.getsize(path),
                sha256=file_sha256(path))
    if "architecture" not in info:
        info["architecture"] = architecture_of(clf.model)
    atomic_write_text(info_path, json.dumps(info, indent=2) + "\n")
    clf.info = {**info, "path": os.path.abspath(path)}
    return path


_LOADED = {}


def load_classifier(dataset="fashion_mnist", path=None, directory=None, cache_dir=None):
    """A pinned judge classifier, after checking its sha256.

    Args:
        dataset: A dataset's name ("fashion_mnist", "mnist": its first judge)
            or a judge's name ("fashion_mnist_b": the second Fashion-MNIST
            judge, another architecture and seed; see `JUDGES` and
            `shipped_judges`).
        path: An explicit `.weights.h5` file with its `.json` beside it (e.g.
            one written by `python -m kerasgan.metrics.classifier --output=...`).
        directory: A directory holding `<judge>_classifier.weights.h5` (and
            `.json`); default the weights shipped in the package.
        cache_dir: Same as `directory` (the name earlier versions used).

    Returns:
        A `DomainClassifier`; `info` holds the metadata plus `path`. Loaded
        once per process and file.

    Raises:
        FileNotFoundError: The weights file or its metadata is missing.
        ValueError: The file's sha256 differs from the metadata's, or it does
            not load.

    Example:
    >>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
    >>> clf.info["test_accuracy"], clf.sha256
    >>> second = kerasgan.metrics.load_classifier("fashion_mnist_b")

    Reference: Salimans et al., Improved Techniques for Training GANs, 2016.
    """
    path = os.path.abspath(os.fspath(path or classifier_path(dataset, directory or cache_dir)))
    retrain = (f"Reinstall kerasgan to restore the shipped judge, or train one with "
               f"`python -m kerasgan.metrics.classifier --judge={canonical_name(dataset)} "
               f"--output=<file>{WEIGHTS_SUFFIX}` and pass `path=`.")
    if not path.endswith(WEIGHTS_SUFFIX):
        raise ValueError(
            f"Expected a classifier weights file ending in {WEIGHTS_SUFFIX}. Received: {path}")
    info_path = metadata_path(path)
    for p, what in ((path, "weights"), (info_path, "metadata")):
        if not os.path.isfile(p):
            raise FileNotFoundError(f"Classifier {what} file {p} is missing. {retrain}")
    try:
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"Expected readable classifier metadata (JSON). Received: {info_path}, "
                         f"which is unreadable ({e}). {retrain}") from e
    expected = info.get("sha256")
    actual = file_sha256(path)
    if expected != actual:
        raise ValueError(
            f"Expected classifier weights with sha256 {expected} (from {info_path}). Received: "
            f"{path} with sha256 {actual}: the weights are corrupt or were replaced. {retrain}")
    cache_key = (path, actual)
    if cache_key in _LOADED:
        return _LOADED[cache_key]
    arch = dict(info.get("architecture") or {})
    try:
        model = build_classifier(**{k: arch[k] for k in ARCHITECTURE_KEYS if k in arch})
        model.load_weights(path)
    except Exception as e:  # h5py/keras raise many types for a damaged file
        raise ValueError(f"Expected loadable classifier weights. Received: {path}, which cannot be "
                         f"loaded ({type(e).__name__}: {e}). {retrain}") from e
    default_dataset = JUDGES.get(canonical_name(dataset), {}).get("dataset", canonical_name(dataset))
    clf = DomainClassifier(model, {**info, "dataset": info.get("dataset", default_dataset),
                                   "path": path})
    _LOADED[cache_key] = clf
    return clf
