"""Class conditioning of `kerasgan.GAN`: modes, label checks and label sampling.

Modes: `"concat"` and `"projection"` pass the labels to both networks
(`generator([noise, labels])`, `discriminator([images, labels])`); `"acgan"`
passes them to the generator only, and the discriminator returns
`[adversarial output, class logits]` trained with an auxiliary
classification loss (Odena et al., 2017).
"""

import keras
import numpy as np
from keras import ops

CONDITIONINGS = ("concat", "projection", "acgan")


def check_mode(num_classes, conditioning):
    """Validates the pair; returns `(num_classes or None, conditioning or None)`."""
    if conditioning is None and num_classes is None:
        return None, None
    if conditioning not in CONDITIONINGS:
        raise ValueError(
            f"Expected conditioning to be one of {CONDITIONINGS} or None. Received: "
            f"conditioning={conditioning!r}"
            + (f" with num_classes={num_classes!r}; pass conditioning='projection' (or "
               "'concat', 'acgan') for a class-conditional GAN" if conditioning is None else "")
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or (
        num_classes < 2
    ):
        raise ValueError(
            f"Expected num_classes to be an int >= 2 for conditioning={conditioning!r}. "
            f"Received: num_classes={num_classes!r}"
        )
    return int(num_classes), conditioning


def label_array(labels, num_classes, num_samples=None, name="labels"):
    """`labels` (an int or a sequence) as an int32 array of class ids, checked."""
    array = np.asarray(labels)
    if array.dtype == np.bool_ or not (
        np.issubdtype(array.dtype, np.integer)
        or (np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array)))
    ):
        raise ValueError(f"Expected integer class ids as {name}. Received: dtype {array.dtype}")
    if array.ndim == 0 and num_samples is not None:
        array = np.full((int(num_samples),), int(array))
    array = array.reshape(-1) if array.ndim == 2 and array.shape[-1] == 1 else array
    if array.ndim != 1:
        raise ValueError(
            f"Expected {name} of shape (batch,) (class ids, not one-hot). Received: shape "
            f"{array.shape}"
        )
    if num_samples is not None and array.shape[0] != num_samples:
        raise ValueError(
            f"Expected {num_samples} {name} (one per sample) or a single int. Received: "
            f"{array.shape[0]}"
        )
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        bad = array[(array < 0) | (array >= num_classes)][0]
        raise ValueError(
            f"Expected {name} in [0, {num_classes}) (num_classes={num_classes}). Received: "
            f"{int(bad)}"
        )
    return array.astype(np.int32)


def check_label_batch(batch, num_classes, name="fit()"):
    """Checks the first `(images, labels)` batch of a conditional GAN; returns the images."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2 or batch[1] is None:
        shape = np.shape(batch[0] if isinstance(batch, (tuple, list)) else batch)
        raise ValueError(
            f"Expected {name} batches of (images, labels) for this class-conditional GAN. "
            f"Received: images only (shape {shape}). Load labels with "
            "kerasgan.data.load(..., labels=True), or pass fit(images, labels)."
        )
    images, labels = batch[0], np.asarray(batch[1])
    label_array(labels, num_classes, np.shape(images)[0], name=f"{name} labels")
    return images


def draw_labels(batch_size, num_classes, seed):
    """Uniform random class ids `(batch_size,)` int32 for fake samples."""
    return keras.random.randint((batch_size,), 0, num_classes, dtype="int32", seed=seed)


def as_labels(labels):
    """A label tensor as `(batch,)` int32."""
    return ops.cast(ops.reshape(labels, (-1,)), "int32")
