"""Shipped trained weights: `kerasgan.zoo.get(name, weights=...)`, its sha256 check and its errors."""

import os

import numpy as np
import pytest

from kerasgan import zoo
from kerasgan.zoo import weights as weights_lib

TINY = {"image_shape": (4, 4, 1), "g_widths": (8,), "d_widths": (8,), "latent_dim": 4,
        "steps_per_execution": 1}


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A trained tiny mnist_mlp saved as the "tiny" weights of the preset, in a temporary folder."""
    gan = zoo.get("mnist_mlp", seed=0, **TINY)
    x = np.random.default_rng(0).uniform(0, 1, (8, 4, 4, 1)).astype("float32")
    gan.fit(x, batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "mnist_mlp-tiny.weights.h5"
    gan.save_weights(str(path))
    monkeypatch.setattr(weights_lib, "WEIGHTS_DIR", str(tmp_path))
    entry = {"file": path.name, "sha256": weights_lib.sha256(str(path)), "overrides": dict(TINY),
             "description": "test weights"}
    monkeypatch.setitem(zoo.spec("mnist_mlp").weights, "tiny", entry)
    return gan, path, entry


def test_loads_shipped_weights(shipped):
    trained, _, _ = shipped
    gan = zoo.get("mnist_mlp", weights="tiny", seed=1)  # another init, replaced by the file
    np.testing.assert_allclose(gan.generate(4, seed=2), trained.generate(4, seed=2), atol=1e-6)
    for a, b in zip(gan.discriminator.weights, trained.discriminator.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert gan.image_shape == (4, 4, 1)  # built with the entry's overrides


def test_unknown_weights_name_lists_the_available_ones(shipped):
    with pytest.raises(ValueError, match=r"Expected a weights name of preset 'mnist_mlp' \(available: [a-z_, ]*\btiny\b[a-z_, ]*\)\. Received: weights='imagenet'"):
        zoo.get("mnist_mlp", weights="imagenet")
    with pytest.raises(ValueError, match=r"available: none yet"):
        zoo.get("gaussian_1d", weights="tiny")


def test_missing_file(shipped):
    _, path, _ = shipped
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=r"Expected the weights file of preset 'mnist_mlp', weights='tiny'.*Received: no such file"):
        zoo.get("mnist_mlp", weights="tiny")


def test_corrupt_file_fails_the_checksum(shipped):
    _, path, entry = shipped
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=rf"Expected sha256 {entry['sha256']} .*Received: sha256 [0-9a-f]{{64}}: the file is corrupt"):
        zoo.get("mnist_mlp", weights="tiny")


def test_weights_of_other_networks_do_not_load(shipped):
    _, path, entry = shipped
    with pytest.raises(ValueError, match=r"Expected weights that fit preset 'mnist_mlp'.*does not load"):
        zoo.get("mnist_mlp", weights="tiny", g_widths=(16,))


def test_every_listed_file_ships_with_its_checksum():
    entries = [(name, key, item) for name in zoo.names() for key, item in zoo.spec(name).weights.items()]
    if not entries:
        pytest.skip("no trained weights listed yet")
    for name, key, item in entries:
        assert set(item) >= {"file", "sha256", "overrides", "description"}, (name, key)
        path = weights_lib.path_of(item)
        assert os.path.isfile(path), path
        assert weights_lib.sha256(path) == item["sha256"], path


SHIPPED = [(name, key) for name in zoo.names() for key in sorted(zoo.spec(name).weights)]


@pytest.mark.parametrize("name,key", SHIPPED)
def test_each_shipped_file_loads_and_generates(name, key):
    gan = zoo.get(name, weights=key, seed=1)
    images = gan.generate(4, seed=0)
    assert images.shape == (4,) + tuple(gan.image_shape)
    assert np.isfinite(images).all() and images.min() >= 0.0 and images.max() <= 1.0
    untrained = zoo.get(name, seed=1, **zoo.spec(name).weights[key].get("overrides", {}))
    # The file replaced the seed's initial weights: the same noise draws other images.
    assert np.abs(images - untrained.generate(4, seed=0)).mean() > 1e-3


@pytest.mark.parametrize("name,key", SHIPPED)
def test_each_shipped_file_checks_its_sha256(name, key, tmp_path, monkeypatch):
    item = zoo.spec(name).weights[key]
    with open(weights_lib.path_of(item), "rb") as f:
        data = bytearray(f.read())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / item["file"]).write_bytes(bytes(data))
    monkeypatch.setattr(weights_lib, "WEIGHTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=rf"Expected sha256 {item['sha256']} .*the file is corrupt"):
        zoo.get(name, weights=key)
