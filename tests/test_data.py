"""Tests for kerasgan.data: IDX files, arrays, shapes and ranges, batching, presets, labels, errors.

Every test builds its own tiny data in tmp_path and never touches the network (KERASGAN_NO_DOWNLOAD
is set). Image folders: tests/test_data_folders.py; finding data by name:
tests/test_data_discovery.py. The helpers here (`write_idx`, `make_idx_dir`, `save_image`,
`batches`) serve those files too.
"""

import gzip
import struct

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kerasgan.data as kd
from kerasgan.data import sources

# The subject does not depend on the Keras backend: the TensorFlow pass runs these.
pytestmark = [pytest.mark.backend_neutral, pytest.mark.usefixtures("offline_data")]

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"


# --- helpers ---------------------------------------------------------------------------------

_IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D}


def write_idx(path, array, gz=None):
    """Writes `array` as an IDX file (gzip when the name ends in .gz or gz=True)."""
    array = np.asarray(array)
    code = _IDX_CODES[array.dtype]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    gz = str(path).endswith(".gz") if gz is None else gz
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(payload)
    return str(path)


def make_idx_dir(directory, n_train=50, n_test=20, size=(8, 6), gz=True, labels=True, seed=0):
    """An MNIST-style directory; image i is filled with value i % 256, label i % 10."""
    directory.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        if n is None:
            continue
        x = np.broadcast_to((np.arange(n) % 256).astype(np.uint8)[:, None, None], (n,) + size)
        y = (np.arange(n) % 10).astype(np.uint8)
        write_idx(directory / f"{prefix}-images-idx3-ubyte{ext}", np.ascontiguousarray(x))
        if labels:
            write_idx(directory / f"{prefix}-labels-idx1-ubyte{ext}", y)
        out[prefix] = (x, y)
    return out


def save_image(path, array, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, np.uint8), mode=mode).save(path)
    return str(path)


def batches(ds):
    return list(ds.as_numpy_iterator())


# --- IDX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_roundtrip(tmp_path, gz):
    x = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / ("a.idx.gz" if gz else "a.idx"), x)
    got = kd.read_idx(path)
    assert got.dtype == np.uint8 and got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, x)
    got[0, 0, 0] = 7  # writable


def test_read_idx_multibyte_types(tmp_path):
    x = np.array([[1, -2], [70000, 3]], np.int32)
    np.testing.assert_array_equal(kd.read_idx(write_idx(tmp_path / "i.idx", x)), x)
    f = np.array([0.5, -1.25], np.float32)
    np.testing.assert_array_equal(kd.read_idx(write_idx(tmp_path / "f.idx", f)), f)


def test_read_idx_bad_magic(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(kd.DataFormatError, match=r"Expected an IDX magic number.*Received: magic number 0x89504E47 in '.*train-images"):
        kd.read_idx(path)


def test_read_idx_truncated_payload(tmp_path):
    path = tmp_path / "t.idx"
    write_idx(path, np.zeros((10, 4, 4), np.uint8))
    data = path.read_bytes()
    path.write_bytes(data[:-5])
    with pytest.raises(
        kd.DataFormatError, match=r"Expected IDX file '.*t\.idx' to hold the 160 payload bytes of the shape \(10, 4, 4\).*Received: 155 bytes.*truncated"
    ):
        kd.read_idx(path)


def test_read_idx_trailing_bytes(tmp_path):
    path = tmp_path / "t.idx"
    write_idx(path, np.zeros((2, 2), np.uint8))
    data = path.read_bytes()
    path.write_bytes(data + b"xx")
    with pytest.raises(kd.DataFormatError, match=r"t\.idx' to hold .*Received: \d+ bytes, 2 more"):
        kd.read_idx(path)


def test_read_idx_corrupt_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    write_idx(path, np.zeros((50, 8, 8), np.uint8))
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(kd.DataFormatError, match=r"Expected a readable IDX file\. Received: '.*ubyte\.gz', which cannot be decompressed"):
        kd.read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(kd.DataNotFoundError, match="Expected an IDX file at '.*nope.gz'. Received: no such file"):
        kd.read_idx(tmp_path / "nope.gz")


def test_label_count_mismatch(tmp_path):
    make_idx_dir(tmp_path, n_train=30)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(29, np.uint8))
    match = (r"Expected the label file '.*train-labels-idx1-ubyte\.gz' to hold one label per image, "
             r"shape \(30,\)\. Received: shape \(29,\) .* 30 images in '.*train-images-idx3-ubyte\.gz'")
    with pytest.raises(kd.DataFormatError, match=match):
        kd.load_idx_directory(tmp_path)
    with pytest.raises(kd.DataFormatError, match=match):
        kd.load(str(tmp_path), batch_size=4)


