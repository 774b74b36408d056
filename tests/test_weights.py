"""Shipped trained weights: `kerasgan.zoo.get(name, weights=...)`, its sha256 check and its errors."""

import os

import numpy as np
import pytest

from kerasgan import zoo
from kerasgan.zoo import weights as weights_lib

TINY = {"image_shape": (4, 4, 1), "g_widths": (8,), "d_widths": (8,), "latent_dim": 4,
        "steps_per_execution": 1}


@pytest.fixture(scope="module")
def _trained(tmp_path_factory):
    """A tiny mnist_mlp trained once for this module, and its saved weights."""
    gan = zoo.get("mnist_mlp", seed=0, **TINY)
    x = np.random.default_rng(0).uniform(0, 1, (8, 4, 4, 1)).astype("float32")
    gan.fit(x, batch_size=4, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("trained") / "mnist_mlp-tiny.weights.h5"
    gan.save_weights(str(path))
    return gan, path.read_bytes()


@pytest.fixture
def shipped(_trained, tmp_path, monkeypatch):
    """The tiny mnist_mlp's weights as the "tiny" weights of the preset, in a fresh folder."""
    gan, data = _trained
    path = tmp_path / "mnist_mlp-tiny.weights.h5"
    path.write_bytes(data)
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
    assert len({name for name, _, _ in entries}) >= 9, entries  # the zoo ships trained weights
    for name, key, item in entries:
        assert set(item) >= {"file", "sha256", "overrides", "description"}, (name, key)
        path = weights_lib.path_of(item)
        assert os.path.isfile(path), path
        assert weights_lib.sha256(path) == item["sha256"], path


def test_every_shipped_file_is_package_data():
    """A wheel (not only an editable install) carries every weights file the presets list."""
    import fnmatch
    import tomllib

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["kerasgan"]
    package = os.path.join(root, "kerasgan")
    for name in zoo.names():
        for item in zoo.spec(name).weights.values():
            relative = os.path.relpath(weights_lib.path_of(item), package)
            assert any(fnmatch.fnmatch(relative, p) for p in patterns), (relative, patterns)


SHIPPED = [(name, key) for name in zoo.names() for key in sorted(zoo.spec(name).weights)]


# In the TensorFlow pass; under JAX and torch, test_torch_backend.py's
# test_shipped_weights_draw_tensorflows_images loads every file and draws these images to 1e-5.
@pytest.mark.backend_neutral
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


# ------------------------------------------------- compact generator files (.generator.npz)

def _trained_dcgan(seed=0, **kwargs):
    """A small dcgan (BatchNorm statistics included) after two updates."""
    gan = zoo.get("dcgan", seed=seed, batch_size=2, base_filters=4, **kwargs)
    x = np.random.default_rng(0).uniform(0, 1, (4, 28, 28, 1)).astype("float32")
    gan.fit(x, batch_size=2, epochs=1, verbose=0)
    return gan


# The tests below read these GANs (save, generate, compare) and never train or change them.
@pytest.fixture(scope="module")
def trained_dcgan():
    return _trained_dcgan()


@pytest.fixture(scope="module")
def trained_ema_dcgan():
    return _trained_dcgan(ema_decay=0.9)


def _values(variables):
    return [np.asarray(v) for v in variables]


def test_int8_quantization_by_hand():
    value = np.array([[1.0, -2.0, 0.0], [0.5, 1.0, 0.0]], dtype="float32")
    q, scale = weights_lib._quantize_int8(value)
    # One scale per column (the last axis): absmax / 127; an all-zero column keeps scale 1.
    np.testing.assert_allclose(scale, [1 / 127, 2 / 127, 1.0], rtol=1e-7)
    # 0.5 / (1/127) = 63.5 rounds to even (64); 1.0 / (2/127) = 63.5 -> 64 too.
    np.testing.assert_array_equal(q, [[127, -127, 0], [64, 64, 0]])
    assert q.dtype == np.int8 and scale.dtype == np.float32


def test_generator_file_float32_is_exact_and_leaves_the_discriminator(tmp_path, trained_dcgan):
    trained = trained_dcgan
    path = str(tmp_path / "g.generator.npz")
    digest = weights_lib.save_generator(trained, path, storage="float32")
    assert digest == weights_lib.sha256(path)
    fresh = zoo.get("dcgan", seed=1, batch_size=2, base_filters=4)
    d_before = _values(fresh.discriminator.weights)
    weights_lib.load_generator(fresh, path)
    for a, b in zip(_values(fresh.generator.weights), _values(trained.generator.weights)):
        np.testing.assert_array_equal(a, b)  # moving statistics of BatchNorm included
    for a, b in zip(_values(fresh.discriminator.weights), d_before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(fresh.generate(4, seed=3), trained.generate(4, seed=3), atol=1e-6)


@pytest.mark.parametrize("storage", ["float16", "int8"])
def test_generator_file_compact_storage_error_bounds(tmp_path, storage, trained_dcgan):
    trained = trained_dcgan
    paths = {s: str(tmp_path / f"{s}.generator.npz") for s in ("float32", storage)}
    for s, p in paths.items():
        weights_lib.save_generator(trained, p, storage=s)
    assert os.path.getsize(paths[storage]) < 0.6 * os.path.getsize(paths["float32"])
    fresh = zoo.get("dcgan", seed=1, batch_size=2, base_filters=4)
    weights_lib.load_generator(fresh, paths[storage])
    for v, original in zip(fresh.generator.weights, _values(trained.generator.weights)):
        loaded = np.asarray(v)
        assert loaded.dtype == np.float32
        if original.ndim < 2:  # vectors are stored as they are
            np.testing.assert_array_equal(loaded, original)
        elif storage == "float16":
            np.testing.assert_array_equal(loaded, original.astype(np.float16).astype(np.float32))
        else:  # at most half a quantization step per slice of the last axis
            step = np.max(np.abs(original), axis=tuple(range(original.ndim - 1))) / 127
            assert np.all(np.abs(loaded - original) <= step / 2 + 1e-7), v.path
            assert np.any(loaded != original)


def test_generator_file_holds_the_ema_generator(tmp_path, trained_ema_dcgan):
    trained = trained_ema_dcgan
    raw = _values(trained.generator.weights)
    path = str(tmp_path / "ema.generator.npz")
    weights_lib.save_generator(trained, path, storage="float32")
    np.testing.assert_array_equal(_values(trained.generator.weights)[0], raw[0])  # restored
    fresh = zoo.get("dcgan", seed=1, batch_size=2, base_filters=4, ema_decay=0.9)
    weights_lib.load_generator(fresh, path)
    # What generate() used (the averages) is what loads, as weights and as averages.
    for a, b in zip(_values(fresh.ema_variables), _values(trained.ema_variables)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(fresh.generate(4, seed=3), trained.generate(4, seed=3), atol=1e-6)
    plain = zoo.get("dcgan", seed=1, batch_size=2, base_filters=4)
    weights_lib.load_generator(plain, path)  # EMA off: the averaged weights become the weights
    np.testing.assert_allclose(plain.generate(4, seed=3), trained.generate(4, seed=3), atol=1e-6)


def test_generator_file_errors(tmp_path, trained_dcgan):
    gan = trained_dcgan
    with pytest.raises(ValueError, match=r"Expected a path ending in '\.generator\.npz'\. Received: path='.*g\.npz'"):
        weights_lib.save_generator(gan, str(tmp_path / "g.npz"))
    with pytest.raises(ValueError, match=r"Expected storage to be one of float32, float16, int8\. Received: storage='int4'"):
        weights_lib.save_generator(gan, str(tmp_path / "g.generator.npz"), storage="int4")
    assert not os.listdir(tmp_path)  # nothing half-written
    path = str(tmp_path / "g.generator.npz")
    weights_lib.save_generator(gan, path)
    other = zoo.get("dcgan", seed=1, batch_size=2, base_filters=8)
    before = _values(other.generator.weights)
    with pytest.raises(ValueError, match=r"Expected shape \(7, 7, 16, 100\) for the generator's variable project/kernel\. Received: shape \(7, 7, 8, 100\) \(project/kernel\) in .*g\.generator\.npz: it was written from another architecture"):
        weights_lib.load_generator(other, path)
    for a, b in zip(_values(other.generator.weights), before):  # checked before any assignment
        np.testing.assert_array_equal(a, b)
    mlp = zoo.get("mnist_mlp", seed=0, **TINY)
    with pytest.raises(ValueError, match=r"Expected a file with the generator's \d+ variables\. Received: .* with \d+"):
        weights_lib.load_generator(mlp, path)
    not_npz = tmp_path / "x.generator.npz"
    not_npz.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"Expected a kerasgan generator file .*Received: .*x\.generator\.npz, which does not read as one"):
        weights_lib.load_generator(gan, str(not_npz))


def test_shipped_generator_file_loads_through_zoo_get(tmp_path, monkeypatch, trained_dcgan):
    trained = trained_dcgan
    path = tmp_path / "dcgan-tiny.generator.npz"
    digest = weights_lib.save_generator(trained, str(path), storage="int8")
    monkeypatch.setattr(weights_lib, "WEIGHTS_DIR", str(tmp_path))
    entry = {"file": path.name, "sha256": digest, "description": "test",
             "overrides": {"batch_size": 2, "base_filters": 4}}
    monkeypatch.setitem(zoo.spec("dcgan").weights, "tiny", entry)
    gan = zoo.get("dcgan", weights="tiny", seed=1)
    assert np.abs(gan.generate(4, seed=3) - trained.generate(4, seed=3)).max() < 0.05
    with pytest.raises(ValueError, match=r"Expected weights that fit preset 'dcgan'.*does not load \(Expected shape"):
        zoo.get("dcgan", weights="tiny", base_filters=8)


def test_ship_weights_tool(tmp_path, trained_ema_dcgan):
    from tools import ship_weights

    trained = trained_ema_dcgan
    ckpt = str(tmp_path / "checkpoint.keras")
    trained.save(ckpt)
    h5 = ship_weights.ship(ckpt, str(tmp_path / "out.weights.h5"))
    assert h5["step"] == 2 and h5["sha256"] == weights_lib.sha256(str(tmp_path / "out.weights.h5"))
    full = zoo.get("dcgan", seed=1, batch_size=2, base_filters=4, ema_decay=0.9)
    full.load_weights(str(tmp_path / "out.weights.h5"))
    for a, b in zip(_values(full.weights), _values(trained.weights)):
        np.testing.assert_array_equal(a, b)
    npz = ship_weights.ship(ckpt, str(tmp_path / "out.generator.npz"), storage="int8")
    assert npz["file"] == "out.generator.npz" and npz["bytes"] == os.path.getsize(tmp_path / "out.generator.npz")
    with pytest.raises(ValueError, match=r"Expected --storage=float32 for a \.weights\.h5 file"):
        ship_weights.ship(ckpt, str(tmp_path / "x.weights.h5"), storage="int8")
    with pytest.raises(ValueError, match=r"Expected --output ending in \.weights\.h5 or \.generator\.npz\. Received: '.*x\.h5'"):
        ship_weights.ship(ckpt, str(tmp_path / "x.h5"))
    assert not os.path.exists(tmp_path / "x.weights.h5")


def test_readme_names_every_preset_and_counts_those_with_weights():
    """The front page lists every preset with its card and names each one that ships weights."""
    import re

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    # Other tests register scratch presets named "_test_..." for their own duration.
    shipped = [n for n in zoo.names() if not n.startswith("_test_")]
    for name in shipped:
        assert f"- [`{name}`](zoo/{name}/README.md)" in readme, name
    numbers = {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
    match = re.search(r"(\w+) ship weights: (.*?)\. Scores", readme, re.S)
    assert match, "README's opening paragraph no longer says which presets ship weights"
    with_weights = {n for n in shipped if zoo.spec(n).weights}
    assert numbers.get(match.group(1).lower()) == len(with_weights), match.group(0)
    assert set(re.findall(r"`(\w+)`", match.group(2))) == with_weights, match.group(2)

