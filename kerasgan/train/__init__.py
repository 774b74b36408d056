r"""Trains a zoo preset and writes a checkpoint, sample grids, a CSV log and final samples.

Example:
    python -m kerasgan.train --preset=dcgan --dataset=fashion_mnist \
        --epochs=10 --steps_per_epoch=150 --output_dir=runs/dcgan --seed=0

Several devices (global --batch_size, split across them), several workers, mixed precision:
    python -m kerasgan.train --preset=dcgan --distribution=mirrored --mixed_precision=mixed_bfloat16 \
        --batch_size=256 --epochs=10 --output_dir=runs/dcgan

Writes to --output_dir (in multi-worker runs, only the chief writes it):
    checkpoint.keras        the whole GAN (both optimizers' states), every epoch, atomically
    samples/epoch_NNN.png   a grid of generated images per epoch (fixed noise)
    samples_final.png       the final grid
    log.csv                 d_loss and g_loss per epoch
    config.json             the flags and the preset config used

Under TensorFlow on one device the trainer compiles the step with XLA (`jit_compile=True`; Keras'
"auto" would leave it off on CPU); --override=jit_compile=False turns it off.
"""

import ast
import json
import math
import os
import shutil
import sys
import tempfile

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
flags.DEFINE_bool(
    "resume", False,
    "Continue from output_dir/checkpoint.keras if it exists: weights, both optimizers' states, "
    "the noise RNG state, the epoch and the data order.",
)
flags.DEFINE_enum(
    "distribution", "none", ["none", "mirrored", "multi_worker"],
    "Data parallelism (see kerasgan.distribution): 'mirrored' uses every local accelerator (else "
    "every CPU device); 'multi_worker' spans processes (TF: TF_CONFIG; JAX: "
    "KERAS_DISTRIBUTION_JOB_ADDRESSES/_NUM_PROCESSES/_PROCESS_ID). --batch_size is global.",
)
flags.DEFINE_enum(
    "mixed_precision", "float32", ["float32", "mixed_float16", "mixed_bfloat16"],
    "Keras dtype policy: variables stay float32; mixed_float16 adds loss scaling to both optimizers.",
)
flags.DEFINE_integer(
    "cpu_devices", None,
    "Split the host CPU into N devices (tries --distribution without accelerators).",
)
flags.DEFINE_integer("verbose", 2, "Keras fit verbosity: 0 silent, 1 progress bar, 2 one line per epoch.")

flags.mark_flags_as_required(["preset", "output_dir"])
for _name in ("epochs", "num_samples", "sample_every"):
    flags.register_validator(_name, lambda v: v is not None and v >= 1, f"--{_name} must be >= 1")
for _name in ("steps_per_epoch", "batch_size", "limit", "cpu_devices"):
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
    import keras

    if FLAGS.backend and keras.backend.backend() != FLAGS.backend:
        # The backend is fixed when keras is first imported (`python -m` imports the package
        # first): start again with it set.
        env = dict(os.environ, KERAS_BACKEND=FLAGS.backend)
        os.execve(sys.executable, [sys.executable, "-m", "kerasgan.train", *sys.argv[1:]], env)
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
        distribution=FLAGS.distribution,
        mixed_precision=FLAGS.mixed_precision,
        cpu_devices=FLAGS.cpu_devices,
    )


def run(preset, output_dir, dataset=None, data_dir=None, split="train", limit=None, epochs=1,
        steps_per_epoch=None, batch_size=None, seed=0, overrides=None, num_samples=64,
        sample_every=1, resume=False, verbose=2, distribution="none", mixed_precision=None,
        cpu_devices=None):
    """Trains `preset` and writes its outputs; returns the trained GAN.

    Args mirror the flags of `python -m kerasgan.train`.

    Example:
    >>> gan = kerasgan.train.run("mnist_mlp", "runs/mlp", dataset="fashion_mnist", epochs=1)
    """
    from kerasgan import distribution as dist_lib

    if cpu_devices:
        dist_lib.simulate_cpu_devices(cpu_devices)
    dist = dist_lib.setup(distribution)
    if mixed_precision:
        dist_lib.set_mixed_precision(mixed_precision)
    writes = output_dir if dist.is_chief else tempfile.mkdtemp(prefix=f"kerasgan-worker{dist.task_id}-")
    try:
        with dist.scope():
            return _train(dist, preset, output_dir, writes, dataset, data_dir,
                          split, limit, epochs, steps_per_epoch, batch_size, seed, overrides,
                          num_samples, sample_every, resume, verbose, mixed_precision)
    finally:
        if writes != output_dir:
            # Non-chief workers write (checkpoints read every replica's variables) but keep nothing.
            shutil.rmtree(writes, ignore_errors=True)


