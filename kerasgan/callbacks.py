"""Keras callbacks for GAN training: sample grids, TensorBoard logs, checkpoints, the NaN stop."""

import csv
import io
import math
import os
import time

import keras
import numpy as np

from kerasgan.plotting import save_image_grid
from kerasgan.utils.io import atomic_path, atomic_write_text


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of generated images every `every` epochs (same noise each time).

    A class-conditional GAN gets one row per class (`class_samples`): column
    `j` of every row uses the same noise, so rows differ by class only.

    Args:
        directory: Folder for `epoch_001.png`, `epoch_002.png`, ...
        num_samples: Images per grid (unconditional grids).
        seed: Noise seed; fixed so grids are comparable across epochs.
        every: Epoch interval.
        per_class: One row per class; default: when the GAN is conditional.
        columns: Images per class row.
        class_names: Row labels by class id; default: the class ids.
        log_dir: If set, each grid also goes to TensorBoard as the image
            `samples` of the run `<log_dir>/train` (step: the 0-based epoch,
            as `keras.callbacks.TensorBoard` logs epoch scalars).

    Example:
    >>> gan.fit(ds, epochs=5, callbacks=[kerasgan.callbacks.SampleGrid("runs/samples")])
    """

    def __init__(self, directory, num_samples=64, seed=0, every=1, per_class=None, columns=8,
                 class_names=None, log_dir=None):
        super().__init__()
        self.directory = directory
        self.num_samples = num_samples
        self.seed = seed
        self.every = every
        self.per_class = per_class
        self.columns = columns
        self.class_names = None if class_names is None else [str(c) for c in class_names]
        self.log_dir = log_dir
        self.last_path = None
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        path = os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png")
        step = training_step(self.model)
        self.last_path = save_samples(
            self.model, path, self.num_samples, self.seed,
            title=f"epoch {epoch + 1}, step {step}", per_class=self.per_class,
            columns=self.columns, class_names=self.class_names)
        if self.log_dir is not None:
            self._log_image(path, epoch)

    def _log_image(self, path, step):
        if self._writer is None:
            self._writer = _summary_writer(self.log_dir)
        with open(path, "rb") as f:
            write_image_summary(self._writer, "samples", f.read(), step)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def class_samples(gan, columns=8, seed=0):
    """Images of a conditional GAN, `columns` per class, class-major (row `k` is class `k`).

    Column `j` uses the same noise in every row, so a row-per-class grid
    (`kerasgan.plotting.class_grid`) compares classes at fixed noise.

    Returns:
        `(num_classes * columns, H, W, C)` in [0, 1], from `gan.generate`.
    """
    if gan.conditioning is None:
        raise ValueError(
            "Expected a class-conditional GAN (conditioning set) for per-class samples. "
            "Received: an unconditional GAN. Use gan.generate(n) instead."
        )
    noise = np.tile(gan.sample_noise(columns, seed), (gan.num_classes, 1))
    labels = np.repeat(np.arange(gan.num_classes), columns)
    return gan.generate(len(labels), labels=labels, noise=noise)


def save_samples(gan, path, num_samples=64, seed=0, title=None, per_class=None, columns=8,
                 class_names=None):
    """Writes `gan`'s sample grid to `path`: one row per class for a conditional GAN.

    Args:
        gan: A `kerasgan.GAN`.
        path: Destination `.png`.
        num_samples: Images of an unconditional grid.
        seed: Noise seed.
        title: Optional title.
        per_class: One row per class (`class_samples`); default: when `gan` is conditional.
        columns: Images per class row.
        class_names: Row labels by class id; default: `class 0`, `class 1`, ...
    """
    if per_class is None:
        per_class = getattr(gan, "conditioning", None) is not None
    if not per_class:
        return save_image_grid(gan.generate(num_samples, seed=seed), path, title=title)
    images = class_samples(gan, columns, seed)
    names = list(class_names) if class_names else [f"class {k}" for k in range(gan.num_classes)]
    if len(names) != gan.num_classes:
        raise ValueError(
            f"Expected {gan.num_classes} class names (num_classes). Received: {len(names)}."
        )
    return save_image_grid(images, path, title=title, columns=columns, row_labels=names)


class TensorBoardLog(keras.callbacks.Callback):
    """Writes each epoch's logs and both learning rates as TensorBoard scalars.

    The tags are those of `keras.callbacks.TensorBoard` (`epoch_d_loss`,
    ...; step: the 0-based epoch) in the run `<log_dir>/train`, plus
    `epoch_d_learning_rate` and `epoch_g_learning_rate`. Written with
    TensorFlow's core summary ops, so the `tensorboard` package is needed
    only to view them. Event files are only ever added: a resumed run's
    epochs go to new files beside the earlier ones.

    Args:
        log_dir: The TensorBoard log directory.

    Example:
    >>> gan.fit(ds, epochs=5, callbacks=[kerasgan.callbacks.TensorBoardLog("runs/tb")])
    """

    def __init__(self, log_dir):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if self._writer is None:
            self._writer = _summary_writer(self.log_dir)
        values = {k: _to_float(v) for k, v in (logs or {}).items()}
        for network in ("d", "g"):
            optimizer = getattr(self.model, f"{network}_optimizer", None)
            if optimizer is not None:
                values[f"{network}_learning_rate"] = _to_float(
                    keras.ops.convert_to_numpy(optimizer.learning_rate))
        for name, value in values.items():
            write_scalar_summary(self._writer, f"epoch_{name}", value, epoch)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _summary_writer(log_dir):
    import tensorflow as tf

    return tf.summary.create_file_writer(os.path.join(log_dir, "train"))


def _summary_metadata(plugin):
    from tensorflow.core.framework import summary_pb2

    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin))


def write_scalar_summary(writer, tag, value, step):
    """A TensorBoard scalar (what `tf.summary.scalar` writes), without the `tensorboard` package."""
    import tensorflow as tf

    with writer.as_default():
        tf.summary.write(tag, tf.constant(float(value), tf.float32), step=int(step),
                         metadata=_summary_metadata("scalars"))


def write_image_summary(writer, tag, png, step):
    """A TensorBoard image from PNG bytes (as `tf.summary.image` writes it), no `tensorboard`."""
    import tensorflow as tf

    height, width = _png_size(png)
    tensor = tf.constant([str(width).encode(), str(height).encode(), png])
    with writer.as_default():
        tf.summary.write(tag, tensor, step=int(step), metadata=_summary_metadata("images"))


def _png_size(png):
    """(height, width) from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("Expected PNG bytes. Received: data without the PNG signature.")
    return int.from_bytes(png[20:24], "big"), int.from_bytes(png[16:20], "big")


class AtomicCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN to a `.keras` file atomically: at epoch ends and on a timer.

    A crash during a save leaves the previous checkpoint intact. The count of
    finished epochs goes to `<path>.epoch` (also atomic) at each epoch end. A
    save never replaces the last good checkpoint with weights whose logs are
    not finite.

    Args:
        path: Destination, ending in `.keras`.
        every_seconds: Also save after the first batch that ends at least this
            many seconds after the last save (so a long epoch loses at most
            that much work to a crash). None or 0: only at epoch ends.
        on_save: Called with the model's training step after each save.
    """

    def __init__(self, path, every_seconds=None, on_save=None):
        super().__init__()
        if not str(path).endswith(".keras"):
            raise ValueError(
                f"Expected a checkpoint path ending in '.keras'. Received: path={str(path)!r}. "
                "Name the file like 'runs/x/checkpoint.keras' (Keras' native format)."
            )
        if every_seconds is not None and not every_seconds >= 0:
            raise ValueError(
                f"Expected every_seconds >= 0 (0 or None: save at epoch ends only). Received: "
                f"every_seconds={every_seconds!r}."
            )
        self.path = path
        self.every_seconds = every_seconds or None
        self.on_save = on_save
        self._last_save = None

    def on_train_begin(self, logs=None):
        self._last_save = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if self.every_seconds is None or self._last_save is None:
            return
        if time.monotonic() - self._last_save < self.every_seconds or _non_finite(logs):
            return
        self._save()

    def _save(self):
        save_model(self.model, self.path)
        self._last_save = time.monotonic()
        if self.on_save is not None:
            self.on_save(training_step(self.model))

    def on_epoch_end(self, epoch, logs=None):
        if _non_finite(logs):
            # Never replace the last good checkpoint with weights that produced NaN.
            return
        self._save()
        atomic_write_text(self.path + ".epoch", f"{epoch + 1}\n")


def save_model(model, path):
    """`model.save(path)` through a temporary file and an atomic rename."""
    with atomic_path(path, suffix=".keras") as tmp:
        model.save(tmp)
    return path


class CSVLog(keras.callbacks.Callback):
    """Writes one CSV row of logs per epoch; the file is rewritten atomically each time.

    Args:
        path: Destination `.csv`. Rows already in it (from an earlier run that
            is being resumed) are kept.
        append: Keep the rows already in `path`.
        upto_epoch: With `append`, keep only rows of epochs <= this (a resumed
            run drops rows logged after its checkpoint).
    """

    def __init__(self, path, append=False, upto_epoch=None):
        super().__init__()
        self.path = path
        self.rows = []
        if append and os.path.exists(path):
            with open(path, newline="", encoding="utf-8") as f:
                self.rows = list(csv.DictReader(f))
            if upto_epoch is not None:
                self.rows = [r for r in self.rows if int(float(r["epoch"])) <= upto_epoch]

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1}
        row.update({k: _to_float(v) for k, v in (logs or {}).items()})
        self.rows.append(row)
        fields = []
        for r in self.rows:
            fields += [k for k in r if k not in fields]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows(self.rows)
        atomic_write_text(self.path, buffer.getvalue())


# The network whose update each logged value comes from (the discriminator's come first in a step).
_PHASES = {"d_loss": "discriminator", "d_real": "discriminator", "d_fake": "discriminator",
           "d_grad_norm": "discriminator", "g_loss": "generator", "g_grad_norm": "generator"}


class TerminateOnNonFinite(keras.callbacks.Callback):
    """Stops `fit()` at the first step that logs a NaN or Inf, keeping the weights from before it.

    `keras.callbacks.TerminateOnNaN` reads only the `loss` log, which a GAN does not write; this
    callback watches every value the model logs: `d_loss`, `g_loss` and, with `diagnostics=True`,
    `d_real`, `d_fake`, `d_grad_norm` and `g_grad_norm`. `kerasgan.GAN.fit` adds one unless its
    `callbacks` hold one or `terminate_on_nan=False`; while one watches, the GAN's training step
    is applied only when its logs and the updated weights are finite, so training stops with the
    weights, optimizer state, BatchNorm statistics and moving averages of the last finite step
    (a step whose update overflows the weights logs NaN: `kerasgan.trainers.finite_steps`).

    The message names the first non-finite values, the training step and the epoch and batch
    (counted from 1, as Keras' progress bar counts them).

    Args:
        raise_error: After `fit()` stops, raise a `FloatingPointError` with the message; by
            default `fit()` returns and the message is printed.
        verbose: Print the message when not raising it.

    Attributes:
        message: The message of the stop, or None while every log was finite.
        cause: `"loss"` (a logged value was not finite) or `"update"` (the losses were, the
            updated weights were not); None while every log was finite.
        values: `{log name: value}` of the non-finite logs at the stop.
        step: The training step (counted from 1 over all of training) that was left out.
        epoch: Its epoch, counted from 1.
        batch: Its batch within the epoch, counted from 1.

    Example:
    >>> stop = kerasgan.callbacks.TerminateOnNonFinite(raise_error=True)
    >>> gan.fit(ds, epochs=5, callbacks=[stop])
    """

    def __init__(self, raise_error=False, verbose=True):
        super().__init__()
        self.raise_error = raise_error
        self.verbose = verbose
        self._reset()
        self._epoch = 0
        self._epoch_start = 0

    def _reset(self):
        self.message = self.cause = None
        self.values = {}
        self.step = self.epoch = self.batch = None

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = None
        if getattr(self._model, "steps_per_execution", 1) > 1:
            # Batch ends arrive once per execution: the step count locates the step within it.
            self._epoch_start = training_step(self.model)

    def on_train_batch_end(self, batch, logs=None):
        if self.message is not None:
            return
        values = {k: _to_float(v) for k, v in (logs or {}).items()}
        if all(math.isfinite(v) for v in values.values()):
            return
        model = self.model
        guarded = bool(getattr(model, "_skip_non_finite_steps", False))
        done = training_step(model)
        # Under the guard the step count excludes the step that was left out.
        self.step = done + 1 if guarded else done
        self.epoch = self._epoch + 1
        self.batch = batch + 1
        if guarded and self._epoch_start is not None:
            self.batch = done - self._epoch_start + 1
        # The guard logs NaN for a step whose update was not finite; its metrics stay finite.
        self.cause = "loss"
        if guarded and not _non_finite(model.get_metrics_result()):
            self.cause = "update"
        bad = sorted((k for k, v in values.items() if not math.isfinite(v)),
                     key=lambda k: ("d_loss", "g_loss", k).index(k))  # the losses first
        self.values = {k: values[k] for k in bad}
        self.message = self._message(guarded, done)
        model.stop_training = True
        if self.verbose and not self.raise_error:
            print(self.message, flush=True)

    def _message(self, guarded, done):
        where = f"training step {self.step} (epoch {self.epoch}, batch {self.batch})"
        if self.cause == "update":
            expected = "Expected finite weights after every update"
            received = f"non-finite weights after the update of {where}, whose losses were finite"
        else:
            expected = "Expected finite values in every log of the GAN"
            phases = [_PHASES[k] for k in self.values if k in _PHASES]
            received = ", ".join(f"{k}={v}" for k, v in self.values.items()) + f" at {where}" + (
                f", in the {phases[0]} phase" if phases else "")
        if guarded:
            kept = (f"those after training step {done}, the last finite one" if done
                    else "the initial ones")
            outcome = f"Training stopped without applying that step: the weights are {kept}."
        else:
            outcome = "Training stopped after that step, whose update the weights hold."
        return (f"{expected}. Received: {received}. {outcome} Common fixes: a lower learning rate, "
                "data in the GAN's output_range, no NaN in the data.")

    def on_train_end(self, logs=None):
        if self.message and self.raise_error:
            raise FloatingPointError(self.message)


class StopOnNonFiniteLoss(TerminateOnNonFinite):
    """`TerminateOnNonFinite` raising its `FloatingPointError` (the trainer's stop)."""

    def __init__(self, raise_error=True, verbose=True):
        super().__init__(raise_error=raise_error, verbose=verbose)


def training_step(model):
    """The model's optimizer step count as an int (also for tf.distribute mirrored variables)."""
    return int(np.asarray(keras.ops.convert_to_numpy(model.optimizer.iterations)))


def _to_float(value):
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        return float("nan")


def _non_finite(logs):
    return any(not math.isfinite(_to_float(v)) for v in (logs or {}).values())