def test_load_idx_directory(tmp_path):
    data = make_idx_dir(tmp_path, gz=False)
    x, y = kd.load_idx_directory(tmp_path, "test", with_labels=True)
    np.testing.assert_array_equal(x, data["t10k"][0])
    assert y.dtype == np.int32 and list(y[:3]) == [0, 1, 2]
    assert kd.load_idx_directory(str(tmp_path)).shape == (50, 8, 6)
    with pytest.raises(kd.DataNotFoundError, match="Expected an IDX directory. Received: '.*missing', which does not exist"):
        kd.load_idx_directory(tmp_path / "missing")
    with pytest.raises(ValueError, match=r"Expected split 'train' or 'test' .*Received: split='validation'"):
        kd.load_idx_directory(tmp_path, "validation")


def test_load_idx_directory_without_labels_file(tmp_path):
    make_idx_dir(tmp_path, labels=False)
    assert kd.load_idx_directory(tmp_path).shape == (50, 8, 6)
    with pytest.raises(kd.DataNotFoundError, match=r"Expected a label file train-labels-idx1-ubyte.*Received: .* holds no label file"):
        kd.load_idx_directory(tmp_path, with_labels=True)


# --- load() from IDX: shapes, range, batching, shuffling ----------------------------------------


def test_load_idx_shapes_and_native_size(tmp_path):
    make_idx_dir(tmp_path)
    ds = kd.load(str(tmp_path), batch_size=16)
    assert ds.element_spec == tf.TensorSpec((16, 8, 6, 1), tf.float32)
    out = batches(ds)
    assert len(out) == 3  # 50 // 16, remainder dropped
    assert int(ds.cardinality()) == 3  # known, so fit() can count steps
    assert all(b.shape == (16, 8, 6, 1) and b.dtype == np.float32 for b in out)


@pytest.mark.parametrize("value_range", [(0.0, 1.0), (-1.0, 1.0), (-0.5, 2.0)])
def test_value_range_mapping(value_range):
    x = np.array([0, 51, 255, 128], np.uint8).reshape(4, 1, 1, 1)
    (got,) = batches(kd.from_arrays(x, value_range=value_range, batch_size=4, shuffle=False))
    low, high = value_range
    assert got[0, 0, 0, 0] == low and got[2, 0, 0, 0] == high  # exact ends
    np.testing.assert_allclose(got[1, 0, 0, 0], low + 0.2 * (high - low), atol=1e-6)
    np.testing.assert_allclose(got[3, 0, 0, 0], low + 128 / 255 * (high - low), atol=1e-6)


def test_shuffle_is_deterministic_and_reshuffles(tmp_path):
    make_idx_dir(tmp_path, n_train=64)

    def order(ds):
        return [round(float(v) * 255) for b in batches(ds) for v in b[:, 0, 0, 0]]

    ds_a = kd.load(str(tmp_path), batch_size=8, seed=3)
    ds_b = kd.load(str(tmp_path), batch_size=8, seed=3)
    a1, a2 = order(ds_a), order(ds_a)
    assert a1 == order(ds_b) and a2 == order(ds_b)  # same seed, same epochs
    assert a1 != a2  # reshuffled each epoch
    assert sorted(a1) == list(range(64))
    assert order(kd.load(str(tmp_path), batch_size=8, seed=4)) != a1
    assert order(kd.load(str(tmp_path), batch_size=8, shuffle=False)) == list(range(64))


def test_limit_keeps_first_examples(tmp_path):
    make_idx_dir(tmp_path)
    ds = kd.load(str(tmp_path), batch_size=10, limit=20, shuffle=False)
    got = np.concatenate(batches(ds))[:, 0, 0, 0] * 255
    np.testing.assert_allclose(got, np.arange(20), atol=1e-3)
    shuffled = np.concatenate(batches(kd.load(str(tmp_path), batch_size=10, limit=20)))
    assert sorted(np.round(shuffled[:, 0, 0, 0] * 255).astype(int)) == list(range(20))


