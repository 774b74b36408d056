"""Data loading for kerasgan: IDX files, image folders, TFDS and numpy arrays as tf.data.

Example:
>>> ds = kerasgan.data.load("fashion_mnist", value_range=(-1, 1), batch_size=128)
"""

from kerasgan.data.errors import DataFormatError, DataNotFoundError
from kerasgan.data.idx import load_idx_directory, read_idx
from kerasgan.data.images import IMAGE_EXTENSIONS, list_image_files
from kerasgan.data.sources import (
    FASHION_MNIST_DIRS,
    MNIST_DIRS,
    NO_DOWNLOAD_ENV,
    env_var_for,
    from_arrays,
    load,
)

__all__ = [
    "FASHION_MNIST_DIRS",
    "IMAGE_EXTENSIONS",
    "MNIST_DIRS",
    "NO_DOWNLOAD_ENV",
    "DataFormatError",
    "DataNotFoundError",
    "env_var_for",
    "from_arrays",
    "list_image_files",
    "load",
    "load_idx_directory",
    "read_idx",
]