def _train(dist, preset, output_dir, writes, dataset, data_dir, split, limit, epochs,
           steps_per_epoch, batch_size, seed, overrides, num_samples, sample_every, resume, verbose,
           mixed_precision):
    import keras

    import kerasgan
    from kerasgan import callbacks as cb
    from kerasgan.plotting import save_image_grid
    from kerasgan.utils.io import atomic_write_text

    spec = kerasgan.zoo.spec(preset)
    overrides = dict(overrides or {})
    overrides.setdefault("seed", seed)
    if (keras.backend.backend() == "tensorflow" and dist.name == "none"
            and spec.config.get("jit_compile") == "auto"):
        # Keras' "auto" turns XLA off on CPU-only TensorFlow; tools/bench.py measured XLA 0-41%
        # faster per step for every preset on CPU (BUILD_NOTES.md, Benchmarks), for 3-5 s more
        # compile time, which long trainer runs repay. --override=jit_compile=False undoes it.
        overrides.setdefault("jit_compile", True)
    if batch_size is not None:
        overrides["batch_size"] = batch_size
    default_spe = int(spec.config.get("steps_per_execution", 1) or 1)
    if dist.name != "none" and default_spe > 1 and "steps_per_execution" not in overrides:
        # Keras' fused multi-step loop failed under MultiWorkerMirroredStrategy (InvalidArgumentError
        # in the while loop, tests/test_distribution.py); fusing is a CPU overhead fix anyway.
        overrides["steps_per_execution"] = 1
        logging.info("steps_per_execution=1 under --distribution=%s (preset default %d)",
                     dist.name, default_spe)
    elif steps_per_epoch and "steps_per_execution" not in overrides and steps_per_epoch % default_spe:
        # The preset fuses several steps per call for speed; an epoch length that is not a
        # multiple gets the largest fused count that divides it, so each epoch is exact.
        overrides["steps_per_execution"] = math.gcd(default_spe, int(steps_per_epoch))
        logging.info("steps_per_execution=%d (preset default %d does not divide "
                     "--steps_per_epoch=%d)", overrides["steps_per_execution"], default_spe,
                     steps_per_epoch)
    checkpoint = os.path.join(output_dir, "checkpoint.keras")
    initial_epoch = 0
    if resume and os.path.exists(checkpoint):
        gan = load_checkpoint(checkpoint)
        if isinstance(overrides.get("jit_compile"), bool):
            # A .keras file does not keep compile(jit_compile=...); resume as the run started.
            gan.jit_compile = overrides["jit_compile"]
    else:
        gan = kerasgan.zoo.get(preset, **overrides)
    config = {**spec.config, **overrides}
    step_batch = spec.step_batch_size if batch_size is None else int(batch_size) * (
        int(config.get("d_steps", 1)) if config.get("real_batches") == "split" else 1
    )
    if step_batch % dist.num_replicas:
        raise app.UsageError(
            f"The global batch ({step_batch} images per step) must be a multiple of the "
            f"{dist.num_replicas} replicas of --distribution={dist.name}. Pass e.g. "
            f"--batch_size={max(1, step_batch // dist.num_replicas) * dist.num_replicas}."
        )
    ds = kerasgan.data.load(
        dataset or spec.dataset,
        image_shape=gan.image_shape,
        value_range=tuple(config["value_range"]),
        batch_size=step_batch,
        split=split,
        shuffle=False,  # shuffled below, per pass, so that a resumed run sees the same order
        data_dir=data_dir,
        limit=limit,
    )
    batches_per_pass = int(ds.cardinality())
    if batches_per_pass < 1:
        raise ValueError(f"Cannot count the batches of {dataset or spec.dataset}; it may be "
                         "infinite or of unknown size.")
    if not steps_per_epoch:
        # One pass over the data, cut to whole compiled executions (Keras would otherwise run
        # up to steps_per_execution - 1 extra steps; GAN.fit rejects such a count).
        spe = int(config.get("steps_per_execution", 1) or 1)
        steps_per_epoch = max(spe, batches_per_pass // spe * spe)
    if resume and os.path.exists(checkpoint):
        # The checkpoint's own step count says where it stands (the `.epoch` file beside it is
        # written after it and could lag if the process died in between).
        steps_done = cb.training_step(gan)
        initial_epoch, partial = divmod(steps_done, steps_per_epoch)
        if partial:
            raise ValueError(
                f"{checkpoint} holds {steps_done} training steps, not a whole number of epochs of "
                f"--steps_per_epoch={steps_per_epoch}. Resume with the run's own --steps_per_epoch "
                f"(see {os.path.join(output_dir, 'config.json')})."
            )
        logging.info("Resuming %s from epoch %d (step %d)", checkpoint, initial_epoch, steps_done)
    ds = training_stream(ds, seed, step_batch, start_batch=initial_epoch * steps_per_epoch)
    os.makedirs(writes, exist_ok=True)
    atomic_write_text(
        os.path.join(writes, "config.json"),
        json.dumps(
            {"preset": preset, "dataset": dataset or spec.dataset, "backend": keras.backend.backend(),
             "epochs": epochs, "steps_per_epoch": steps_per_epoch, "step_batch_size": step_batch,
             "seed": seed, "distribution": dist.name, "num_replicas": dist.num_replicas,
             "mixed_precision": mixed_precision, "config": config},
            indent=2, default=str,
        ),
    )
    if initial_epoch >= epochs:
        logging.info("Checkpoint is already at epoch %d >= --epochs=%d; nothing to train.",
                     initial_epoch, epochs)
    writer_checkpoint = os.path.join(writes, "checkpoint.keras")
    callbacks = [
        cb.StopOnNonFiniteLoss(),
        cb.SampleGrid(os.path.join(writes, "samples"), num_samples, seed=seed, every=sample_every),
        cb.CSVLog(os.path.join(writes, "log.csv"), append=initial_epoch > 0, upto_epoch=initial_epoch),
        cb.AtomicCheckpoint(writer_checkpoint),
    ]
    gan.fit(ds, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
            callbacks=callbacks, verbose=verbose, shuffle=False)
    final = os.path.join(writes, "samples_final.png")
    save_image_grid(gan.generate(num_samples, seed=seed), final,
                    title=f"{preset}: step {cb.training_step(gan)}")
    if dist.is_chief:
        print(f"Samples: {os.path.abspath(final)}")
        print(f"Checkpoint: {os.path.abspath(checkpoint)}")
    return gan


def training_stream(batches, seed, batch_size, start_batch=0, max_buffer_bytes=1 << 30):
    """Repeats `batches` forever, reshuffled per pass; pass k's order depends only on (seed, k).

    A seeded `shuffle(reshuffle_each_iteration=True)` draws each pass's order
    from a generator shared by every iterator of the dataset, so the order a
    run sees depends on how many iterators Keras (or a peek at the first
    batch) created before; a resumed run would not see the uninterrupted
    run's order. Here each pass is its own deterministic shuffle, and a
    resumed run starts at `start_batch` without replaying earlier passes.
    tf.data combines op seeds with TensorFlow's global seed, so this sets the
    global seed from `seed` (never to 0: with a global seed of 0, TF cannot
    take a tensor op seed inside a graph-mode dataset function).

    Args:
        batches: An unshuffled, finite dataset of equal batches (`kerasgan.data.load(...,
            shuffle=False)`); the examples each pass drops are the same (< batch_size).
        seed: Integer seed.
        batch_size: Examples per batch.
        start_batch: Index of the first batch to yield (steps already trained).
        max_buffer_bytes: Shuffle-buffer budget; a smaller buffer shuffles less thoroughly.

    Example:
    >>> ds = kerasgan.data.load("mnist", preset="mnist_mlp", shuffle=False)
    >>> stream = kerasgan.train.training_stream(ds, seed=0, batch_size=128, start_batch=938)
    """
    import numpy as np
    import tensorflow as tf

    per_pass = int(batches.cardinality())
    examples = batches.unbatch()
    example_bytes = int(np.prod(examples.element_spec.shape)) * examples.element_spec.dtype.size
    buffer = max(1, min(per_pass * batch_size, max_buffer_bytes // max(1, example_bytes)))
    first_pass, offset = divmod(int(start_batch), per_pass)
    tf.random.set_seed(int(seed) % (2**31 - 1) + 1)

    def one_pass(k):
        pass_seed = tf.constant(int(seed) * 1_000_003, tf.int64) + k
        return examples.shuffle(buffer, seed=pass_seed, reshuffle_each_iteration=False).batch(
            batch_size, drop_remainder=True)

    stream = tf.data.Dataset.counter(first_pass).flat_map(one_pass)
    return stream.skip(offset).prefetch(tf.data.AUTOTUNE)


def load_checkpoint(path):
    """Loads a `.keras` GAN checkpoint with a clear error if it is missing or corrupt (`kerasgan.load_gan`)."""
    from kerasgan.gan import load_gan

    return load_gan(path)


if __name__ == "__main__":
    app.run(main)
