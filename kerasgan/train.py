r"""Trains a zoo preset and writes a checkpoint, sample grids, a CSV log and final samples.

Example:
    python -m kerasgan.train --preset=dcgan --dataset=fashion_mnist \
        --epochs=10 --steps_per_epoch=150 --output_dir=runs/dcgan --seed=0

Writes to --output_dir:
    checkpoint.keras        the whole GAN (both optimizers' states), every epoch, atomically
    samples/epoch_NNN.png   a grid of generated images per epoch (fixed noise)
    samples_final.png       the final grid
    log.csv                 d_loss and g_loss per epoch
    config.json             the flags and the preset config used
"""

import ast
import json
import os
import sys

from absl import app, flags, logging

FLAGS = flags.FLAGS

flags.DEFINE_string("preset", None, "Zoo preset to train (see kerasgan.zoo.names()).")
flags.DEFINE_string(
    "dataset", None,
    "Dataset name (fashion_mnist, mnist, celeb_a, ...) or a directory of IDX files or images. "
    "Default: the preset's dataset.",
)
flags.DEFINE_string("data_dir", None, "Where to look for the dataset's local files first.")
flags.DEFINE_string("split", "train", "Dataset split.")
flags.DEFINE_integer("limit", None, "Use only the first N examples (quick runs).")
flags.DEFINE_integer("epochs", 1, "Epochs to train (with --steps_per_epoch: epochs of that many steps).")
flags.DEFINE_integer(
    "steps_per_epoch", None,
    "Training steps (generator updates) per epoch; the data repeats as needed. "
    "Default: one pass over the data.",
)
flags.DEFINE_integer(
    "batch_size", None,
    "Real images per training step (default: the preset's; presets whose critic takes a fresh "
    "batch per critic update consume batch_size x d_steps).",
)
flags.DEFINE_integer("seed", 0, "Seed for weights, noise and data order.")
flags.DEFINE_string("output_dir", None, "Directory for checkpoints, samples and logs.")
flags.DEFINE_enum(
    "backend", None, ["tensorflow", "jax"],
    "Keras backend. Default: $KERAS_BACKEND, else tensorflow.",
)
flags.DEFINE_multi_string(
    "override", [],
    "Preset overrides as key=value (Python literal values), e.g. --override=loss=\"'hinge'\" "
    "or --override=learning_rate=1e-4. Repeatable.",
)
flags.DEFINE_integer("num_samples", 64, "Images in each sample grid.")
flags.DEFINE_integer("sample_every", 1, "Write a sample grid every N epochs.")
flags.DEFINE_bool("resume", False, "Continue from output_dir/checkpoint.keras if it exists.")
flags.DEFINE_integer("verbose", 2, "Keras fit verbosity: 0 silent, 1 progress bar, 2 one line per epoch.")

flags.mark_flags_as_required(["preset", "output_dir"])
for _name in ("epochs", "num_samples", "sample_every"):
    flags.register_validator(_name, lambda v: v is not None and v >= 1, f"--{_name} must be >= 1")
for _name in ("steps_per_epoch", "batch_size", "limit"):
    flags.register_validator(_name, lambda v: v is None or v >= 1, f"--{_name} must be >= 1")


