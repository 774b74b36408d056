"""Class conditioning of `kerasgan.GAN`: modes, the checks of its networks and batches, labels.

Modes: `"concat"` and `"projection"` pass the labels to both networks
(`generator([noise, labels])`, `discriminator([images, labels])`); `"acgan"`
passes them to the generator only, and the discriminator returns
`[adversarial output, class logits]` trained with an auxiliary
classification loss (Odena et al., 2017). The label checks themselves live in
`kerasgan.validation`; the networks in `kerasgan.networks.conditional`.
"""

import keras
import numpy as np
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


def check_aux_loss_weight(aux_loss_weight, conditioning):
    """`aux_loss_weight` as a float; raises unless it is >= 0, and 1.0 without ACGAN."""
    if not (validation.is_finite_number(aux_loss_weight) and aux_loss_weight >= 0) or (
        conditioning != "acgan" and aux_loss_weight != 1.0
    ):
        raise ValueError(
            "Expected aux_loss_weight to be a finite number >= 0, set only with "
            f"conditioning='acgan'. Received: aux_loss_weight={aux_loss_weight!r}, "
            f"conditioning={conditioning!r}. Leave aux_loss_weight at 1.0 unless "
            "conditioning='acgan'."
        )
    return float(aux_loss_weight)


def check_generator(generator, conditioning):
    """Raises unless a conditional GAN's `generator` takes `[noise, labels]`."""
    if conditioning is not None and len(getattr(generator, "inputs", None) or [0, 0]) != 2:
        raise ValueError(
            f"Expected a generator taking [noise, labels] for conditioning="
            f"{conditioning!r}. Received: a generator with inputs "
            f"{getattr(generator, 'inputs', None)}. Build one with e.g. "
            "kerasgan.networks.conditional.conditional_dcgan_generator(num_classes, ...)."
        )


def adversarial_output_shape(output_shape, conditioning, num_classes):
    """The adversarial output's shape among a discriminator's `output_shape`.

    An ACGAN discriminator returns `[output, class logits (batch, num_classes)]`; the others
    return the adversarial output only.
    """
    if conditioning != "acgan":
        return tuple(output_shape)
    shapes = [tuple(s) for s in output_shape] if (
        isinstance(output_shape, (list, tuple)) and output_shape
        and isinstance(output_shape[0], (list, tuple))) else [tuple(output_shape)]
    if len(shapes) != 2 or shapes[1][-1] != num_classes:
        raise ValueError(
            "Expected an ACGAN discriminator returning [output (batch, 1), class logits "
            f"(batch, {num_classes})]. Received: output shapes {shapes}. Build one "
            "with kerasgan.networks.conditional.acgan_discriminator(num_classes, ...)."
        )
    return shapes[0]


def generation_labels(labels, conditioning, num_classes, num_samples):
    """The class ids `generate()` draws `num_samples` images of (None for an unconditional GAN).

    `labels` may be an int (every sample), `num_samples` ints, or None: the classes in turn.
    """
    if conditioning is None:
        if labels is not None:
            raise ValueError(
                "Expected labels=None: this GAN is unconditional. Received: labels. Build the "
                "GAN with num_classes=... and conditioning=... to generate by class."
            )
        return None
    if labels is None:
        labels = np.arange(num_samples) % num_classes
    return label_array(labels, num_classes, num_samples)


def check_fit_batch(batch, x, y, num_classes):
    """`(batch with labels, its images)` of `fit()`'s first batch, after checking its labels.

    Args:
        batch: The first batch: `(images, labels)`, or images when `y` holds the labels.
        x: `fit()`'s `x` (the whole array when `y` is given).
        y: `fit()`'s labels of array images, or None.
        num_classes: The GAN's number of classes.
    """
    if y is not None:
        label_array(y, num_classes, validation.batch_length(np.asarray(x)), name="fit() labels")
        batch = (batch, np.asarray(y)[: validation.batch_length(batch)])
    return batch, check_label_batch(batch, num_classes)


# Label checks live with the other data checks; these are the names `kerasgan.GAN` uses.
label_array = validation.check_labels
check_label_batch = validation.check_label_batch


def draw_labels(batch_size, num_classes, seed):
    """Uniform random class ids `(batch_size,)` int32 for fake samples."""
    return keras.random.randint((batch_size,), 0, num_classes, dtype="int32", seed=seed)


def as_labels(labels):
    """A label tensor as `(batch,)` int32."""
    return ops.cast(ops.reshape(labels, (-1,)), "int32")
