"""`kerasgan.data.load`: finds a dataset locally, in TFDS's prepared data, or by download."""

import dataclasses
import os

import numpy as np

from kerasgan import validation
from kerasgan.data import idx as idx_lib
from kerasgan.data import images as images_lib
from kerasgan.data import pipeline
from kerasgan.data.errors import DataNotFoundError

_KERAS_HOME = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
#: The MNIST test split shipped with the package (kerasgan/data/mnist/README.md: source, license).
PACKAGED_MNIST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnist")

FASHION_MNIST_DIRS = (
    "/usr/share/datasets/fashion-mnist",  # Debian/Ubuntu: apt-get install dataset-fashion-mnist
    os.path.join(_KERAS_HOME, "datasets", "fashion-mnist"),  # keras.datasets' download cache
)
MNIST_DIRS = (PACKAGED_MNIST_DIR,)

SOURCES = ("auto", "idx", "images", "tfds", "keras")
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
class _Known:
    idx: bool  # local copies are IDX directories (else image folders)
    dirs: tuple = ()
    keras: str = ""  # keras.datasets module that can download it
    class_names: tuple = ()  # class names by label id, when the dataset has labels


_KNOWN = {
    "fashion_mnist": _Known(idx=True, dirs=FASHION_MNIST_DIRS, keras="fashion_mnist",
                            class_names=FASHION_MNIST_CLASS_NAMES),
    "mnist": _Known(idx=True, dirs=MNIST_DIRS, keras="mnist", class_names=MNIST_CLASS_NAMES),
    "celeb_a": _Known(idx=False),
    "cifar10": _Known(idx=False, keras="cifar10", class_names=CIFAR10_CLASS_NAMES),
}
_ALIASES = {
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


def _canonical(name):
    key = name.strip().lower()
    return _ALIASES.get(key, key)


def _looks_like_path(text):
    return os.sep in text or "/" in text or text.startswith((".", "~"))


def _apply_limit(source, limit):
    if limit is None or limit >= source.num_examples:
        return source
    if source.images is not None:
        source.images = source.images[:limit]
        if source.labels is not None:
            source.labels = source.labels[:limit]
    elif source.paths is not None:
        source.paths = source.paths[:limit]
        if source.labels is not None:
            source.labels = source.labels[:limit]
    else:
        source.dataset = source.dataset.take(limit)
    source.num_examples = limit
    return source


# --- local directories -------------------------------------------------------------------------


def _idx_source(directory, split, with_labels):
    images_path, labels_path = idx_lib.idx_paths(directory, split)
    result = idx_lib.load_idx_directory(directory, split, with_labels=with_labels)
    images, labels = result if with_labels else (result, None)
    return pipeline.Source(
        description=f"IDX file '{images_path}'",
        num_examples=images.shape[0],
        images=images[..., None],
        labels=labels,
        element_shape=images.shape[1:] + (1,),
        native_channels=1,
        has_labels=labels is not None or labels_path is not None,
    )


def _class_folders(directory, paths):
    """(class_names, labels) of images stored as `directory/<class_name>/...`, or None.

    Class ids follow the sorted folder names; only folders holding images count.
    None when every image lies directly in `directory` (no class folders).
    """
    rel = [os.path.relpath(p, directory) for p in paths]
    top = [r.split(os.sep)[0] for r in rel]
    loose = [p for p, r in zip(paths, rel) if os.sep not in r]
    if len(loose) == len(paths):
        return None
    if loose:
        raise ValueError(
            f"Expected every image of '{directory}' inside a class folder "
            f"('{directory}/<class_name>/*.png') to read labels. Received: {len(loose)} image "
            f"files directly in the folder (e.g. '{os.path.basename(loose[0])}'). Move them into "
            "a class folder, or load without labels."
        )
    names = sorted(set(top))
    index = {name: i for i, name in enumerate(names)}
    return names, np.array([index[t] for t in top], np.int32)


def _folder_source(directory, split, with_labels=False):
    """Source over the image files of `directory` (or of its subfolder `split`), not yet checked.

    With labels, the first folder level below `directory` names the classes.
    """
    if split != "train":
        sub = os.path.join(directory, split)
        if not os.path.isdir(sub):
            raise ValueError(
                f"Expected image folder '{directory}' to hold a subfolder {split!r} for "
                f"split={split!r}. Received: no such subfolder (the folder itself is split "
                f"'train'). Pass split='train', or put that split's images in '{sub}'."
            )
        directory = sub
    paths = images_lib.require_images(directory)
    classes = _class_folders(directory, paths) if with_labels else None
    if classes is None:
        return pipeline.Source(
            description=f"image folder '{directory}'", num_examples=len(paths), paths=paths
        )
    names, labels = classes
    return pipeline.Source(
        description=f"image folder '{directory}'", num_examples=len(paths), paths=paths,
        labels=labels, has_labels=True, class_names=names, num_classes=len(names),
    )


def _inspect_folder(source):
    """Checks every file with PIL (so bad files are named) and records sizes and channels."""
    infos = images_lib.inspect_images(source.paths) if source.paths else []
    if infos:
        sizes = {(h, w) for w, h, _ in infos}
        source.native_channels = infos[0][2]
        if len(sizes) == 1:
            source.element_shape = next(iter(sizes)) + (source.native_channels,)
    return source


def _directory_source(directory, split, source, with_labels):
    """Source for an existing directory: IDX files if present (unless source="images")."""
    if source in ("auto", "idx") and idx_lib.idx_splits(directory):
        return _idx_source(directory, split, with_labels)
    if source == "idx":
        raise DataNotFoundError(
            "Expected IDX files (train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz]) "
            f"for source='idx'. Received: '{directory}', which holds none. Point to the IDX "
            "directory, or pass source='auto' to read image files."
        )
    return _folder_source(directory, split, with_labels)


# --- TFDS and keras.datasets -------------------------------------------------------------------


def _tfds_prepared_source(name, split, data_dir, tried):
    """Source from TFDS data already prepared in `data_dir` (None: TFDS's default), else None."""
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:
        tried.append(f"TFDS: tensorflow_datasets cannot be imported ({e})")
        return None, False
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as e:  # noqa: BLE001 - DatasetNotFoundError and friends
        tried.append(f"TFDS: cannot make a builder for {name!r} ({type(e).__name__}: "
                     f"{str(e).splitlines()[0]})")
        return None, False
    where = builder.data_dir
    if not builder.is_prepared():
        tried.append(f"TFDS data_dir '{where}': {name!r} is not prepared there")
        return None, True
    ds, info = tfds.load(
        name, split=split, data_dir=data_dir, download=False, shuffle_files=False, with_info=True
    )
    return _tfds_to_source(ds, info, name, split, where), True


def _tfds_to_source(ds, info, name, split, where):
    import tensorflow as tf

    features = info.features
    if "image" not in features:
        raise DataNotFoundError(
            f"Expected an 'image' feature in TFDS dataset {name!r}. Received: features "
            f"{list(features)}. Pass an image dataset."
        )
    has_labels = "label" in features
    if has_labels:
        ds = ds.map(lambda ex: (ex["image"], ex["label"]), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda ex: (ex["image"],), num_parallel_calls=tf.data.AUTOTUNE)
    shape = tuple(features["image"].shape)
    if ds.element_spec[0].dtype != tf.uint8:
        raise DataNotFoundError(
            f"Expected uint8 images in TFDS dataset {name!r}. Received: "
            f"{ds.element_spec[0].dtype.name} images. Convert them to uint8, or pass the arrays "
            "to kerasgan.data.from_arrays."
        )
    try:
        n = info.splits[split].num_examples
    except (KeyError, ValueError) as e:
        raise DataNotFoundError(
            f"Expected split {split!r} in TFDS dataset {name!r}. Received: splits "
            f"{list(info.splits)} ({e}). Pass one of them."
        ) from None
    static = all(v is not None for v in shape)
    label = features["label"] if has_labels else None
    class_names = list(getattr(label, "names", None) or []) or None
    return pipeline.Source(
        description=f"TFDS dataset {name!r} split {split!r} ({where})",
        num_examples=n,
        dataset=ds,
        element_shape=shape if static else None,
        native_channels=pipeline.native_channels(shape[-1]) if shape[-1] else 3,
        has_labels=has_labels,
        class_names=class_names,
        num_classes=getattr(label, "num_classes", None),
    )


def _keras_source(module_name, split):
    """Source from `keras.datasets.<module_name>.load_data()` (downloads into ~/.keras)."""
    import keras

    if split not in ("train", "test"):
        raise ValueError(
            f"Expected split 'train' or 'test' (the splits keras.datasets offers). Received: "
            f"split={split!r}."
        )
    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, module_name).load_data()
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    return pipeline.array_source(x, y, (0.0, 255.0),
                                 f"keras.datasets.{module_name} split {split!r}")


