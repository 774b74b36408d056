"""Image folders: listing and up-front validation of image files."""

import concurrent.futures
import os

from kerasgan.data.errors import DataFormatError, DataNotFoundError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
# PIL modes that are single-channel (plus alpha for "LA", "La").
_GRAY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}


def list_image_files(directory):
    """Lists the image files under `directory`, recursively, in sorted order.

    Hidden files and folders (names starting with ".", e.g. macOS "._x.jpg"
    resource forks) are skipped. The order is sorted by path relative to
    `directory`, so the same folder always gives the same list.

    Args:
        directory: Folder to search.

    Returns:
        Paths (str) of files ending in .png .jpg .jpeg .bmp .gif .webp
        (case-insensitive); possibly empty.

    Raises:
        DataNotFoundError: `directory` does not exist or is not a directory.

    Example:
    >>> files = kerasgan.data.list_image_files("/data/celeba/img_align_celeba")
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        what = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise DataNotFoundError(
            f"Expected an image folder. Received: '{directory}', which {what}. Check the path.")
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS):
                found.append(os.path.relpath(os.path.join(root, name), directory))
    return [os.path.join(directory, rel) for rel in sorted(found)]


def _inspect(path):
    """(width, height, mode) of one image after PIL's header-level `verify()`."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            size, mode, fmt = im.size, im.mode, im.format
            im.verify()
    except Exception as e:  # noqa: BLE001 - PIL raises many types (SyntaxError, OSError...)
        raise DataFormatError(
            f"Expected a readable image file. Received: '{path}', an unreadable or corrupt "
            f"image file ({type(e).__name__}: {e}). Delete or replace it (or move it out of the "
            "folder)."
        ) from None
    if fmt == "JPEG" and mode == "CMYK":
        raise DataFormatError(
            f"Expected an RGB or grayscale JPEG. Received: '{path}', a CMYK JPEG, which "
            "TensorFlow's decoder cannot read. Convert it to RGB (e.g. PIL: "
            "Image.open(p).convert('RGB').save(p))."
        )
    if fmt == "BMP" and mode not in ("RGB", "RGBA", "L"):
        # TF decodes 8-bit BMPs as gray, ignoring any colour palette, and lacks 1/4-bit ones.
        raise DataFormatError(
            f"Expected a BMP image in mode 'RGB', 'RGBA' or 'L'. Received: '{path}', a BMP in "
            f"mode {mode!r}, which TensorFlow cannot decode faithfully. Convert it to PNG."
        )
    _check_complete(path, fmt)
    return size[0], size[1], mode


def _check_complete(path, fmt):
    """Catches truncated JPEG and WebP files, which PIL's verify() lets through."""
    if fmt not in ("JPEG", "WEBP"):
        return
    with open(path, "rb") as f:
        file_size = f.seek(0, os.SEEK_END)
        if fmt == "JPEG":
            # Entropy-coded data never holds FF D9, so a cut-off file lacks it near its end.
            f.seek(max(0, file_size - 1024))
            complete = b"\xff\xd9" in f.read()
        else:
            f.seek(4)
            complete = file_size >= int.from_bytes(f.read(4), "little") + 8  # RIFF chunk size
    if not complete:
        raise DataFormatError(
            f"Expected a complete {fmt} file. Received: '{path}', a truncated {fmt} file (it ends "
            "before its end-of-image marker). Delete or replace it."
        )


def inspect_images(paths, workers=8):
    """Checks every file with PIL and returns [(width, height, channels)], in order.

    `channels` is 1 for grayscale modes and 3 otherwise (alpha is dropped later).
    Without PIL nothing is checked and None is returned: the files are then
    only decoded by TensorFlow, whose errors do not name the file.
    """
    try:
        import PIL  # noqa: F401
    except ImportError:
        return None
    # Header parsing is I/O-bound: threads overlap the reads.
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        infos = list(pool.map(_inspect, paths, chunksize=64))
    return [(w, h, 1 if mode in _GRAY_MODES else 3) for w, h, mode in infos]


def require_images(directory):
    """The sorted image files of `directory`; DataNotFoundError if there are none."""
    files = list_image_files(directory)
    if not files:
        raise DataNotFoundError(
            f"Expected image files ({', '.join(IMAGE_EXTENSIONS)}) in '{directory}' or its "
            "subfolders. Received: a folder without image files. Point to the folder that holds "
            "the images."
        )
    return files