def parse_overrides(items):
    """`["key=value", ...]` -> dict, values parsed as Python literals (else kept as strings)."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise app.UsageError(f"--override must look like key=value. Received: {item!r}")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[key] = value
    return overrides


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    backend = FLAGS.backend or os.environ.get("KERAS_BACKEND", "tensorflow")
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") != backend:
        raise app.UsageError("--backend must be chosen before keras is imported.")
    os.environ["KERAS_BACKEND"] = backend
    run(**flag_values())


def flag_values():
    return dict(
        preset=FLAGS.preset,
        dataset=FLAGS.dataset,
        data_dir=FLAGS.data_dir,
        split=FLAGS.split,
        limit=FLAGS.limit,
        epochs=FLAGS.epochs,
        steps_per_epoch=FLAGS.steps_per_epoch,
        batch_size=FLAGS.batch_size,
        seed=FLAGS.seed,
        output_dir=FLAGS.output_dir,
        overrides=parse_overrides(FLAGS.override),
        num_samples=FLAGS.num_samples,
        sample_every=FLAGS.sample_every,
        resume=FLAGS.resume,
        verbose=FLAGS.verbose,
    )


def run(preset, output_dir, dataset=None, data_dir=None, split="train", limit=None, epochs=1,
        steps_per_epoch=None, batch_size=None, seed=0, overrides=None, num_samples=64,
        sample_every=1, resume=False, verbose=2):
    """Trains `preset` and writes its outputs; returns the trained GAN.

    Args mirror the flags of `python -m kerasgan.train`.
    """
    import keras

    import kerasgan
    from kerasgan import callbacks as cb
    from kerasgan.plotting import save_image_grid
    from kerasgan.utils.io import atomic_write_text

    spec = kerasgan.zoo.spec(preset)
    overrides = dict(overrides or {})
    overrides.setdefault("seed", seed)
    if batch_size is not None:
        overrides["batch_size"] = batch_size
    checkpoint = os.path.join(output_dir, "checkpoint.keras")
    initial_epoch = 0
    if resume and os.path.exists(checkpoint):
        gan = load_checkpoint(checkpoint)
        with open(checkpoint + ".epoch", encoding="utf-8") as f:
            initial_epoch = int(f.read().strip())
        logging.info("Resuming %s from epoch %d", checkpoint, initial_epoch)
    else:
        gan = kerasgan.zoo.get(preset, **overrides)
    config = {**spec.config, **overrides}
    step_batch = spec.step_batch_size if batch_size is None else int(batch_size) * (
        int(config.get("d_steps", 1)) if config.get("real_batches") == "split" else 1
    )
    ds = kerasgan.data.load(
        dataset or spec.dataset,
        image_shape=gan.image_shape,
        value_range=tuple(config["value_range"]),
        batch_size=step_batch,
        split=split,
        seed=seed,
        data_dir=data_dir,
        limit=limit,
        repeat=steps_per_epoch is not None,
    )
    os.makedirs(output_dir, exist_ok=True)
    atomic_write_text(
        os.path.join(output_dir, "config.json"),
        json.dumps(
            {"preset": preset, "dataset": dataset or spec.dataset, "backend": keras.backend.backend(),
             "epochs": epochs, "steps_per_epoch": steps_per_epoch, "step_batch_size": step_batch,
             "seed": seed, "config": config},
            indent=2, default=str,
        ),
    )
    if initial_epoch >= epochs:
        logging.info("Checkpoint is already at epoch %d >= --epochs=%d; nothing to train.",
                     initial_epoch, epochs)
    callbacks = [
        cb.StopOnNonFiniteLoss(),
        cb.SampleGrid(os.path.join(output_dir, "samples"), num_samples, seed=seed, every=sample_every),
        cb.CSVLog(os.path.join(output_dir, "log.csv"), append=initial_epoch > 0),
        cb.AtomicCheckpoint(checkpoint),
    ]
    gan.fit(ds, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
            callbacks=callbacks, verbose=verbose, shuffle=False)
    final = os.path.join(output_dir, "samples_final.png")
    save_image_grid(gan.generate(num_samples, seed=seed), final,
                    title=f"{preset}: step {int(gan.optimizer.iterations)}")
    print(f"Samples: {os.path.abspath(final)}")
    print(f"Checkpoint: {os.path.abspath(checkpoint)}")
    return gan


def load_checkpoint(path):
    """Loads a `.keras` GAN checkpoint; a missing or corrupt file raises a clear error."""
    import keras

    import kerasgan.gan  # noqa: F401  (registers the serializable classes)
    import kerasgan.zoo  # noqa: F401  (registers the networks' custom layers)

    if not os.path.exists(path):
        raise FileNotFoundError(f"No checkpoint at {path}.")
    try:
        return keras.saving.load_model(path)
    except Exception as e:  # keras raises many types for a damaged zip/h5
        raise ValueError(
            f"Cannot load checkpoint {path}: the file is corrupt or truncated ({type(e).__name__}: "
            f"{e}). Delete it to start over, or restore it from a backup."
        ) from e


if __name__ == "__main__":
    app.run(main)
