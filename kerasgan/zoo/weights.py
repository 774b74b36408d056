"""Trained weights shipped with the package: `kerasgan.zoo.get(name, weights="fashion_mnist")`.

A preset's `weights` dict maps a name (the dataset) to an entry:
`{"file": "<preset>-<dataset>.weights.h5", "sha256": "<hex>", "overrides": {...},
"description": "how they were trained and what they score"}`. Files live in
`kerasgan/zoo/weights/` and are written by `gan.save_weights(path)` of a GAN
built with the entry's `overrides`; `sha256(path)` gives the digest to list.

Example:
>>> kerasgan.zoo.spec("dcgan").weights                 # what ships
>>> gan = kerasgan.zoo.get("dcgan", weights="fashion_mnist")
"""

import os
import warnings

from kerasgan.utils.io import file_sha256

WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")


sha256 = file_sha256  # the digest a preset's `weights` entry lists


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
            gan.load_weights(path)
    except (ValueError, KeyError) as e:
        raise ValueError(
            f"Expected weights that fit preset '{preset.name}' as built with "
            f"{item.get('overrides', {})} (plus your overrides). Received: {path}, which does not "
            f"load ({e}). Leave out overrides that change the networks' shapes."
        ) from None
    return gan