def _tfds_download_source(name, split, data_dir):
    import tensorflow_datasets as tfds

    ds, info = tfds.load(
        name, split=split, data_dir=data_dir, download=True, shuffle_files=False, with_info=True
    )
    return _tfds_to_source(ds, info, name, split, data_dir or "TFDS default data_dir")


# --- the search --------------------------------------------------------------------------------


def _not_found(name, split, tried, notes, known):
    lines = [f"Could not find data for {name!r} (split {split!r}).", *notes, "Tried, in order:"]
    lines += [f"  - {t}" for t in tried]
    env = env_var_for(name)
    lines.append("To fix it, do one of:")
    if name == "fashion_mnist":
        lines.append(
            "  - install Debian's copy: apt-get install -y dataset-fashion-mnist "
            f"(files land in {FASHION_MNIST_DIRS[0]})"
        )
    if known is None:
        fmt = "IDX files or images"
    else:
        fmt = "IDX files (train-images-idx3-ubyte.gz, ...)" if known.idx else "images"
    lines += [
        f"  - pass a directory holding {fmt}: kerasgan.data.load('/path/to/dir') or data_dir=...",
        f"  - set {env}=/path/to/dir",
        f"  - allow downloads: download=True and {NO_DOWNLOAD_ENV} unset (needs internet)",
    ]
    return DataNotFoundError("\n".join(lines))


