"""Tests for kerasgan.data's image folders: formats, sizes, channels, class folders, errors.

Every test builds its own tiny images in tmp_path and never touches the network.
"""

import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kerasgan.data as kd
from test_data import batches, save_image

# The subject does not depend on the Keras backend: the TensorFlow pass runs these.
pytestmark = [pytest.mark.backend_neutral, pytest.mark.usefixtures("offline_data")]


def _mixed_folder(root):
    rng = np.random.default_rng(0)
    save_image(root / "a_rgb.png", rng.integers(0, 256, (20, 30, 3)))
    save_image(root / "b_gray.png", rng.integers(0, 256, (16, 16)))
    save_image(root / "c_rgba.png", rng.integers(0, 256, (24, 18, 4)), mode="RGBA")
    Image.fromarray(rng.integers(0, 256, (30, 20, 3), dtype=np.uint8)).save(root / "d.jpg")
    Image.fromarray(rng.integers(0, 256, (12, 14, 3), dtype=np.uint8)).save(root / "e.JPEG")
    Image.fromarray(rng.integers(0, 256, (17, 15, 3), dtype=np.uint8)).save(root / "f.bmp")
    Image.fromarray(rng.integers(0, 256, (10, 11), dtype=np.uint8)).save(root / "g.gif")
    Image.fromarray(rng.integers(0, 256, (19, 13, 3), dtype=np.uint8)).save(root / "h.webp")
    save_image(root / "sub" / "deeper" / "i.png", rng.integers(0, 256, (9, 40, 3)))
    (root / "notes.txt").write_text("not an image")
    (root / "._a_rgb.png").write_bytes(b"macOS resource fork, not an image")
    return 9


def test_list_image_files_recursive_sorted(tmp_path):
    _mixed_folder(tmp_path)
    files = kd.list_image_files(tmp_path)
    names = [os.path.relpath(f, tmp_path) for f in files]
    assert names == [
        "a_rgb.png", "b_gray.png", "c_rgba.png", "d.jpg", "e.JPEG", "f.bmp", "g.gif",
        "h.webp", os.path.join("sub", "deeper", "i.png"),
    ]
    with pytest.raises(kd.DataNotFoundError, match="Expected an image folder. Received: '.*nothing', which does not exist"):
        kd.list_image_files(tmp_path / "nothing")


@pytest.mark.parametrize("shape", [(16, 16, 3), (8, 12, 1)])
def test_folder_mixed_sizes_and_modes(tmp_path, shape):
    n = _mixed_folder(tmp_path)
    ds = kd.load(str(tmp_path), image_shape=shape, batch_size=3, value_range=(-1, 1))
    assert int(ds.cardinality()) == n // 3
    out = batches(ds)
    assert len(out) == n // 3
    assert all(b.shape == (3,) + shape and b.dtype == np.float32 for b in out)
    assert min(b.min() for b in out) >= -1 and max(b.max() for b in out) <= 1


def test_folder_native_size_and_channels(tmp_path):
    for i in range(4):
        save_image(tmp_path / f"{i}.png", np.full((6, 7), 60 * i))
    (b,) = batches(kd.load(str(tmp_path), batch_size=4, shuffle=False))
    assert b.shape == (4, 6, 7, 1)
    np.testing.assert_allclose(b[:, 0, 0, 0], np.array([0, 60, 120, 180]) / 255, atol=1e-6)


def test_folder_channel_conversion(tmp_path):
    save_image(tmp_path / "gray.png", np.full((4, 4), 100))
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 10
    save_image(tmp_path / "rgba.png", rgba, mode="RGBA")
    b = batches(kd.load(str(tmp_path), image_shape=(4, 4, 3), batch_size=2, shuffle=False))[0]
    np.testing.assert_allclose(b[0], 100 / 255, atol=1e-6)  # gray repeated into 3 channels
    np.testing.assert_allclose(b[1, ..., 0], 200 / 255, atol=1e-6)  # alpha dropped
    np.testing.assert_allclose(b[1, ..., 1:], 0.0, atol=1e-6)
    g = batches(kd.load(str(tmp_path), image_shape=(4, 4, 1), batch_size=2, shuffle=False))[0]
    expected = tf.image.rgb_to_grayscale(rgba[None, ..., :3]).numpy()[0] / 255
    np.testing.assert_allclose(g[1], expected, atol=1e-6)


def test_folder_mixed_sizes_need_image_shape(tmp_path):
    save_image(tmp_path / "a.png", np.zeros((4, 4)))
    save_image(tmp_path / "b.png", np.zeros((5, 4)))
    with pytest.raises(ValueError, match="different sizes; pass image_shape"):
        kd.load(str(tmp_path), batch_size=1)


def test_folder_corrupt_file_is_named(tmp_path):
    save_image(tmp_path / "good.png", np.zeros((4, 4)))
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff garbage that is not a jpeg")
    with pytest.raises(kd.DataFormatError, match=r"Expected a readable image file\. Received: '.*bad\.jpg', an unreadable or corrupt"):
        kd.load(str(tmp_path), batch_size=1)


