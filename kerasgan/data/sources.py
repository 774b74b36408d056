"""`kerasgan.data.load`: finds a dataset locally, in TFDS's prepared data, or by download.

The kinds of source live in their own modules: `kerasgan.data.local_files` (IDX
directories, image folders), `kerasgan.data.tfds_keras` (TFDS, keras.datasets) and
`kerasgan.data.synthetic`; the datasets known by name in `kerasgan.data.catalog`.
"""

import os

from kerasgan import validation
from kerasgan.data import local_files, pipeline, synthetic, tfds_keras
from kerasgan.data.catalog import (  # noqa: F401 - re-exported
    CIFAR10_CLASS_NAMES,
    FASHION_MNIST_CLASS_NAMES,
    FASHION_MNIST_DIRS,
    MNIST_CLASS_NAMES,
    MNIST_DIRS,
    NO_DOWNLOAD_ENV,
    PACKAGED_MNIST_DIR,
    canonical_name,
    downloads_disabled,
    env_var_for,
)
from kerasgan.data.catalog import KNOWN as _KNOWN
from kerasgan.data.catalog import KnownDataset as _Known  # noqa: F401 - the earlier name
from kerasgan.data.errors import DataNotFoundError

SOURCES = ("auto", "idx", "images", "tfds", "keras")

# The download steps, looked up here at call time so that tests can replace them.
_keras_source = tfds_keras.keras_source
_tfds_download_source = tfds_keras.tfds_download_source
_network_reachable = tfds_keras.network_reachable


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
        known = _KNOWN.get(canonical_name(name_or_path))
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
        return local_files.directory_source(text, split, source, with_labels)
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

    key = canonical_name(text)
    known = _KNOWN.get(key)
    tried, notes = [], []

    if source in ("auto", "idx", "images"):
        found = local_files.search_directories(key, known, split, source, data_dir, with_labels,
                                               tried, notes)
        if found is not None:
            return found

    tfds_known = True
    if source in ("auto", "tfds"):
        roots = [os.fspath(data_dir)] if data_dir is not None else []
        for root in roots + [None]:
            found, tfds_known = tfds_keras.tfds_prepared_source(key, split, root, tried)
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
        return synthetic.gaussian_1d(int(batch_size), seed, limit, shuffle, repeat)
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
        found = local_files.inspect_folder(found)  # after the limit: only the files used are opened
    native_hw = found.element_shape[:2] if found.element_shape else None
    target = pipeline.target_shape_for(
        image_shape, native_hw, found.native_channels, found.description
    )
    return pipeline.build(
        found, image_shape=target, value_range=value_range, batch_size=batch_size,
        shuffle=shuffle, seed=seed, cache=cache, repeat=repeat, with_labels=with_labels,
        num_classes=num_classes, labels_arg=labels_arg,
    )


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
