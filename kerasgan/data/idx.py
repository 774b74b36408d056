"""Readers for the IDX format of MNIST and Fashion-MNIST (`train-images-idx3-ubyte.gz` etc.)."""

import gzip
import os
import zlib

import numpy as np

from kerasgan.data.errors import DataFormatError, DataNotFoundError

# IDX type codes -> big-endian numpy dtypes (LeCun's MNIST page, "the IDX file format").
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_SPLIT_PREFIXES = {"train": "train", "test": "t10k", "t10k": "t10k"}


def _read_bytes(path, limit=None):
    """The (decompressed) bytes of `path`; gzip is detected by content, not by name."""
    try:
        with open(path, "rb") as f:
            head = f.read(2)
    except FileNotFoundError:
        raise DataNotFoundError(
            f"Expected an IDX file at '{path}'. Received: no such file. Check the path, or pass "
            "the directory that holds the dataset's files.") from None
    except IsADirectoryError:
        raise DataFormatError(
            f"Expected an IDX file. Received: '{path}', which is a directory. Pass a file in it "
            "(e.g. train-images-idx3-ubyte.gz), or load the directory with kerasgan.data.load."
        ) from None
    try:
        opener = gzip.open if head == _GZIP_MAGIC else open
        with opener(path, "rb") as f:
            return f.read() if limit is None else f.read(limit)
    except (OSError, EOFError, zlib.error) as e:
        # gzip.BadGzipFile is an OSError; a cut-off .gz raises EOFError.
        raise DataFormatError(
            f"Expected a readable IDX file. Received: '{path}', which cannot be decompressed "
            f"({type(e).__name__}: {e}): it is corrupt or truncated. Download it again."
        ) from None