def test_with_labels_stay_aligned(tmp_path):
    make_idx_dir(tmp_path, n_train=60)
    ds = kd.load(str(tmp_path), batch_size=12, with_labels=True, seed=1)
    assert ds.element_spec[1] == tf.TensorSpec((12,), tf.int32)
    for images, labels in batches(ds):
        index = np.round(images[:, 0, 0, 0] * 255).astype(int)
        np.testing.assert_array_equal(labels, index % 10)


def test_split_test_reads_t10k(tmp_path):
    make_idx_dir(tmp_path, n_train=50, n_test=20)
    (b,) = batches(kd.load(str(tmp_path), split="test", batch_size=20))
    assert b.shape == (20, 8, 6, 1)


def test_repeat_and_cache_flags(tmp_path):
    make_idx_dir(tmp_path, n_train=16)
    ds = kd.load(str(tmp_path), batch_size=8, repeat=True, image_shape=(4, 4, 3), cache=False)
    assert len(list(ds.take(5).as_numpy_iterator())) == 5
    assert ds.element_spec.shape == (8, 4, 4, 3)


# --- geometry and channels ----------------------------------------------------------------------


def _halves(height, width):
    """Gray image: left half 0, right half 255."""
    x = np.zeros((height, width), np.uint8)
    x[:, width // 2 :] = 255
    return x


def test_center_crop_without_resize():
    x = _halves(20, 40)[None]  # 20 tall, 40 wide
    (b,) = batches(kd.from_arrays(x, image_shape=(20, 20, 1), batch_size=1))
    # Columns 10..29 of the source: 10 dark, then 10 bright.
    np.testing.assert_array_equal(b[0, :, :10, 0], 0.0)
    np.testing.assert_array_equal(b[0, :, 10:, 0], 1.0)


def test_resize_short_side_then_center_crop(tmp_path):
    save_image(tmp_path / "wide.png", _halves(20, 40))
    ds = kd.load(str(tmp_path), image_shape=(10, 10, 1), batch_size=1)
    (b,) = batches(ds)
    # 40x20 -> 20x10 (short side 10), crop columns 5..14: 5 dark then 5 bright.
    assert b.shape == (1, 10, 10, 1)
    np.testing.assert_allclose(b[0, :, :4, 0], 0.0, atol=1e-6)
    np.testing.assert_allclose(b[0, :, 6:, 0], 1.0, atol=1e-6)


def test_resize_tall_image_crops_vertically():
    x = _halves(40, 20).T[None]  # 40 tall, 20 wide: top dark, bottom bright
    (b,) = batches(kd.from_arrays(x, image_shape=(10, 10), batch_size=1))
    assert b.shape == (1, 10, 10, 1)
    np.testing.assert_allclose(b[0, :4, :, 0], 0.0, atol=1e-6)
    np.testing.assert_allclose(b[0, 6:, :, 0], 1.0, atol=1e-6)


def test_resized_size_matches_torchvision_rule():
    # CelebA aligned: 218 tall x 178 wide -> short side 64, long side int(64 * 218 / 178) = 78.
    assert sources.pipeline.resized_size(218, 178, 64, 64) == (78, 64)
    assert sources.pipeline.resized_size(20, 40, 10, 10) == (10, 20)
    assert sources.pipeline.resized_size(28, 28, 32, 32) == (32, 32)
    h, w = sources.pipeline.resized_size(tf.constant(218), tf.constant(178), 64, 64)
    assert (int(h), int(w)) == (78, 64)


def test_channel_conversion_from_arrays():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (4, 5, 5, 3), dtype=np.uint8)
    (gray,) = batches(kd.from_arrays(rgb, image_shape=(5, 5, 1), batch_size=4, shuffle=False))
    expected = tf.image.rgb_to_grayscale(rgb).numpy() / 255.0
    np.testing.assert_allclose(gray, expected, atol=1e-6)

    g = rng.integers(0, 256, (4, 5, 5), dtype=np.uint8)
    (rep,) = batches(kd.from_arrays(g, image_shape=(5, 5, 3), batch_size=4, shuffle=False))
    for c in range(3):
        np.testing.assert_allclose(rep[..., c], g / 255.0, atol=1e-6)

    rgba = np.concatenate([rgb, np.full((4, 5, 5, 1), 7, np.uint8)], axis=-1)
    (noalpha,) = batches(kd.from_arrays(rgba, batch_size=4, shuffle=False))
    assert noalpha.shape == (4, 5, 5, 3)
    np.testing.assert_allclose(noalpha, rgb / 255.0, atol=1e-6)


