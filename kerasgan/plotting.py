"""Sample grids as PNG files."""

import math
import struct

import numpy as np

from kerasgan.utils.io import atomic_path

#: The PNG text every grid carries (key "Software"), so that tools can tell their own files.
SOFTWARE = "kerasgan"


def image_grid(images, columns=None, padding=2):
    """Tiles images `(N, H, W, C)` in [0, 1] into one `(rows*H, cols*W, C)` array."""
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(f"Expected images of shape (N, H, W, C). Received: shape={images.shape}")
    n, h, w, c = images.shape
    columns = columns or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / columns))
    grid = np.ones((rows * (h + padding) + padding, columns * (w + padding) + padding, c), "float32")
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[top : top + h, left : left + w] = image
    return grid


def class_grid(images, num_classes, padding=2):
    """Tiles class-major images into one row per class: `(num_classes*(H+p)+p, cols*(W+p)+p, C)`.

    Args:
        images: `(num_classes * columns, H, W, C)` in [0, 1]; image `k * columns + j`
            is class `k`, column `j` (as `kerasgan.callbacks.class_samples` returns them).
        num_classes: Number of rows.
    """
    n = len(images)
    if num_classes < 1 or n % num_classes:
        raise ValueError(
            f"Expected num_classes * columns images for a class-per-row grid. Received: {n} "
            f"images for num_classes={num_classes}."
        )
    return image_grid(images, columns=n // num_classes, padding=padding)


def save_image_grid(images, path, title=None, columns=None, row_labels=None):
    """Writes a grid of images in [0, 1] to a PNG with matplotlib, atomically.

    Args:
        images: `(N, H, W, C)` floats in [0, 1], C in {1, 3}; vector samples `(N, D)`
            are drawn as histograms instead.
        path: Destination `.png`.
        title: Optional title above the grid.
        columns: Images per row; default: a near-square grid.
        row_labels: Optional text left of each row (e.g. class names), one per row.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if np.ndim(images) == 2:
        return _save_histogram(np.asarray(images, "float32"), path, title, plt)
    grid = image_grid(images, columns)
    rows = int(math.ceil(len(images) / (columns or int(math.ceil(math.sqrt(len(images)))))))
    if row_labels is not None and len(row_labels) != rows:
        raise ValueError(
            f"Expected one row label per grid row ({rows}). Received: {len(row_labels)} labels."
        )
    h, w = grid.shape[:2]
    scale = max(1.0, 512 / max(h, w))
    title_px = 30 if title else 0
    label_px = 12 + 7 * max(len(str(t)) for t in row_labels) if row_labels else 0
    height_px, width_px = h * scale, w * scale
    total_w = width_px + label_px
    fig = plt.figure(figsize=(total_w / 100, (height_px + title_px) / 100), dpi=100)
    ax = fig.add_axes([label_px / total_w, 0, width_px / total_w,
                       height_px / (height_px + title_px)])
    ax.axis("off")
    for r, text in enumerate(row_labels or ()):
        # Row r's centre, in the axes' pixel coordinates (imshow puts row 0 at the top).
        centre = (h - 1) * (r + 0.5) / rows
        ax.text(-4, centre, str(text), ha="right", va="center", fontsize=8)
    if grid.shape[-1] == 1:
        ax.imshow(grid[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        ax.imshow(np.clip(grid, 0, 1), interpolation="nearest")
    if title:
        fig.text(0.5, 1 - 0.5 * title_px / (height_px + title_px), title, ha="center", va="center", fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": SOFTWARE})
    plt.close(fig)
    return path


def _save_histogram(samples, path, title, plt):
    """Vector samples `(N, D)` (the 1-D toy presets): one histogram per dimension."""
    dims = samples.shape[1]
    fig, axes = plt.subplots(1, dims, figsize=(4 * dims, 3), dpi=100, squeeze=False)
    for d, ax in enumerate(axes[0]):
        ax.hist(samples[:, d], bins=min(50, max(5, len(samples) // 4)))
        ax.set_xlabel(f"dimension {d}" if dims > 1 else "value")
    fig.suptitle(f"{title} (N={len(samples)})" if title else f"N={len(samples)}", fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": SOFTWARE})
    plt.close(fig)
    return path


def written_by_kerasgan(path):
    """Whether `path` is a PNG grid this module wrote (its "Software" text is `SOFTWARE`)."""
    wanted = b"Software\x00" + SOFTWARE.encode()
    try:
        with open(path, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                return False
            while True:
                head = f.read(8)
                if len(head) < 8:
                    return False
                length, kind = struct.unpack(">I4s", head)
                if kind in (b"IDAT", b"IEND"):  # text chunks come before the image data
                    return False
                data = f.read(length)
                f.seek(4, 1)  # the chunk's CRC
                if kind == b"tEXt" and data == wanted:
                    return True
    except OSError:
        return False
