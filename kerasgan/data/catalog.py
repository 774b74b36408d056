"""The datasets kerasgan knows by name: aliases, default local directories, class names."""

import dataclasses
import os

_KERAS_HOME = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
#: The MNIST test split shipped with the package (kerasgan/data/mnist/README.md: source, license).
PACKAGED_MNIST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist")

FASHION_MNIST_DIRS = (
    "/usr/share/datasets/fashion-mnist",  # Debian/Ubuntu: apt-get install dataset-fashion-mnist
    os.path.join(_KERAS_HOME, "datasets", "fashion-mnist"),  # keras.datasets' download cache
)
MNIST_DIRS = (PACKAGED_MNIST_DIR,)
NO_DOWNLOAD_ENV = "KERASGAN_NO_DOWNLOAD"

FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
MNIST_CLASS_NAMES = tuple(str(i) for i in range(10))
CIFAR10_CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)


@dataclasses.dataclass(frozen=True)
class KnownDataset:
    """Where a dataset known by name lives locally, what downloads it, its class names."""

    idx: bool  # local copies are IDX directories (else image folders)
    dirs: tuple = ()
    keras: str = ""  # keras.datasets module that can download it
    class_names: tuple = ()  # class names by label id, when the dataset has labels


KNOWN = {
    "fashion_mnist": KnownDataset(idx=True, dirs=FASHION_MNIST_DIRS, keras="fashion_mnist",
                                  class_names=FASHION_MNIST_CLASS_NAMES),
    "mnist": KnownDataset(idx=True, dirs=MNIST_DIRS, keras="mnist", class_names=MNIST_CLASS_NAMES),
    "celeb_a": KnownDataset(idx=False),
    "cifar10": KnownDataset(idx=False, keras="cifar10", class_names=CIFAR10_CLASS_NAMES),
}
ALIASES = {
    "fashion-mnist": "fashion_mnist",
    "fashionmnist": "fashion_mnist",
    "celeba": "celeb_a",
    "celeb-a": "celeb_a",
    "cifar-10": "cifar10",
    "cifar_10": "cifar10",
}


def env_var_for(name):
    """The environment variable naming a local copy of dataset `name`, e.g. KERASGAN_MNIST_DIR."""
    return "KERASGAN_" + "".join(c if c.isalnum() else "_" for c in name).upper() + "_DIR"


def downloads_disabled():
    """True when KERASGAN_NO_DOWNLOAD is set to anything but "", "0", "false" or "no"."""
    return os.environ.get(NO_DOWNLOAD_ENV, "").strip().lower() not in ("", "0", "false", "no")


def canonical_name(name):
    """A dataset's name in canonical form ("Fashion-MNIST" -> "fashion_mnist")."""
    key = name.strip().lower()
    return ALIASES.get(key, key)
