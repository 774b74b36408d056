"""Tests for finding a dataset by name: Debian's and shipped files, environment variables, the
download order (Keras, then TFDS), TFDS-prepared data offline, and the not-found message.

Downloads are disabled (KERASGAN_NO_DOWNLOAD) and the download helpers replaced by failing stubs
where a test could reach them.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

import kerasgan.data as kd
from kerasgan.data import sources
from test_data import DEBIAN_FASHION, batches, make_idx_dir

# The subject does not depend on the Keras backend: the TensorFlow pass runs these.
pytestmark = [pytest.mark.backend_neutral, pytest.mark.usefixtures("offline_data")]


def test_debian_fashion_mnist_auto_discovery(fashion_mnist_dir):
    assert fashion_mnist_dir == DEBIAN_FASHION
    ds = kd.load("fashion_mnist", batch_size=128, limit=256, shuffle=False, with_labels=True)
    (x0, y0), _ = batches(ds)
    assert x0.shape == (128, 28, 28, 1) and x0.dtype == np.float32
    x_ref, y_ref = kd.load_idx_directory(DEBIAN_FASHION, "train", with_labels=True)
    np.testing.assert_allclose(x0[..., 0], x_ref[:128] / 255.0, atol=1e-6)
    np.testing.assert_array_equal(y0, y_ref[:128])
    assert kd.FASHION_MNIST_DIRS[0] == DEBIAN_FASHION
    test = kd.load("fashion-mnist", split="test", batch_size=100, limit=100, value_range=(-1, 1))
    assert batches(test)[0].shape == (100, 28, 28, 1)


def test_env_var_directory(tmp_path, monkeypatch):
    make_idx_dir(tmp_path / "fm", n_train=30)
    monkeypatch.setenv("KERASGAN_FASHION_MNIST_DIR", str(tmp_path / "fm"))
    ds = kd.load("fashion_mnist", batch_size=10)
    assert ds.element_spec.shape == (10, 8, 6, 1)  # the env dir wins over Debian's 28x28 files
    make_idx_dir(tmp_path / "dd", n_train=30, size=(5, 5))
    ds = kd.load("fashion_mnist", batch_size=10, data_dir=str(tmp_path / "dd"))
    assert ds.element_spec.shape == (10, 5, 5, 1)  # data_dir wins over the env variable


def test_mnist_train_refused_when_only_t10k(tmp_path, monkeypatch):
    make_idx_dir(tmp_path / "mnist", n_train=None, n_test=20)
    monkeypatch.setitem(
        sources._KNOWN, "mnist", sources._Known(idx=True, dirs=(str(tmp_path / "mnist"),))
    )
    with pytest.raises(
        kd.DataNotFoundError, match=r"(?s)only the 'test' split is present.*split='test'"
    ):
        kd.load("mnist", source="idx")
    (b,) = batches(kd.load("mnist", split="test", batch_size=20))
    assert b.shape == (20, 8, 6, 1)
    with pytest.raises(kd.DataNotFoundError, match="Received: only the 'test' split is present"):
        kd.load_idx_directory(tmp_path / "mnist", "train")


def test_mnist_test_split_ships_with_the_package():
    """The real MNIST test split, from inside the package: no path outside the repository."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    packaged = os.path.join(root, "kerasgan", "data", "mnist")
    assert kd.MNIST_DIRS == (packaged,)
    assert "CC BY-SA 3.0" in open(os.path.join(packaged, "README.md"), encoding="utf-8").read()
    ds = kd.load("mnist", split="test", limit=64, batch_size=64, shuffle=False, labels=True)
    images, labels = next(iter(ds))
    assert images.shape == (64, 28, 28, 1) and ds.class_names == [str(i) for i in range(10)]
    # MNIST's first test digits (LeCun's t10k set): 7, 2, 1, 0, 4, 1, 4, 9.
    assert labels.numpy()[:8].tolist() == [7, 2, 1, 0, 4, 1, 4, 9]
    x, y = kd.load_idx_directory(packaged, "test", with_labels=True)
    assert x.shape == (10000, 28, 28) and np.bincount(y).min() > 850
    # The train split is not shipped: the search says so and points to the test split.
    with pytest.raises(kd.DataNotFoundError, match=r"(?s)only the 'test' split is present"):
        kd.load("mnist", split="train", source="idx")


