"""Local files as sources: directories of IDX files and folders of image files."""

import os

import numpy as np

from kerasgan.data import idx as idx_lib
from kerasgan.data import images as images_lib
from kerasgan.data import pipeline
from kerasgan.data.catalog import env_var_for
from kerasgan.data.errors import DataNotFoundError


def idx_source(directory, split, with_labels):
    """Source over the IDX files of `directory` for `split` (images in memory)."""
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


def class_folders(directory, paths):
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


def folder_source(directory, split, with_labels=False):
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
    classes = class_folders(directory, paths) if with_labels else None
    if classes is None:
        return pipeline.Source(
            description=f"image folder '{directory}'", num_examples=len(paths), paths=paths
        )
    names, labels = classes
    return pipeline.Source(
        description=f"image folder '{directory}'", num_examples=len(paths), paths=paths,
        labels=labels, has_labels=True, class_names=names, num_classes=len(names),
    )


def inspect_folder(source):
    """Checks every file with PIL (so bad files are named) and records sizes and channels."""
    infos = images_lib.inspect_images(source.paths) if source.paths else []
    if infos:
        sizes = {(h, w) for w, h, _ in infos}
        source.native_channels = infos[0][2]
        if len(sizes) == 1:
            source.element_shape = next(iter(sizes)) + (source.native_channels,)
    return source


def directory_source(directory, split, source, with_labels):
    """Source for an existing directory: IDX files if present (unless source="images")."""
    if source in ("auto", "idx") and idx_lib.idx_splits(directory):
        return idx_source(directory, split, with_labels)
    if source == "idx":
        raise DataNotFoundError(
            "Expected IDX files (train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz]) "
            f"for source='idx'. Received: '{directory}', which holds none. Point to the IDX "
            "directory, or pass source='auto' to read image files."
        )
    return folder_source(directory, split, with_labels)


def search_directories(key, known, split, source, data_dir, with_labels, tried, notes):
    """The source in the first local directory that holds dataset `key`'s `split`, else None.

    Looks in `data_dir`, then `$KERASGAN_<NAME>_DIR`, then the dataset's default
    directories (`known.dirs`); appends what each place lacked to `tried`, and
    hints for the error message to `notes`.
    """
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
            return idx_source(directory, split, with_labels)
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
                return folder_source(directory, split, with_labels)
            tried.append(f"{label}: holds no image files")
        else:
            tried.append(f"{label}: holds no IDX files for split {split!r}")
    return None
