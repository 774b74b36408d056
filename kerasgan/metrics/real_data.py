"""Real images and labels of a dataset split, as the judges train and measure on them.

MNIST: when only the 10,000-image test split exists (the data README's
situation), its first 5,000 images train the judge and its last 5,000 are the
test set (`split="holdout_train"` / `"holdout_test"`); with the full
60,000-image train split present, the standard split is used.
"""

import numpy as np

from kerasgan.metrics.judges import canonical_name

#: Images in each half of the MNIST test split when it stands in for train and test.
HOLDOUT_SIZE = 5000


def real_arrays(dataset, split, data_dir=None, limit=None, with_split=False):
    """Real images `(N, 28, 28, 1)` float32 in [0, 1] and int labels of a dataset split.

    Args:
        dataset: "fashion_mnist", "mnist" or an IDX directory.
        split: "train", "test", or for MNIST with only its test split present,
            "holdout_train" (first 5,000 test images) / "holdout_test" (last
            5,000). "train"/"test" on such an MNIST fall back to the holdout halves.
        data_dir: A directory to look in first.
        limit: Keep the first `limit` examples.
        with_split: Also return the split actually read (e.g. "holdout_test").

    Example:
    >>> x, y = kerasgan.metrics.real_arrays("fashion_mnist", "test")
    """
    from kerasgan.data import DataNotFoundError
    from kerasgan.data.sources import find_source

    def load(split_name):
        name = data_dir or dataset
        source = find_source(name, split=split_name, source="auto", data_dir=None,
                             download=False, with_labels=True)
        if source.images is None or source.labels is None:
            raise DataNotFoundError(
                f"Expected a dataset with in-memory images and labels. Received: "
                f"{source.description}, which has none. Pass an IDX dataset (fashion_mnist, mnist, "
                f"or data_dir=<a directory of IDX files with labels>).")
        return source.images, source.labels

    holdout = split.startswith("holdout_")
    if not holdout and canonical_name(dataset) == "mnist" and split in ("train", "test"):
        try:
            load("train")
        except DataNotFoundError:  # only the test split: its halves play train and test
            holdout, split = True, "holdout_" + split
    if not holdout:
        images, labels = load(split)
    else:
        images, labels = load("test")
        part = slice(0, HOLDOUT_SIZE) if split == "holdout_train" else slice(HOLDOUT_SIZE, None)
        images, labels = images[part], labels[part]
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    out = images.astype("float32") / 255.0, np.asarray(labels, dtype="int32")
    return out + (split,) if with_split else out
