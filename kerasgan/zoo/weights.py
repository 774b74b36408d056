"""Trained weights shipped with the package: `kerasgan.zoo.get(name, weights="fashion_mnist")`.

A preset's `weights` dict maps a name (the dataset) to an entry:
`{"file": "<preset>-<dataset>.weights.h5", "sha256": "<hex>", "overrides": {...},
"description": "how they were trained and what they score"}`. Files live in
`kerasgan/zoo/weights/`, in one of two kinds:

- `.weights.h5`: both networks (and EMA averages), as `gan.save_weights(path)` of
  a GAN built with the entry's `overrides` writes them;
- `.generator.npz`: the generator alone, as `generate()` uses it, optionally
  stored in float16 or int8 (`save_generator`), for generators too large to ship
  whole; the discriminator keeps its fresh initialisation.

`python -m tools.ship_weights` writes either from a training checkpoint and
prints the sha256 to list.

Example:
>>> kerasgan.zoo.spec("dcgan").weights                 # what ships
>>> gan = kerasgan.zoo.get("dcgan", weights="fashion_mnist")
"""

import json
import os
import warnings

import numpy as np
from keras import ops

from kerasgan.utils.io import atomic_path, file_sha256

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")


sha256 = file_sha256  # the digest a preset's `weights` entry lists

GENERATOR_SUFFIX = ".generator.npz"
STORAGES = ("float32", "float16", "int8")
_FORMAT = "kerasgan.generator/1"


def _quantize_int8(value):
    """int8 values and one float32 scale per slice of the last axis (symmetric, absmax / 127)."""
    absmax = np.max(np.abs(value), axis=tuple(range(value.ndim - 1)))
    scale = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
    return np.clip(np.rint(value / scale), -127, 127).astype(np.int8), scale


def save_generator(gan, path, storage="int8"):
    """Writes `gan`'s generator, as `generate()` uses it, to a `.generator.npz`; returns its sha256.

    With EMA on, the file holds the averaged weights. Storage of the float
    matrices and kernels: "float32" (exact), "float16" (half the size) or
    "int8" (a quarter: int8 with one float32 scale per slice of the last axis);
    vectors (biases, BatchNorm parameters and statistics) stay as they are.
    The file is written atomically.

    Example:
    >>> sha = kerasgan.zoo.weights.save_generator(gan, "g.generator.npz", storage="int8")
    """
    path = os.fspath(path)
    if not path.endswith(GENERATOR_SUFFIX):
        raise ValueError(
            f"Expected a path ending in {GENERATOR_SUFFIX!r}. Received: path={path!r}. "
            f"Name the file e.g. 'dcgan-fashion_mnist{GENERATOR_SUFFIX}'.")
    if storage not in STORAGES:
        raise ValueError(
            f"Expected storage to be one of {', '.join(STORAGES)}. Received: storage={storage!r}.")
    if not getattr(gan, "built", False):
        raise ValueError(
            "Expected a built GAN (from kerasgan.zoo.get, kerasgan.load_gan or fit()). "
            "Received: an unbuilt GAN. Build or train it first.")
    variables = gan.generator.weights
    with gan.ema_weights(None):
        values = [np.array(ops.convert_to_numpy(v)) for v in variables]
    arrays = {}
    for i, value in enumerate(values):
        key = f"v{i:04d}"
        if value.dtype.kind != "f" or value.ndim < 2 or storage == "float32":
            arrays[key] = value
        elif storage == "float16":
            arrays[key] = value.astype(np.float16)
        else:
            arrays[key], arrays[f"{key}_scale"] = _quantize_int8(value)
    meta = {"format": _FORMAT, "storage": storage, "names": [v.path for v in variables],
            "shapes": [list(v.shape) for v in values]}
    arrays["meta"] = np.array(json.dumps(meta))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
    return sha256(path)


