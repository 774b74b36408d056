"""Keras callbacks for GAN training: sample grids, atomic checkpoints and logs, NaN stop."""

import csv
import io
import math
import os

import keras
import numpy as np

from kerasgan.plotting import save_image_grid
from kerasgan.utils.io import atomic_path, atomic_write_text


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of generated images every `every` epochs (same noise each time).

    Args:
        directory: Folder for `epoch_001.png`, `epoch_002.png`, ...
        num_samples: Images per grid.
        seed: Noise seed; fixed so grids are comparable across epochs.
        every: Epoch interval.

    Example:
    >>> gan.fit(ds, epochs=5, callbacks=[kerasgan.callbacks.SampleGrid("runs/samples")])
    """

    def __init__(self, directory, num_samples=64, seed=0, every=1):
        super().__init__()
        self.directory = directory
        self.num_samples = num_samples
        self.seed = seed
        self.every = every
        self.last_path = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        images = self.model.generate(self.num_samples, seed=self.seed)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png")
        step = training_step(self.model)
        self.last_path = save_image_grid(images, path, title=f"epoch {epoch + 1}, step {step}")


class AtomicCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN to a `.keras` file at every epoch end, atomically.

    A crash during a save leaves the previous checkpoint intact. The epoch
    count goes to `<path>.epoch` (also atomic) so training can resume.

    Args:
        path: Destination, ending in `.keras`.
    """

    def __init__(self, path):
        super().__init__()
        if not str(path).endswith(".keras"):
            raise ValueError(f"Checkpoint paths must end in '.keras'. Received: {path}")
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        if _non_finite(logs):
            # Never replace the last good checkpoint with weights that produced NaN.
            return
        save_model(self.model, self.path)
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


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stops training at the first non-finite loss, naming the phase and the step.

    Raises `FloatingPointError` (after `fit` has stopped) unless `raise_error=False`.
    """

    def __init__(self, raise_error=True):
        super().__init__()
        self.raise_error = raise_error
        self.message = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for key, phase in (("d_loss", "discriminator"), ("g_loss", "generator")):
            value = (logs or {}).get(key)
            if value is not None and not math.isfinite(_to_float(value)):
                step = training_step(self.model)
                self.message = (
                    f"Non-finite {key} ({_to_float(value)}) in the {phase} phase at training "
                    f"step {step} (epoch {self._epoch + 1}, batch {batch + 1}). Training stopped; "
                    "the last checkpoint written before this epoch is kept. Common fixes: a lower "
                    "learning rate, inputs scaled to the preset's value_range, no NaN in the data."
                )
                self.model.stop_training = True
                return

    def on_train_end(self, logs=None):
        if self.message and self.raise_error:
            raise FloatingPointError(self.message)


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
