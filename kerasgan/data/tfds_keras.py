"""Sources from TFDS (data already prepared, or downloaded) and keras.datasets downloads."""

import os

from kerasgan.data import pipeline
from kerasgan.data.errors import DataNotFoundError


def tfds_prepared_source(name, split, data_dir, tried):
    """(Source from TFDS data prepared in `data_dir` (None: TFDS's default) or None, whether TFDS
    knows `name`); what was missing goes to `tried`."""
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
    return tfds_to_source(ds, info, name, split, where), True


def tfds_to_source(ds, info, name, split, where):
    """Source over a TFDS split `ds` of dataset `name` (its `info` gives shape, size, classes)."""
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


def keras_source(module_name, split):
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


def tfds_download_source(name, split, data_dir):
    """Source from TFDS after downloading and preparing `name` into `data_dir`."""
    import tensorflow_datasets as tfds

    ds, info = tfds.load(
        name, split=split, data_dir=data_dir, download=True, shuffle_files=False, with_info=True
    )
    return tfds_to_source(ds, info, name, split, data_dir or "TFDS default data_dir")


def network_reachable(host="storage.googleapis.com", timeout=5.0):
    """A quick connect test, so an offline machine skips TFDS's minutes of download retries."""
    import socket

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True  # behind a proxy a direct connect says nothing
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False
