"""Atomic file writes: a reader never sees a half-written file."""

import contextlib
import errno
import hashlib
import os
import tempfile

#: errno values that mean the device (or the user's quota) is full.
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def no_space_error(path, error):
    """An OSError (same errno) for a write to `path` that failed for want of space."""
    return OSError(
        error.errno,
        f"Expected room to write '{path}'. Received: {error.strerror or error} "
        f"({errno.errorcode.get(error.errno, error.errno)}); nothing was written and any "
        f"earlier '{os.path.basename(path)}' is unchanged. Free disk space, or write to another "
        "directory.")


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yields a temporary path beside `path`; renames it over `path` on success.

    On any exception the temporary file is removed and `path` is untouched; a
    full device raises an OSError (errno ENOSPC or EDQUOT) that names `path`.

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
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        if isinstance(e, OSError) and e.errno in NO_SPACE:
            raise no_space_error(path, e) from e
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