def _network_reachable(host="storage.googleapis.com", timeout=5.0):
    """A quick connect test, so an offline machine skips TFDS's minutes of download retries."""
    import socket

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True  # behind a proxy a direct connect says nothing
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def find_source(name_or_path, *, split, source, data_dir, download, with_labels):
    """The raw, unbatched `pipeline.Source` for `load`, before `limit` and conversion.

    Also used by `kerasgan.metrics` to get in-memory labelled arrays: IDX and
    keras sources set `.images` (N, H, W, C) uint8 and `.labels`; image folders
    set `.paths` (and `.labels`, `.class_names` from class folders when
    `with_labels`); TFDS sources set `.dataset`. Raises DataNotFoundError
    listing every place tried.
    """
    found = _find_source(name_or_path, split=split, source=source, data_dir=data_dir,
                         download=download, with_labels=with_labels)
    known = None
    if isinstance(name_or_path, str) and not os.path.isdir(os.path.expanduser(name_or_path)):
        known = _KNOWN.get(_canonical(name_or_path))
    if found.has_labels and found.class_names is None and known and known.class_names:
        found.class_names = list(known.class_names)
        found.num_classes = len(known.class_names)
    return found


def _find_source(name_or_path, *, split, source, data_dir, download, with_labels):
    if source not in SOURCES:
        raise ValueError(f"Expected source to be one of {SOURCES}. Received: source={source!r}.")
    text = os.path.expanduser(os.fspath(name_or_path))
    if os.path.isdir(text):
        if source in ("tfds", "keras"):
            raise ValueError(
                f"Expected a dataset name with source={source!r}. Received: the directory "
                f"'{text}'. Pass source='auto' (or 'images'/'idx') to read local files, or a "
                f"dataset name such as 'fashion_mnist'."
            )
        return _directory_source(text, split, source, with_labels)
    if os.path.exists(text):
        raise DataNotFoundError(
            f"Expected a dataset name or a directory of IDX files or images. Received: '{text}', "
            "which is a file. Pass the directory that holds it."
        )
    if _looks_like_path(text):
        raise DataNotFoundError(
            f"Expected a dataset name or an existing directory. Received: "
            f"'{os.path.abspath(text)}', a directory that does not exist (and {text!r} is not a "
            "dataset name). Check the path."
        )

    key = _canonical(text)
    known = _KNOWN.get(key)
    tried, notes = [], []

    if source in ("auto", "idx", "images"):
        env = env_var_for(key)
        candidates = []
        if data_dir is not None:
            candidates.append((os.path.expanduser(os.fspath(data_dir)), "data_dir"))
        candidates.append((os.path.expanduser(os.environ.get(env, "")), f"${env}"))
        candidates += [(d, "default") for d in (known.dirs if known else ())]
        seen = set()
        for directory, origin in candidates:
            if not directory:
                tried.append(f"{origin}: not set")
                continue
            directory = os.path.abspath(directory)
            if directory in seen:
                continue
            seen.add(directory)
            label = f"{directory} ({origin})"
            if not os.path.isdir(directory):
                tried.append(f"{label}: does not exist")
                continue
            splits = idx_lib.idx_splits(directory) if source != "images" else []
            if split in splits:
                return _idx_source(directory, split, with_labels)
            if splits:
                files = os.path.basename(idx_lib.idx_paths(directory, splits[0])[0])
                msg = (f"only the {splits[0]!r} split is present ({files}); "
                       f"pass split={splits[0]!r} to use it")
                tried.append(f"{label}: {msg}")
                notes.append(f"Note: {directory}: {msg}.")
                continue
            # A TFDS data_dir (<dir>/<name>/ or <dir>/downloads/) is not an image folder.
            tfds_layout = os.path.isdir(os.path.join(directory, key)) or os.path.isdir(
                os.path.join(directory, "downloads"))
            if (known is None or not known.idx) and source != "idx" and not tfds_layout:
                if images_lib.list_image_files(directory):
                    return _folder_source(directory, split, with_labels)
                tried.append(f"{label}: holds no image files")
            else:
                tried.append(f"{label}: holds no IDX files for split {split!r}")

    tfds_known = True
    if source in ("auto", "tfds"):
        roots = [os.fspath(data_dir)] if data_dir is not None else []
        for root in roots + [None]:
            found, tfds_known = _tfds_prepared_source(key, split, root, tried)
            if found is not None:
                return found
            if not tfds_known:
                break

    if source in ("auto", "tfds", "keras"):
        if not download or downloads_disabled():
            why = "download=False" if not download else f"{NO_DOWNLOAD_ENV} is set"
            tried.append(f"downloads: disabled ({why})")
        else:
            network_down = False
            # keras first: one plain HTTP fetch that fails at once when offline, where TFDS
            # retries for minutes.
            if known is not None and known.keras and source in ("auto", "keras"):
                try:
                    return _keras_source(known.keras, split)
                except Exception as e:  # noqa: BLE001 - every failure is reported below
                    tried.append(f"keras.datasets.{known.keras}.load_data(): {type(e).__name__}: "
                                 f"{str(e).splitlines()[0] if str(e) else ''}")
                    network_down = "URL fetch failure" in str(e)
            if source in ("auto", "tfds") and tfds_known:
                if network_down or not _network_reachable():
                    tried.append("TFDS download: skipped, the network is unreachable")
                else:
                    try:
                        return _tfds_download_source(key, split, data_dir)
                    except Exception as e:  # noqa: BLE001
                        tried.append(f"TFDS download of {key!r}: {type(e).__name__}: "
                                     f"{str(e).splitlines()[0] if str(e) else ''}")
    raise _not_found(key, split, tried, notes, known)