def test_no_download_fails_without_trying_the_network(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(sources, "_keras_source", forbidden)
    monkeypatch.setattr(sources, "_tfds_download_source", forbidden)
    monkeypatch.setattr(sources, "_network_reachable", forbidden)
    with pytest.raises(kd.DataNotFoundError) as err:
        kd.load("no_such_dataset_xyz", limit=10)
    message = str(err.value)
    assert "downloads: disabled (KERASGAN_NO_DOWNLOAD is set)" in message
    assert "KERASGAN_NO_SUCH_DATASET_XYZ_DIR: not set" in message
    assert "TFDS" in message and "allow downloads" in message
    with pytest.raises(kd.DataNotFoundError, match=r"(?s)cifar10.*downloads: disabled"):
        kd.load("cifar10", data_dir="/nonexistent/dir")
    monkeypatch.delenv("KERASGAN_NO_DOWNLOAD")
    with pytest.raises(kd.DataNotFoundError, match=r"downloads: disabled \(download=False\)"):
        kd.load("cifar10", download=False)


def test_not_found_message_lists_places_and_fixes(tmp_path, monkeypatch):
    monkeypatch.setitem(
        sources._KNOWN, "fashion_mnist",
        sources._Known(idx=True, dirs=(str(tmp_path / "absent"),), keras="fashion_mnist"),
    )
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(kd.DataNotFoundError) as err:
        kd.load("fashion_mnist", data_dir=str(tmp_path / "emptydir"))
    message = str(err.value)
    for needle in (
        f"{tmp_path / 'emptydir'} (data_dir): holds no IDX files",
        "$KERASGAN_FASHION_MNIST_DIR: not set",
        f"{tmp_path / 'absent'} (default): does not exist",
        "TFDS data_dir",
        "apt-get install -y dataset-fashion-mnist",
        "set KERASGAN_FASHION_MNIST_DIR=/path/to/dir",
        "downloads: disabled",
    ):
        assert needle in message, needle


def test_download_order_keras_first_then_tfds(monkeypatch):
    """With downloads allowed, keras.datasets is tried first, TFDS only when the net is up."""
    monkeypatch.delenv("KERASGAN_NO_DOWNLOAD")
    calls = []

    def fake_keras(module, split):
        calls.append(("keras", module, split))
        x = np.zeros((8, 3, 3, 3), np.uint8)
        return sources.pipeline.Source("fake keras", 8, images=x, labels=np.arange(8),
                                       element_shape=(3, 3, 3), has_labels=True)

    monkeypatch.setattr(sources, "_keras_source", fake_keras)
    monkeypatch.setattr(sources, "_network_reachable", lambda *a, **k: False)
    ds = kd.load("cifar10", data_dir="/nonexistent/dir", batch_size=4, with_labels=True)
    assert calls == [("keras", "cifar10", "train")]
    assert ds.element_spec[0].shape == (4, 3, 3, 3)

    def failing_keras(module, split):
        # keras.utils.get_file raises a bare Exception with this text when offline.
        raise Exception("URL fetch failure on https://example.invalid: None -- no network")  # noqa: TRY002

    def forbidden(*args, **kwargs):
        raise AssertionError("TFDS download attempted while offline")

    monkeypatch.setattr(sources, "_keras_source", failing_keras)
    monkeypatch.setattr(sources, "_tfds_download_source", forbidden)
    with pytest.raises(kd.DataNotFoundError, match="TFDS download: skipped, the network"):
        kd.load("cifar10", data_dir="/nonexistent/dir")


def test_tfds_prepared_data_is_used_offline(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 6, 6, 3), dtype=np.uint8)
    split = tf.data.Dataset.from_tensor_slices({"image": images, "label": np.arange(12) % 3})
    features = tfds.features.FeaturesDict(
        {
            "image": tfds.features.Image(shape=(6, 6, 3)),
            "label": tfds.features.ClassLabel(num_classes=3),
        }
    )
    tfds.dataset_builders.store_as_tfds_dataset(
        name="kerasgan_test_tiny", version="1.0.0", features=features,
        split_datasets={"train": split}, data_dir=str(tmp_path), disable_shuffling=True,
    )
    ds = kd.load("kerasgan_test_tiny", data_dir=str(tmp_path), batch_size=4, shuffle=False,
                 with_labels=True, download=False)
    (x, y), *_ = batches(ds)
    np.testing.assert_allclose(x, images[:4] / 255.0, atol=1e-6)
    np.testing.assert_array_equal(y, [0, 1, 2, 0])
    small = kd.load("kerasgan_test_tiny", data_dir=str(tmp_path), source="tfds",
                    image_shape=(4, 4, 1), batch_size=4, limit=8)
    assert [b.shape for b in batches(small)] == [(4, 4, 4, 1)] * 2


def test_known_dataset_names_its_classes(tmp_path, monkeypatch):
    make_idx_dir(tmp_path, n_train=20)
    monkeypatch.setenv("KERASGAN_FASHION_MNIST_DIR", str(tmp_path))
    ds = kd.load("fashion_mnist", batch_size=10, labels=True)
    assert ds.num_classes == 10 and ds.class_names[7] == "Sneaker"


def test_tfds_labels_names_and_range(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    images = np.zeros((6, 4, 4, 1), np.uint8)
    split = tf.data.Dataset.from_tensor_slices({"image": images, "label": np.arange(6) % 3})
    features = tfds.features.FeaturesDict({
        "image": tfds.features.Image(shape=(4, 4, 1)),
        "label": tfds.features.ClassLabel(names=["ant", "bee", "cow"]),
    })
    tfds.dataset_builders.store_as_tfds_dataset(
        name="kerasgan_test_labels", version="1.0.0", features=features,
        split_datasets={"train": split}, data_dir=str(tmp_path), disable_shuffling=True,
    )
    ds = kd.load("kerasgan_test_labels", data_dir=str(tmp_path), batch_size=3, shuffle=False,
                 labels=True, download=False)
    assert ds.class_names == ["ant", "bee", "cow"] and ds.num_classes == 3
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches(ds)]), [0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match=r"at most num_classes=2 .* 3 classes \(ant, bee, cow\)"):
        kd.load("kerasgan_test_labels", data_dir=str(tmp_path), batch_size=3, labels=True,
                num_classes=2, download=False)
