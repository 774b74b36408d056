"""Atomic file writes: a reader never sees a half-written file."""

import contextlib
import hashlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yields a temporary path beside `path`; renames it over `path` on success.

    On any exception the temporary file is removed and `path` is untouched.

    Args:
        path: Final destination.
        suffix: Suffix of the temporary name (default: `path`'s extension, which
            writers such as `keras.Model.save` check).
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    if suffix is None:
        suffix = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=f".tmp{suffix}", dir=directory)
    os.close(fd)
    # mkstemp creates 0600 files; give the result the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def atomic_write_text(path, text):
    """Writes `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)


def _fsync(path):
    if os.path.isdir(path):
        return
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def file_sha256(path):
    """Hex sha256 of a file's bytes (shipped weights are checked against it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