def load_generator(gan, path):
    """Loads a `.generator.npz` (from `save_generator`) into `gan`'s generator.

    With EMA on, the averages start from the loaded weights too. Every
    variable is checked before any is assigned, so a file that does not fit
    leaves `gan` unchanged.

    Raises:
        ValueError: The file is not a generator file, or does not fit `gan`'s generator.
    """
    variables = gan.generator.weights
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            stored = {key: data[key] for key in data.files if key != "meta"}
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(
            f"Expected a kerasgan generator file ({GENERATOR_SUFFIX}, written by "
            f"kerasgan.zoo.weights.save_generator). Received: {path}, which does not read as one "
            f"({e}).") from None
    if meta.get("format") != _FORMAT:
        raise ValueError(
            f"Expected a generator file of format {_FORMAT!r}. Received: {path} of format "
            f"{meta.get('format')!r}. Write it again with this version's save_generator.")
    if len(meta["names"]) != len(variables):
        raise ValueError(
            f"Expected a file with the generator's {len(variables)} variables. Received: {path} "
            f"with {len(meta['names'])}: it was written from another architecture.")
    values = []
    for i, v in enumerate(variables):
        value = stored[f"v{i:04d}"]
        if f"v{i:04d}_scale" in stored:
            value = value.astype(np.float32) * stored[f"v{i:04d}_scale"]
        if tuple(value.shape) != tuple(v.shape):
            raise ValueError(
                f"Expected shape {tuple(v.shape)} for the generator's variable {v.path}. Received: shape "
                f"{tuple(value.shape)} ({meta['names'][i]}) in {path}: it was written from "
                "another architecture.")
        values.append(value.astype(str(v.dtype)) if "float" in str(v.dtype) else value)
    for v, value in zip(variables, values):
        v.assign(value)
    for source, average in getattr(getattr(gan, "_ema", None), "pairs", ()):
        average.assign(np.array(ops.convert_to_numpy(source)))
    return gan


def entry(preset, name):
    """The weights entry `name` of `preset`; an unknown name lists the available ones."""
    if not isinstance(name, str) or name not in preset.weights:
        available = ", ".join(sorted(preset.weights)) or "none yet"
        raise ValueError(
            f"Expected a weights name of preset '{preset.name}' (available: {available}). "
            f"Received: weights={name!r}. Pass one of them, or weights=None to train from scratch."
        )
    return preset.weights[name]


def path_of(item):
    """Where the file of a weights entry lives (a relative name is inside `WEIGHTS_DIR`)."""
    return os.path.join(WEIGHTS_DIR, item["file"])


def load(gan, preset, name, item):
    """Checks the file's sha256, then loads it into `gan` (built with the entry's overrides).

    Raises:
        FileNotFoundError: The file is not installed.
        ValueError: Its checksum differs (corrupt or replaced), or it does not fit the GAN.
    """
    path = path_of(item)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"Expected the weights file of preset '{preset.name}', weights={name!r} at {path}. "
            "Received: no such file. Reinstall kerasgan (the file ships with the package), "
            "or pass weights=None."
        )
    found = sha256(path)
    if found != item["sha256"]:
        raise ValueError(
            f"Expected sha256 {item['sha256']} for {path} (preset '{preset.name}', "
            f"weights={name!r}). Received: sha256 {found}: the file is corrupt or not the one "
            "listed. Reinstall kerasgan to restore it."
        )
    try:
        with warnings.catch_warnings():
            # Shipped files hold the networks (and EMA averages), not optimizer state: a fresh
            # optimizer is expected, so Keras' "skipping optimizer" notice says nothing here.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            if path.endswith(GENERATOR_SUFFIX):
                load_generator(gan, path)
            else:
                gan.load_weights(path)
    except (ValueError, KeyError) as e:
        raise ValueError(
            f"Expected weights that fit preset '{preset.name}' as built with "
            f"{item.get('overrides', {})} (plus your overrides). Received: {path}, which does not "
            f"load ({e}). Leave out overrides that change the networks' shapes."
        ) from None
    return gan