def test_folder_truncated_png_is_named(tmp_path):
    save_image(tmp_path / "a.png", np.zeros((4, 4)))
    path = tmp_path / "cut.png"
    save_image(path, np.random.default_rng(0).integers(0, 256, (64, 64, 3)))
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(kd.DataFormatError, match=r"'.*cut\.png'"):
        kd.load(str(tmp_path), batch_size=1)


@pytest.mark.parametrize("ext", ["jpg", "webp"])
def test_folder_truncated_jpeg_webp_is_named(tmp_path, ext):
    save_image(tmp_path / "a.png", np.zeros((4, 4)))
    path = tmp_path / f"cut.{ext}"
    save_image(path, np.random.default_rng(0).integers(0, 256, (64, 64, 3)))
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    # PIL itself rejects a cut WebP; a cut JPEG passes PIL and is caught by the EOI check.
    match = rf"Expected a (readable image|complete \w+) file\. Received: '.*cut\.{ext}', an? (unreadable or corrupt|truncated)"
    with pytest.raises(kd.DataFormatError, match=match):
        kd.load(str(tmp_path), batch_size=1)


def test_folder_palette_bmp_rejected(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (6, 6, 3), dtype=np.uint8)
    Image.fromarray(rgb).convert("P").save(tmp_path / "palette.bmp")
    with pytest.raises(kd.DataFormatError, match=r"'.*palette\.bmp', a BMP in mode 'P'.*PNG"):
        kd.load(str(tmp_path), batch_size=1)


def test_empty_folder(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(kd.DataNotFoundError, match=r"Expected image files .* in '.*'.*Received: a folder without image files"):
        kd.load(str(tmp_path))


def test_folder_split_subfolder(tmp_path):
    save_image(tmp_path / "a.png", np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"Expected image folder '.*' to hold a subfolder 'test' for split='test'\. Received: no such subfolder"):
        kd.load(str(tmp_path), split="test", batch_size=1)
    save_image(tmp_path / "test" / "b.png", np.zeros((4, 4)))
    assert len(batches(kd.load(str(tmp_path), split="test", batch_size=1))) == 1


def test_folder_has_no_labels(tmp_path):
    save_image(tmp_path / "a.png", np.zeros((4, 4)))
    with pytest.raises(ValueError, match="has no labels"):
        kd.load(str(tmp_path), batch_size=1, with_labels=True)


def test_folder_limit_and_no_cache_shuffle(tmp_path):
    for i in range(10):
        save_image(tmp_path / f"{i:02d}.png", np.full((3, 3), i * 20))
    ds = kd.load(str(tmp_path), batch_size=2, limit=6, cache=False, seed=0)
    values = sorted(round(float(v) * 255) for b in batches(ds) for v in b[:, 0, 0, 0])
    assert values == [i * 20 for i in range(6)]


def test_class_folders_give_labels_by_sorted_name(tmp_path):
    names = ["zebra", "cat", "dog"]  # sorted: cat=0, dog=1, zebra=2
    for k, name in enumerate(names):
        for i in range(4):
            save_image(tmp_path / name / f"{i}.png", np.full((5, 5), 10 * k + i))
    ds = kd.load(str(tmp_path), batch_size=4, labels=True, seed=0)
    assert ds.class_names == ["cat", "dog", "zebra"] and ds.num_classes == 3
    seen = 0
    for images, labels in batches(ds):
        values = np.round(images[:, 0, 0, 0] * 255).astype(int)
        expected = [sorted(names).index(names[v // 10]) for v in values]
        np.testing.assert_array_equal(labels, expected)
        seen += len(labels)
    assert seen == 12
    # limit keeps images and labels aligned; no cache shuffles by name, label included.
    ds = kd.load(str(tmp_path), batch_size=2, labels=True, limit=6, shuffle=False)
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches(ds)]), [0, 0, 0, 0, 1, 1])
    ds = kd.load(str(tmp_path), batch_size=3, labels=True, cache=False, seed=1)
    for images, labels in batches(ds):
        values = np.round(images[:, 0, 0, 0] * 255).astype(int)
        np.testing.assert_array_equal(labels, [sorted(names).index(names[v // 10]) for v in values])
    with pytest.raises(ValueError, match=r"at most num_classes=2 .* 3 class folders \(cat, dog, zebra\)"):
        kd.load(str(tmp_path), batch_size=2, labels=True, num_classes=2)
    # Without labels the same folder still reads as plain images.
    assert batches(kd.load(str(tmp_path), batch_size=12))[0].shape == (12, 5, 5, 1)


def test_class_folders_reject_loose_images(tmp_path):
    save_image(tmp_path / "a" / "0.png", np.zeros((4, 4)))
    save_image(tmp_path / "stray.png", np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"inside a class folder .* 1 image files directly .*'stray.png'"):
        kd.load(str(tmp_path), batch_size=1, labels=True)


def test_folder_without_class_folders_has_no_labels(tmp_path):
    save_image(tmp_path / "a.png", np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"Expected a source with labels for labels=True\. Received: image folder .* has no labels"):
        kd.load(str(tmp_path), batch_size=1, labels=True)