def _parse_header(buf, path):
    """(dtype, dims, header_size) from the start of an IDX buffer."""
    if len(buf) < 4:
        raise DataFormatError(
            f"Expected an IDX file of at least 4 bytes (its magic number). Received: '{path}', "
            f"{len(buf)} bytes: it is truncated. Download it again."
        )
    magic = int.from_bytes(buf[:4], "big")
    zero, code, ndim = int.from_bytes(buf[:2], "big"), buf[2], buf[3]
    if zero != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise DataFormatError(
            "Expected an IDX magic number: 0x00000803 (images, uint8, 3 dims) or 0x00000801 "
            "(labels, uint8, 1 dim); in general 0x0000, a type code in "
            f"{{{', '.join(f'0x{c:02X}' for c in _IDX_DTYPES)}}} and the number of dims. "
            f"Received: magic number 0x{magic:08X} in '{path}'. This is not an IDX file (or it "
            "is compressed in a format other than gzip): point to the IDX files."
        )
    header_size = 4 + 4 * ndim
    if len(buf) < header_size:
        raise DataFormatError(
            f"Expected IDX file '{path}' to hold the header its magic number declares ({ndim} "
            f"dimensions, {header_size} header bytes). Received: {len(buf)} bytes: it is "
            "truncated. Download it again."
        )
    dims = tuple(int.from_bytes(buf[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return _IDX_DTYPES[code], dims, header_size


def read_idx(path):
    """Reads one IDX file (gzip-compressed or raw) into a numpy array.

    Args:
        path: Path to an IDX file such as `train-images-idx3-ubyte.gz`.

    Returns:
        A native-byte-order array with the shape the header declares, e.g.
        `(60000, 28, 28)` uint8 for images and `(60000,)` uint8 for labels.

    Raises:
        DataNotFoundError: the file does not exist.
        DataFormatError: bad magic number, truncated payload or trailing bytes,
            corrupt gzip stream; the message names the file.

    Example:
    >>> x = kerasgan.data.read_idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    >>> x.shape, x.dtype
    ((10000, 28, 28), dtype('uint8'))
    """
    path = os.fspath(path)
    buf = _read_bytes(path)
    dtype, dims, header_size = _parse_header(buf, path)
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    found = len(buf) - header_size
    if found < expected:
        raise DataFormatError(
            f"Expected IDX file '{path}' to hold the {expected} payload bytes of the shape {dims} "
            f"its header declares. Received: {found} bytes after the header: it is truncated. "
            "Download it again."
        )
    if found > expected:
        raise DataFormatError(
            f"Expected IDX file '{path}' to hold the {expected} payload bytes of the shape {dims} "
            f"its header declares. Received: {found} bytes, {found - expected} more: the header "
            "or the payload is corrupt. Download it again."
        )
    # A copy makes the result writable and frees the decompressed buffer.
    array = np.frombuffer(buf, dtype=dtype, count=expected // dtype.itemsize, offset=header_size)
    return array.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


def read_idx_header(path):
    """(dtype, dims) of an IDX file without reading its payload."""
    path = os.fspath(path)
    # 4 + 4 * 255 bytes covers the longest possible header.
    buf = _read_bytes(path, limit=4 + 4 * 255)
    dtype, dims, _ = _parse_header(buf, path)
    return dtype.newbyteorder("="), dims


def _find_file(directory, prefix, kind):
    """Path of `<prefix>-<kind>-idx?-ubyte[.gz]` in `directory` (raw preferred), or None."""
    rank = "3" if kind == "images" else "1"
    for sep in ("-", "."):  # "train-images.idx3-ubyte" is how some archives unpack
        for ext in ("", ".gz"):
            path = os.path.join(directory, f"{prefix}-{kind}{sep}idx{rank}-ubyte{ext}")
            if os.path.isfile(path):
                return path
    return None


def idx_splits(directory):
    """The IDX splits ("train", "test") whose image file is present in `directory`."""
    if not os.path.isdir(directory):
        return []
    return [s for s in ("train", "test") if _find_file(directory, _SPLIT_PREFIXES[s], "images")]


def idx_paths(directory, split):
    """(images_path, labels_path or None) of `split` in `directory`; raises if images are absent."""
    directory = os.fspath(directory)
    if split not in _SPLIT_PREFIXES:
        raise ValueError(
            f"Expected split 'train' or 'test' (the splits IDX directories hold, in files "
            f"'train-*' and 't10k-*'). Received: split={split!r}."
        )
    if not os.path.isdir(directory):
        raise DataNotFoundError(
            f"Expected an IDX directory. Received: '{directory}', which does not exist. Check the "
            "path.")
    prefix = _SPLIT_PREFIXES[split]
    images = _find_file(directory, prefix, "images")
    if images is None:
        present = idx_splits(directory)
        if present:
            other = present[0]
            raise DataNotFoundError(
                f"Expected {prefix}-images-idx3-ubyte[.gz] in '{directory}' for split={split!r}. "
                f"Received: only the {other!r} split is present "
                f"({os.path.basename(_find_file(directory, _SPLIT_PREFIXES[other], 'images'))}). "
                f"Pass split={other!r} to use it, or point to a directory that holds the "
                f"{split!r} split."
            )
        raise DataNotFoundError(
            f"Expected {prefix}-images-idx3-ubyte or {prefix}-images-idx3-ubyte.gz in "
            f"'{directory}' for split={split!r}. Received: no IDX files. Point to the directory "
            "that holds the dataset's IDX files."
        )
    return images, _find_file(directory, prefix, "labels")


def load_idx_directory(directory, split="train", with_labels=False):
    """Reads the images (and labels) of one split from an MNIST-style IDX directory.

    Split "train" reads `train-images-idx3-ubyte[.gz]`, "test" reads `t10k-*`.
    When a label file is present its count is checked against the images even
    if `with_labels` is False, so mismatched downloads are caught early.

    Args:
        directory: Directory holding the IDX files.
        split: "train" or "test".
        with_labels: Also return the labels (int32).

    Returns:
        uint8 images `(N, H, W)`, or `(images, labels)` when `with_labels`.

    Raises:
        DataNotFoundError: missing directory or missing files for the split
            (the message says which splits are present).
        DataFormatError: corrupt files, or image and label counts that differ.

    Example:
    >>> x, y = kerasgan.data.load_idx_directory("/usr/share/datasets/fashion-mnist", "test", True)
    >>> x.shape, y.shape
    ((10000, 28, 28), (10000,))
    """
    images_path, labels_path = idx_paths(directory, split)
    images = read_idx(images_path)
    if images.ndim != 3:
        raise DataFormatError(
            f"Expected IDX image file '{images_path}' to hold a 3-D array (N, H, W), magic "
            f"0x00000803. Received: shape {images.shape}. Point to the images file "
            "(*-images-idx3-ubyte[.gz]), or download it again."
        )
    if images.dtype != np.uint8:
        raise DataFormatError(
            f"Expected IDX image file '{images_path}' to hold uint8 pixels. Received: "
            f"{images.dtype}. Convert the images to uint8 (0..255)."
        )
    if labels_path is None:
        if with_labels:
            raise DataNotFoundError(
                f"Expected a label file {_SPLIT_PREFIXES[split]}-labels-idx1-ubyte[.gz] next to "
                f"'{os.path.basename(images_path)}' for with_labels=True. Received: "
                f"'{directory}' holds no label file for split={split!r}. Add it, or load "
                "without labels."
            )
        return images
    _, label_dims = read_idx_header(labels_path)
    if len(label_dims) != 1 or label_dims[0] != images.shape[0]:
        raise DataFormatError(
            f"Expected the label file '{labels_path}' to hold one label per image, shape "
            f"({images.shape[0]},). Received: shape {label_dims} in its header, for "
            f"{images.shape[0]} images in '{images_path}'. Use the label file of the same split "
            "and dataset."
        )
    if not with_labels:
        return images
    labels = read_idx(labels_path)
    return images, labels.astype(np.int32)
