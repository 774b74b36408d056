r"""`python -m kerasgan.train`: the trainer's command line (flags -> `kerasgan.train.train`).

Example:
    python -m kerasgan.train --preset=dcgan --dataset=fashion_mnist \
        --epochs=10 --steps_per_epoch=150 --output_dir=runs/dcgan --seed=0
    python -m kerasgan.train --flagfile=zoo/dcgan/train.flags --output_dir=runs/dcgan --resume

The flags are defined only when this module runs as the program (or by `define_flags()`), so
importing `kerasgan.train` from another absl program defines none.
"""

import os
import sys

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags(flag_values=FLAGS):
    """Defines the trainer's flags (and their validators) on `flag_values`."""
    fv = dict(flag_values=flag_values)
    flags.DEFINE_string("preset", None, "Zoo preset to train (see kerasgan.zoo.names()).", **fv)
    flags.DEFINE_string(
        "dataset", None,
        "Dataset name (fashion_mnist, mnist, celeb_a, ...) or a directory of IDX files or images. "
        "Default: the preset's dataset.", **fv,
    )
    flags.DEFINE_string("data_dir", None, "Where to look for the dataset's local files first.", **fv)
    flags.DEFINE_string("split", "train", "Dataset split.", **fv)
    flags.DEFINE_integer("limit", None, "Use only the first N examples (quick runs).", **fv)
    flags.DEFINE_integer(
        "epochs", 1, "Epochs to train (with --steps_per_epoch: epochs of that many steps).", **fv)
    flags.DEFINE_integer(
        "steps_per_epoch", None,
        "Training steps (generator updates) per epoch; the data repeats as needed. "
        "Default: one pass over the data.", **fv,
    )
    flags.DEFINE_integer(
        "batch_size", None,
        "Real images per training step (default: the preset's; presets whose critic takes a fresh "
        "batch per critic update consume batch_size x d_steps).", **fv,
    )
    flags.DEFINE_integer("seed", 0, "Seed for weights, noise and data order.", **fv)
    flags.DEFINE_string("output_dir", None, "Directory for checkpoints, samples and logs.", **fv)
    flags.DEFINE_enum(
        "backend", None, ["tensorflow", "jax"],
        "Keras backend. Default: $KERAS_BACKEND, else tensorflow.", **fv,
    )
    flags.DEFINE_multi_string(
        "override", [],
        "Preset overrides as key=value (Python literal values), e.g. --override=loss=\"'hinge'\" "
        "or --override=learning_rate=1e-4. Repeatable. With --resume only jit_compile, "
        "steps_per_execution and batch_size may differ from the run's config.json.", **fv,
    )
    flags.DEFINE_integer("num_samples", 64, "Images in each sample grid.", **fv)
    flags.DEFINE_integer("sample_every", 1, "Write a sample grid every N epochs.", **fv)
    flags.DEFINE_bool(
        "resume", False,
        "Continue from output_dir/checkpoint.keras if it exists: weights, both optimizers' states, "
        "the noise RNG state, the epoch, the data order and the run's config (config.json).", **fv,
    )
    flags.DEFINE_bool(
        "overwrite", False,
        "Replace a run already in output_dir: its checkpoint, config.json, log.csv, sample grids "
        "and TensorBoard events are removed first; other files stay. Without --overwrite or "
        "--resume, an output_dir holding a run is refused.", **fv,
    )
    flags.DEFINE_enum(
        "distribution", "none", ["none", "mirrored", "multi_worker"],
        "Data parallelism (see kerasgan.distribution): 'mirrored' uses every local accelerator "
        "(else every CPU device); 'multi_worker' spans processes (TF: TF_CONFIG; JAX: "
        "KERAS_DISTRIBUTION_JOB_ADDRESSES/_NUM_PROCESSES/_PROCESS_ID). --batch_size is global.",
        **fv,
    )
    flags.DEFINE_enum(
        "mixed_precision", "float32", ["float32", "mixed_float16", "mixed_bfloat16"],
        "Keras dtype policy: variables stay float32; mixed_float16 adds loss scaling to both "
        "optimizers.", **fv,
    )
    flags.DEFINE_integer(
        "cpu_devices", None,
        "Split the host CPU into N devices (tries --distribution without accelerators).", **fv,
    )
    flags.DEFINE_bool(
        "tensorboard", True,
        "Write TensorBoard scalars (losses, D(x) and D(G(z)) means, gradient norms) and sample "
        "grids to output_dir/tensorboard (view: tensorboard --logdir=output_dir/tensorboard).",
        **fv,
    )
    flags.DEFINE_float(
        "checkpoint_minutes", 10.0,
        "Also checkpoint within an epoch this many minutes after the last save (0: at epoch ends "
        "only), so a crash loses at most that much training. --resume from such a checkpoint "
        "finishes its epoch first.", **fv,
    )
    flags.DEFINE_integer(
        "verbose", 2, "Keras fit verbosity: 0 silent, 1 progress bar, 2 one line per epoch.", **fv)

    flags.mark_flags_as_required(["preset", "output_dir"], **fv)
    for name in ("epochs", "num_samples", "sample_every"):
        flags.register_validator(name, lambda v: v is not None and v >= 1,
                                 f"--{name} must be >= 1", **fv)
    for name in ("steps_per_epoch", "batch_size", "limit", "cpu_devices"):
        flags.register_validator(name, lambda v: v is None or v >= 1, f"--{name} must be >= 1", **fv)


def config_from_flags(flag_values=FLAGS):
    """The parsed flags as a `kerasgan.train.TrainConfig`."""
    from kerasgan import train

    f = flag_values
    try:
        overrides = train.parse_overrides(f.override)
    except ValueError as e:
        raise app.UsageError(f"--override: {e}") from None
    return train.TrainConfig(
        preset=f.preset, dataset=f.dataset, data_dir=f.data_dir, split=f.split, limit=f.limit,
        epochs=f.epochs, steps_per_epoch=f.steps_per_epoch, batch_size=f.batch_size, seed=f.seed,
        overrides=overrides, num_samples=f.num_samples, sample_every=f.sample_every,
        resume=f.resume, overwrite=f.overwrite, verbose=f.verbose, distribution=f.distribution,
        mixed_precision=f.mixed_precision, cpu_devices=f.cpu_devices, tensorboard=f.tensorboard,
        checkpoint_minutes=f.checkpoint_minutes,
    )


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    import keras

    if FLAGS.backend and keras.backend.backend() != FLAGS.backend:
        # The backend is fixed when keras is first imported (`python -m` imports the package
        # first): start again with it set.
        env = dict(os.environ, KERAS_BACKEND=FLAGS.backend)
        os.execve(sys.executable, [sys.executable, "-m", "kerasgan.train", *sys.argv[1:]], env)
    from kerasgan import train

    train.train(config_from_flags(), FLAGS.output_dir)


if __name__ == "__main__":
    define_flags()
    app.run(main)