def test_float_arrays_pass_through_and_resize_stays_in_range():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (6, 12, 12, 3)).astype(np.float32)
    (b,) = batches(kd.from_arrays(x, value_range=(-1, 1), batch_size=6, shuffle=False))
    np.testing.assert_array_equal(b, x)
    (r,) = batches(
        kd.from_arrays(x, value_range=(-1, 1), image_shape=(5, 5, 1), batch_size=6)
    )
    assert r.shape == (6, 5, 5, 1) and r.min() >= -1 and r.max() <= 1


# --- empty data, zero batches, bad arguments ---------------------------------------------------


def test_zero_batches_and_empty(tmp_path):
    make_idx_dir(tmp_path, n_train=10)
    with pytest.raises(ValueError, match=r"Expected at least batch_size=16 examples .*Received: only 10 examples.*zero batch"):
        kd.load(str(tmp_path), batch_size=16)
    with pytest.raises(ValueError, match="only 3 examples.*zero batches"):
        kd.load(str(tmp_path), batch_size=4, limit=3)
    with pytest.raises(ValueError, match=r"Expected at least one example in .*Received: 0 examples \(it is empty\)"):
        kd.load(str(tmp_path), limit=0)
    make_idx_dir(tmp_path / "empty", n_train=0)
    with pytest.raises(ValueError, match=r"Received: 0 examples \(it is empty\)"):
        kd.load(str(tmp_path / "empty"))


def test_from_arrays_validation():
    x = np.zeros((10, 4, 4, 1), np.uint8)
    rank = r"Expected images of shape \(N, H, W\) or \(N, H, W, C\)\. Received: shape=\(4, 4\) \(rank 2\)"
    with pytest.raises(ValueError, match=rank):
        kd.from_arrays(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"Expected at least one image\. Received: shape=\(0, 4, 4, 1\)"):
        kd.from_arrays(np.zeros((0, 4, 4, 1), np.uint8))
    bad = np.zeros((10, 4, 4, 1), np.float32)
    bad[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"Expected finite pixel values\. Received: 1 NaN or Inf pixel value\(s\) in 1 of 10 images, the first at index 3"):
        kd.from_arrays(bad)
    with pytest.raises(ValueError, match=r"Expected images with values in \[0, 1\]\. Received: values in \[-1, 1\]\. The values look like \[-1, 1\] images"):
        kd.from_arrays(np.linspace(-1, 1, 160, dtype=np.float32).reshape(10, 4, 4, 1))
    with pytest.raises(ValueError, match=r"Received: only 10 examples, fewer than batch_size=11"):
        kd.from_arrays(x, batch_size=11)
    with pytest.raises(ValueError, match=r"Received: shape=\(10, 3, 8, 8\)\. It looks channels-first"):
        kd.from_arrays(np.zeros((10, 3, 8, 8), np.uint8))
    with pytest.raises(ValueError, match=r"Expected integer images to hold 0\.\.255 .*Received: int32 values in \[300, 300\]"):
        kd.from_arrays(np.full((10, 4, 4), 300, np.int32))
    with pytest.raises(ValueError, match=r"Expected labels of shape \(10,\).*Received: shape=\(9,\)"):
        kd.from_arrays(x, labels=np.zeros(9, np.int64))