def _preset_num_classes(spec):
    """The class count of a conditional preset (from its GAN config), else None."""
    if spec is None:
        return None
    value = getattr(spec, "num_classes", None)
    config = getattr(spec, "config", None)
    if value is None and isinstance(config, dict):
        value = config.get("num_classes")
    return int(value) if value else None


def _labels_flag(labels, with_labels, spec):
    """(want labels, the argument's name for messages) from `labels`/`with_labels`/the preset."""
    if labels is not None and with_labels is not None and bool(labels) != bool(with_labels):
        raise ValueError(
            "Expected one of labels= and with_labels= (the same switch; with_labels is the older "
            f"name). Received: labels={labels!r}, with_labels={with_labels!r}"
        )
    if labels is not None:
        return bool(labels), "labels"
    if with_labels is not None:
        return bool(with_labels), "with_labels"
    return _preset_num_classes(spec) is not None, "labels"


def load(name_or_path, *, preset=None, image_shape=None, value_range=None, batch_size=None,
         split="train", shuffle=True, seed=0, source="auto", data_dir=None, download=True,
         cache=True, repeat=False, limit=None, labels=None, num_classes=None, with_labels=None):
    """Loads an image dataset as batched float32 NHWC tensors for `fit()`.

    Sources, in order (source="auto"): an existing directory (IDX files, else an
    image folder, read recursively); for a dataset name, local directories
    (`data_dir`, `$KERASGAN_<NAME>_DIR`, then `FASHION_MNIST_DIRS` / `MNIST_DIRS`);
    TFDS data already prepared (in `data_dir`, then TFDS's default data_dir);
    finally downloads (keras.datasets, then TFDS) unless `download=False` or
    `$KERASGAN_NO_DOWNLOAD` is set.

    Images are resized (short side to the target, bilinear with antialias) and
    centre-cropped when their size differs from `image_shape`; channels are
    repeated (1 -> 3), converted to gray (3 -> 1) or stripped of alpha.

    Args:
        name_or_path: A directory, or a name such as "fashion_mnist", "mnist",
            "celeb_a", "cifar10" (or any TFDS name). None takes the preset's dataset.
        preset: A `kerasgan.zoo` preset name; supplies image_shape, value_range
            and batch_size (its `step_batch_size`) unless those are given.
        image_shape: (H, W, C) or (H, W); default: the source's own size.
        value_range: (low, high) that pixel 0 and 255 map to; default (0, 1).
        batch_size: Images per batch (remainder dropped); default 128.
        split: "train" or "test" (TFDS: any split string).
        shuffle: Shuffle, reshuffling each epoch, deterministically for a `seed`.
        seed: Shuffle seed (None: nondeterministic).
        source: "auto", "idx", "images", "tfds" or "keras".
        data_dir: Directory searched first: local files or a TFDS data_dir.
        download: Allow downloads when nothing local is found.
        cache: Cache decoded, resized uint8 images in memory after the first epoch.
        repeat: Repeat forever (then pass `steps_per_epoch` to `fit`).
        limit: Keep only the first `limit` examples.
        labels: Yield (images, int32 labels) batches: from IDX label files,
            TFDS "label" features, keras.datasets, or class folders
            (`<folder>/<class_name>/*.png`, ids by sorted folder name).
            None: True for a conditional preset, else False.
        num_classes: Labels must lie in [0, num_classes); default: the
            preset's, else the source's class count when it declares one.
        with_labels: The older name of `labels`.

    Returns:
        A `tf.data.Dataset` of float32 batches (batch_size, H, W, C), or of
        (images, labels) pairs with labels; then its `class_names` (list or
        None) and `num_classes` (int or None) attributes describe the classes.

    Raises:
        DataNotFoundError: nothing provides the data; lists the places tried.
        DataFormatError: corrupt IDX or image files (the message names the file).
        ValueError: bad arguments, empty data or fewer examples than batch_size,
            labels asked of a source without labels, labels out of range.

    Example:
    >>> ds = kerasgan.data.load("fashion_mnist", image_shape=(28, 28, 1), value_range=(-1, 1))
    >>> next(iter(ds)).shape
    TensorShape([128, 28, 28, 1])
    >>> images, labels = next(iter(kerasgan.data.load("fashion_mnist", labels=True)))
    """
    if name_or_path == "gaussian_1d" or (name_or_path is None and preset in ("gaussian_1d", "gaussian_1d_shared")):
        # Synthetic 1-D samples: no image settings apply.
        if batch_size is None:
            batch_size = pipeline.preset_spec(preset).step_batch_size if preset else 64
        return _gaussian_1d(int(batch_size), seed, limit, shuffle, repeat)
    image_shape, value_range, batch_size, spec = pipeline.resolve_settings(
        preset, image_shape, value_range, batch_size
    )
    if name_or_path is None:
        if spec is None or not spec.dataset:
            raise ValueError(
                "Expected a dataset name or directory, or a preset that names its dataset. "
                f"Received: name_or_path=None with preset={preset!r}."
            )
        name_or_path = spec.dataset
    with_labels, labels_arg = _labels_flag(labels, with_labels, spec)
    if num_classes is None and with_labels:
        num_classes = _preset_num_classes(spec)
    if limit is not None and (not validation.is_int(limit) or limit < 0):
        raise validation.argument_error("limit", limit, "an integer >= 0 or None",
                                        "Pass e.g. limit=1000, or None for every example.")
    found = find_source(
        name_or_path, split=split, source=source, data_dir=data_dir, download=download,
        with_labels=with_labels,
    )
    found = _apply_limit(found, limit)
    if found.paths is not None:
        found = _inspect_folder(found)  # after the limit: only the files used are opened
    native_hw = found.element_shape[:2] if found.element_shape else None
    target = pipeline.target_shape_for(
        image_shape, native_hw, found.native_channels, found.description
    )
    return pipeline.build(
        found, image_shape=target, value_range=value_range, batch_size=batch_size,
        shuffle=shuffle, seed=seed, cache=cache, repeat=repeat, with_labels=with_labels,
        num_classes=num_classes, labels_arg=labels_arg,
    )


