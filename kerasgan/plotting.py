"""Sample grids as PNG files."""

import math

import numpy as np

from kerasgan.utils.io import atomic_path


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


def save_image_grid(images, path, title=None, columns=None):
    """Writes a grid of images in [0, 1] to a PNG with matplotlib, atomically.

    Args:
        images: `(N, H, W, C)` floats in [0, 1], C in {1, 3}; vector samples `(N, D)`
            are drawn as histograms instead.
        path: Destination `.png`.
        title: Optional title above the grid.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if np.ndim(images) == 2:
        return _save_histogram(np.asarray(images, "float32"), path, title, plt)
    grid = image_grid(images, columns)
    h, w = grid.shape[:2]
    scale = max(1.0, 512 / max(h, w))
    title_px = 30 if title else 0
    height_px, width_px = h * scale, w * scale
    fig = plt.figure(figsize=(width_px / 100, (height_px + title_px) / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, height_px / (height_px + title_px)])
    ax.axis("off")
    if grid.shape[-1] == 1:
        ax.imshow(grid[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        ax.imshow(np.clip(grid, 0, 1), interpolation="nearest")
    if title:
        fig.text(0.5, 1 - 0.5 * title_px / (height_px + title_px), title, ha="center", va="center", fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
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
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path