def test_bad_arguments(tmp_path):
    make_idx_dir(tmp_path)
    with pytest.raises(ValueError, match=r"Expected source to be one of .*Received: source='web'"):
        kd.load(str(tmp_path), source="web")
    with pytest.raises(ValueError, match=r"Expected value_range to be a pair \(low, high\) of finite numbers with low < high\. Received: value_range=\(1, 0\)"):
        kd.load(str(tmp_path), value_range=(1, 0))
    with pytest.raises(ValueError, match=r"Expected image_shape to be \(H, W\) or \(H, W, C\).*Received: image_shape=\(8, 8, 2\)"):
        kd.load(str(tmp_path), image_shape=(8, 8, 2))
    with pytest.raises(ValueError, match=r"Expected batch_size to be a positive integer\. Received: batch_size=0"):
        kd.load(str(tmp_path), batch_size=0)
    with pytest.raises(ValueError, match=r"Expected limit to be an integer >= 0 or None\. Received: limit=-1"):
        kd.load(str(tmp_path), limit=-1)


def test_missing_directory(tmp_path):
    with pytest.raises(kd.DataNotFoundError, match=r"Expected a dataset name or an existing directory\. Received: '.*no/such', a directory that does not exist"):
        kd.load(str(tmp_path / "no" / "such"))
    f = tmp_path / "file.bin"
    f.write_bytes(b"x")
    with pytest.raises(kd.DataNotFoundError, match="Received: '.*', which is a file. Pass the directory that holds it"):
        kd.load(str(f))


def test_from_arrays_labels():
    x = (np.arange(20, dtype=np.uint8) * 10)[:, None, None].repeat(2, 1).repeat(2, 2)
    ds = kd.from_arrays(x, labels=np.arange(20), batch_size=5, seed=2)
    for images, labels in batches(ds):
        np.testing.assert_array_equal(np.round(images[:, 0, 0, 0] * 255), labels * 10)


# --- presets ------------------------------------------------------------------------------------


def test_preset_defaults_and_overrides(tmp_path, scratch_name):
    import kerasgan
    from kerasgan.zoo import registry

    name = scratch_name
    registry.register(name, {
        "dataset": str(tmp_path),
        "config": {**kerasgan.zoo.spec("dcgan").as_dict()["config"], "image_shape": (4, 4, 3),
                   "value_range": (-1, 1), "batch_size": 5,
                   "gan": {"real_batches": "split", "d_steps": 2}},
    })
    make_idx_dir(tmp_path, n_train=40)
    ds = kd.load(str(tmp_path), preset=name)
    assert ds.element_spec.shape == (10, 4, 4, 3)  # step_batch_size = 5 * 2
    b = batches(ds)[0]
    assert b.min() >= -1 and b.max() <= 1 and b.min() < 0
    ds = kd.load(str(tmp_path), preset=name, image_shape=(6, 6, 1), batch_size=8)
    assert ds.element_spec.shape == (8, 6, 6, 1)
    assert kd.load(None, preset=name).element_spec.shape == (10, 4, 4, 3)  # preset's dataset
    x = np.zeros((12, 8, 8), np.uint8)
    assert kd.from_arrays(x, preset=name).element_spec.shape == (10, 4, 4, 3)
    with pytest.raises(ValueError, match="Expected a known preset"):
        kd.load(str(tmp_path), preset=name + "_missing")


# --- feeding keras ------------------------------------------------------------------------------


def test_numpy_iteration_static_float32_specs(tmp_path):
    make_idx_dir(tmp_path, n_train=32)
    ds = kd.load(str(tmp_path), image_shape=(8, 8, 3), value_range=(-1, 1), batch_size=8)
    assert ds.element_spec.shape.is_fully_defined() and ds.element_spec.dtype == tf.float32
    out = list(ds.as_numpy_iterator())
    assert len(out) == 4
    assert all(isinstance(b, np.ndarray) and b.shape == (8, 8, 8, 3) for b in out)
    assert all(b.dtype == np.float32 for b in out)


def test_gaussian_1d_samples_feed_the_toy_preset():
    import kerasgan.data as kd

    ds = kd.load("gaussian_1d", preset="gaussian_1d", limit=640, seed=1)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 10 and batches[0].shape == (64, 1) and batches[0].dtype == np.float32
    values = np.concatenate(batches)
    assert abs(values.mean() - 4.0) < 0.1 and abs(values.std() - 0.5) < 0.1
    with pytest.raises(ValueError, match=r"Received: only 10 examples, fewer than batch_size=64"):
        kd.load("gaussian_1d", batch_size=64, limit=10)


# --- labels ---------------------------------------------------------------------------------------