def _gaussian_1d(batch_size, seed, limit, shuffle, repeat):
    """Samples of the 1-D Gaussian target (Shared-WGAN, section 5): N(4, 0.5), shape (batch, 1)."""
    import tensorflow as tf

    from kerasgan.utils.gaussian import gaussian_samples

    n = limit or 60_000
    validation.check_num_examples(n, batch_size, f"gaussian_1d (limit={n})")
    ds = tf.data.Dataset.from_tensor_slices(gaussian_samples(n, seed=seed))
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    if repeat:
        ds = ds.repeat()
    return ds.prefetch(tf.data.AUTOTUNE)


def from_arrays(images, *, preset=None, image_shape=None, value_range=None, batch_size=None,
                shuffle=True, seed=0, cache=True, repeat=False, labels=None, num_classes=None,
                class_names=None):
    """Builds the same batched float32 pipeline as `load` from in-memory arrays.

    uint8 (or integer 0..255) images are scaled to `value_range`; float images
    must already lie in `value_range` and are passed through unscaled.

    Args:
        images: (N, H, W) or (N, H, W, C) array, C in 1 to 4 (channels last; an alpha
            channel, C = 2 or 4, is dropped).
        preset, image_shape, value_range, batch_size, shuffle, seed, cache,
            repeat: As in `kerasgan.data.load`.
        labels: Optional (N,) integer class ids; then batches are (images, labels).
        num_classes: Labels must lie in [0, num_classes); default: the
            preset's, else the length of `class_names`.
        class_names: Optional names of the classes, by id.

    Returns:
        A `tf.data.Dataset` of float32 batches (batch_size, H, W, C), or of
        (images, int32 labels) pairs; with labels its `class_names` and
        `num_classes` attributes are set.

    Raises:
        ValueError: wrong rank or channel count, N == 0, NaN/Inf, float data
            outside value_range, or batch_size > N (zero batches); labels of
            another length, not integers, negative or >= num_classes.

    Example:
    >>> x = np.random.randint(0, 256, (1000, 28, 28), np.uint8)
    >>> ds = kerasgan.data.from_arrays(x, value_range=(-1, 1), batch_size=100)
    """
    image_shape, value_range, batch_size, spec = pipeline.resolve_settings(
        preset, image_shape, value_range, batch_size
    )
    if class_names is not None:
        class_names = [str(c) for c in class_names]
        if num_classes is not None and num_classes != len(class_names):
            raise ValueError(
                f"Expected {num_classes} class_names for num_classes={num_classes}. Received: "
                f"{len(class_names)} names. Pass one name per class id."
            )
        num_classes = len(class_names) if num_classes is None else num_classes
    if num_classes is None and labels is not None:
        num_classes = _preset_num_classes(spec)
    source = pipeline.array_source(images, labels, value_range, class_names=class_names)
    target = pipeline.target_shape_for(
        image_shape, source.element_shape[:2], source.native_channels, source.description
    )
    return pipeline.build(
        source, image_shape=target, value_range=value_range, batch_size=batch_size,
        shuffle=shuffle, seed=seed, cache=cache, repeat=repeat, with_labels=labels is not None,
        num_classes=num_classes, labels_arg="labels",
    )
