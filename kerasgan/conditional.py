"""Class conditioning of `kerasgan.GAN`: modes and label sampling (label checks: `kerasgan.validation`).

Modes: `"concat"` and `"projection"` pass the labels to both networks
(`generator([noise, labels])`, `discriminator([images, labels])`); `"acgan"`
passes them to the generator only, and the discriminator returns
`[adversarial output, class logits]` trained with an auxiliary
classification loss (Odena et al., 2017).
"""

import keras
from keras import ops

from kerasgan import validation

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
            + "."
        )
    num_classes = validation.check_num_classes(
        num_classes, minimum=2, allow_none=False,
        fix=f"conditioning={conditioning!r} needs at least two classes.")
    return num_classes, conditioning


# Label checks live with the other data checks; these are the names `kerasgan.GAN` uses.
label_array = validation.check_labels
check_label_batch = validation.check_label_batch


def draw_labels(batch_size, num_classes, seed):
    """Uniform random class ids `(batch_size,)` int32 for fake samples."""
    return keras.random.randint((batch_size,), 0, num_classes, dtype="int32", seed=seed)


def as_labels(labels):
    """A label tensor as `(batch,)` int32."""
    return ops.cast(ops.reshape(labels, (-1,)), "int32")