def test_labels_keyword_idx_and_num_classes(tmp_path):
    make_idx_dir(tmp_path, n_train=40)  # labels i % 10
    ds = kd.load(str(tmp_path), batch_size=8, labels=True, seed=3)
    assert ds.element_spec[1] == tf.TensorSpec((8,), tf.int32)
    for images, labels in batches(ds):
        np.testing.assert_array_equal(labels, np.round(images[:, 0, 0, 0] * 255).astype(int) % 10)
    assert ds.class_names is None and ds.num_classes is None  # a bare directory names no classes
    assert kd.load(str(tmp_path), batch_size=8, labels=True, num_classes=10).num_classes == 10
    with pytest.raises(ValueError, match=r"labels in \[0, 5\) .*Received: label 5 at index 5 .* num_classes=10"):
        kd.load(str(tmp_path), batch_size=8, labels=True, num_classes=5)
    # labels=False (the default) still yields bare image batches.
    assert kd.load(str(tmp_path), batch_size=8).element_spec.shape == (8, 8, 6, 1)


def test_labels_and_with_labels_must_agree(tmp_path):
    make_idx_dir(tmp_path, n_train=16)
    with pytest.raises(ValueError, match="one of labels= and with_labels="):
        kd.load(str(tmp_path), batch_size=8, labels=True, with_labels=False)


def test_from_arrays_label_errors_and_names():
    x = np.zeros((6, 4, 4), np.uint8)
    ds = kd.from_arrays(x, labels=[0, 1, 2, 0, 1, 2], batch_size=3, class_names=["a", "b", "c"])
    assert ds.class_names == ["a", "b", "c"] and ds.num_classes == 3
    with pytest.raises(ValueError, match=r"labels in \[0, 3\).*Received: label 3 at index 5"):
        kd.from_arrays(x, labels=[0, 1, 2, 0, 1, 3], batch_size=3, num_classes=3)
    with pytest.raises(ValueError, match=r"Expected labels >= 0\. Received: label -1 at index 2"):
        kd.from_arrays(x, labels=[0, 1, -1, 0, 1, 2], batch_size=3)
    with pytest.raises(ValueError, match=r"labels of shape \(6,\).*\(6, 3\).*argmax"):
        kd.from_arrays(x, labels=np.eye(3)[[0, 1, 2, 0, 1, 2]], batch_size=3)
    with pytest.raises(ValueError, match=r"labels of shape \(6,\).*\(5,\)"):
        kd.from_arrays(x, labels=np.zeros(5, int), batch_size=3)
    with pytest.raises(ValueError, match=r"Expected integer class ids as labels\. Received: dtype float32"):
        kd.from_arrays(x, labels=np.full(6, 0.5, np.float32), batch_size=3)
    # Whole-number floats and a (N, 1) column are class ids too, as at GAN.fit().
    ds = kd.from_arrays(x, labels=np.array([[0.0], [1], [2], [0], [1], [2]]), batch_size=6,
                        shuffle=False)
    np.testing.assert_array_equal(next(iter(ds))[1], [0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match=r"Expected num_classes to be a positive integer or None\. Received: num_classes=0"):
        kd.from_arrays(x, labels=np.zeros(6, int), batch_size=3, num_classes=0)
    with pytest.raises(ValueError, match="Expected 2 class_names"):
        kd.from_arrays(x, labels=np.zeros(6, int), batch_size=3, num_classes=2, class_names="abc")


def test_conditional_preset_turns_labels_on(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from kerasgan.data import pipeline

    make_idx_dir(tmp_path, n_train=20)
    spec = SimpleNamespace(config={"num_classes": 4}, image_shape=(8, 6, 1), value_range=(-1, 1),
                           step_batch_size=5, dataset=str(tmp_path))
    monkeypatch.setattr(pipeline, "preset_spec", lambda name: spec)
    with pytest.raises(ValueError, match=r"labels in \[0, 4\)"):  # labels run to 9
        kd.load(None, preset="a_conditional_preset")
    spec.config["num_classes"] = 10
    ds = kd.load(None, preset="a_conditional_preset")
    assert ds.num_classes == 10 and ds.element_spec[1].shape == (5,)
    assert kd.load(None, preset="a_conditional_preset", labels=False).element_spec.shape == (5, 8, 6, 1)
