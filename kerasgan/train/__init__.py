r"""Trains a zoo preset and writes a checkpoint, sample grids, a CSV log and final samples.

The library defines no command-line flags (an absl program can import it); the command is
`python -m kerasgan.train` (`kerasgan/train/__main__.py`), whose flags map one to one onto
`TrainConfig`.

Example:
>>> import kerasgan.train
>>> gan = kerasgan.train.train({"preset": "dcgan", "dataset": "fashion_mnist", "epochs": 10,
...                             "steps_per_epoch": 150, "seed": 0}, workdir="runs/dcgan")

The same from the shell:
    python -m kerasgan.train --preset=dcgan --dataset=fashion_mnist \
        --epochs=10 --steps_per_epoch=150 --output_dir=runs/dcgan --seed=0

Several devices (global --batch_size, split across them), several workers, mixed precision:
    python -m kerasgan.train --preset=dcgan --distribution=mirrored --mixed_precision=mixed_bfloat16 \
        --batch_size=256 --epochs=10 --output_dir=runs/dcgan

Writes to the work directory (in multi-worker runs, only the chief writes it):
    checkpoint.keras        the whole GAN (both optimizers' states), atomically, every epoch and
                            every `checkpoint_minutes` within one
    samples/epoch_NNN.png   a grid of generated images per epoch (fixed noise; a conditional
                            preset: one row per class, same noise down each column)
    samples_final.png       the final grid
    log.csv                 per epoch: d_loss, g_loss and the diagnostics (d_real, d_fake,
                            d_grad_norm, g_grad_norm; see kerasgan.GAN's `diagnostics`)
    tensorboard/train/      TensorBoard events (`tensorboard=True`): the log.csv scalars
                            (`epoch_<name>`, step = 0-based epoch), both learning rates and
                            the image `samples`; a resumed run adds files beside the old
    config.json             the options and the preset config used
    sittings.json           each sitting (process) that trained the run: its machine, code,
                            package versions, and the steps and seconds its checkpoints hold

A work directory that already holds a run (any of the files above) is refused unless
`resume=True` (continue it) or `overwrite=True` (replace the run: its files listed above are
removed first; any other file in the directory is kept).

Under TensorFlow on one device the step compiles as `kerasgan.zoo.get` decides for "auto" (XLA,
except convolutional networks on AVX-512 CPUs; `kerasgan.zoo.builder.resolve_jit_compile`);
`overrides={"jit_compile": True}` or `False` chooses.

A resumed run (`resume=True` with a checkpoint in the work directory) continues with the
config its `config.json` recorded. Of the overrides, `jit_compile`, `steps_per_execution` and
`batch_size` apply on resume; any other override that differs from the recorded run is refused
with an error naming it (a checkpoint's networks, losses and optimizers are fixed).
"""

import ast
import dataclasses
import difflib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping

from absl import logging

from kerasgan.train.sittings import SittingLog
from kerasgan.train.stream import training_stream

__all__ = ["TrainConfig", "train", "run", "training_stream", "parse_overrides"]

DISTRIBUTIONS = ("none", "mirrored", "multi_worker")
MIXED_PRECISION = (None, "float32", "mixed_float16", "mixed_bfloat16")
# Overrides a resumed run can take: they set how the loaded GAN is compiled or how the data is
# batched, not what the checkpoint holds.
RESUME_OVERRIDES = ("jit_compile", "steps_per_execution", "batch_size")


@dataclasses.dataclass
class TrainConfig:
    """Options of one training run (the flags of `python -m kerasgan.train`, less --output_dir).

    Attributes:
        preset: Zoo preset to train (see `kerasgan.zoo.names()`).
        dataset: Dataset name or a directory of IDX files or images; default: the preset's.
        data_dir: Where to look for the dataset's local files first.
        split: Dataset split.
        limit: Use only the first N examples.
        epochs: Epochs to train (of `steps_per_epoch` steps when that is set).
        steps_per_epoch: Training steps (generator updates) per epoch; default: one pass.
        batch_size: Real images per training step; default: the preset's.
        seed: Seed for weights, noise and data order.
        overrides: Preset overrides, e.g. `{"loss": "hinge", "learning_rate": 1e-4}`.
        num_samples: Images in each sample grid.
        sample_every: Write a sample grid every N epochs.
        resume: Continue from `<workdir>/checkpoint.keras` if it exists.
        overwrite: Replace a run already in the work directory (only the trainer's own
            files; others are kept). Without it or `resume`, such a directory is refused.
        verbose: Keras fit verbosity.
        distribution: `"none"`, `"mirrored"` or `"multi_worker"` (see `kerasgan.distribution`).
        mixed_precision: None/`"float32"`, `"mixed_float16"` or `"mixed_bfloat16"`.
        cpu_devices: Split the host CPU into N devices.
        tensorboard: Write TensorBoard scalars and sample images to `<workdir>/tensorboard`.
        checkpoint_minutes: Also checkpoint within an epoch after this many minutes since the
            last save (0: at epoch ends only). A run resumed from such a checkpoint finishes
            that epoch first; its log row averages the steps after the checkpoint.
    """

    preset: str
    dataset: str = None
    data_dir: str = None
    split: str = "train"
    limit: int = None
    epochs: int = 1
    steps_per_epoch: int = None
    batch_size: int = None
    seed: int = 0
    overrides: dict = dataclasses.field(default_factory=dict)
    num_samples: int = 64
    sample_every: int = 1
    resume: bool = False
    overwrite: bool = False
    verbose: int = 2
    distribution: str = "none"
    mixed_precision: str = None
    cpu_devices: int = None
    tensorboard: bool = True
    checkpoint_minutes: float = 10.0

    def __post_init__(self):
        _check_options(self)


def train(config, workdir):
    """Trains `config.preset` and writes its outputs to `workdir`; returns the trained GAN.

    Args:
        config: A `TrainConfig`, a dict with its fields (only `preset` is required), or any
            dataclass with those fields.
        workdir: Directory for the checkpoint, sample grids, log and `config.json`.

    Example:
    >>> gan = kerasgan.train.train({"preset": "mnist_mlp", "dataset": "fashion_mnist"}, "runs/mlp")
    """
    config = as_config(config)
    if not workdir:
        raise ValueError(f"Expected a work directory for the run's outputs. Received: workdir={workdir!r}")
    workdir = os.fspath(workdir)
    from kerasgan import distribution as dist_lib

    if config.cpu_devices:
        dist_lib.simulate_cpu_devices(config.cpu_devices)
    dist = dist_lib.setup(config.distribution)
    if config.mixed_precision:
        dist_lib.set_mixed_precision(config.mixed_precision)
    if dist.is_chief:
        _check_workdir(workdir, config)
    writes = workdir if dist.is_chief else tempfile.mkdtemp(prefix=f"kerasgan-worker{dist.task_id}-")
    try:
        with dist.scope():
            return _train(dist, config, workdir, writes)
    finally:
        if writes != workdir:
            # Non-chief workers write (checkpoints read every replica's variables) but keep nothing.
            shutil.rmtree(writes, ignore_errors=True)


def run(preset, output_dir, dataset=None, data_dir=None, split="train", limit=None, epochs=1,
        steps_per_epoch=None, batch_size=None, seed=0, overrides=None, num_samples=64,
        sample_every=1, resume=False, verbose=2, distribution="none", mixed_precision=None,
        cpu_devices=None, tensorboard=True, overwrite=False, checkpoint_minutes=10.0):
    """`train()` with the options as keyword arguments (the flags of `python -m kerasgan.train`).

    Example:
    >>> gan = kerasgan.train.run("mnist_mlp", "runs/mlp", dataset="fashion_mnist", epochs=1)
    """
    config = TrainConfig(
        preset=preset, dataset=dataset, data_dir=data_dir, split=split, limit=limit,
        epochs=epochs, steps_per_epoch=steps_per_epoch, batch_size=batch_size, seed=seed,
        overrides=dict(overrides or {}), num_samples=num_samples, sample_every=sample_every,
        resume=resume, overwrite=overwrite, verbose=verbose, distribution=distribution,
        mixed_precision=mixed_precision, cpu_devices=cpu_devices, tensorboard=tensorboard,
        checkpoint_minutes=checkpoint_minutes)
    return train(config, output_dir)


def as_config(config):
    """`config` (a `TrainConfig`, a dict or a dataclass of its fields) as a `TrainConfig`."""
    if isinstance(config, TrainConfig):
        return config
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        config = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    if not isinstance(config, Mapping):
        raise TypeError(
            "Expected a training config: a kerasgan.train.TrainConfig, a dict or a dataclass "
            f"with its fields. Received: {type(config).__name__}"
        )
    fields = [f.name for f in dataclasses.fields(TrainConfig)]
    unknown = [k for k in config if k not in fields]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), fields, n=1)
            if key == "output_dir":
                hints.append("the output directory is train()'s `workdir` argument")
            elif close:
                hints.append(f"did you mean {close[0]!r} for {key!r}?")
        raise ValueError(
            f"Expected training options among {', '.join(fields)}. Received unknown: "
            f"{', '.join(map(repr, unknown))}" + (f" ({'; '.join(hints)})" if hints else "") + "."
        )
    if "preset" not in config:
        raise ValueError("Expected a training config with a 'preset' (see kerasgan.zoo.names()). "
                         f"Received keys: {', '.join(config) or 'none'}.")
    config = dict(config)
    config["overrides"] = dict(config.get("overrides") or {})
    return TrainConfig(**config)


def _check_options(c):
    from kerasgan import validation

    if not isinstance(c.preset, str) or not c.preset:
        raise validation.argument_error("preset", c.preset, "a preset name",
                                        "See kerasgan.zoo.names().")
    for name in ("epochs", "num_samples", "sample_every"):
        validation.check_positive_int(name, getattr(c, name))
    for name in ("steps_per_epoch", "batch_size", "limit", "cpu_devices"):
        validation.check_positive_int(name, getattr(c, name), allow_none=True)
    if not validation.is_int(c.seed):
        raise validation.argument_error("seed", c.seed, "an integer")
    validation.check_choice("distribution", c.distribution, DISTRIBUTIONS)
    validation.check_choice("mixed_precision", c.mixed_precision, MIXED_PRECISION)
    for name in ("tensorboard", "resume", "overwrite"):
        if not isinstance(getattr(c, name), bool):
            raise validation.argument_error(name, getattr(c, name), "True or False")
    if (isinstance(c.checkpoint_minutes, bool) or not isinstance(c.checkpoint_minutes, (int, float))
            or not c.checkpoint_minutes >= 0):
        raise validation.argument_error("checkpoint_minutes", c.checkpoint_minutes,
                                        "a number of minutes >= 0", "0 saves at epoch ends only.")
    if not isinstance(c.overrides, Mapping):
        raise validation.argument_error("overrides", c.overrides, "a dict of preset overrides",
                                        "Pass e.g. overrides={'latent_dim': 64}.")


def parse_overrides(items):
    """`["key=value", ...]` -> dict, values parsed as Python literals (else kept as strings)."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"Expected an override of the form key=value. Received: {item!r}")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[key] = value
    return overrides


#: The files a run writes in its work directory (glob patterns, relative to it).
RUN_FILES = ("checkpoint.keras", "checkpoint.keras.epoch", "config.json", "log.csv", "sittings.json",
             "samples_final.png", os.path.join("samples", "epoch_*.png"),
             os.path.join("tensorboard", "train", "events.out.tfevents.*"))


def run_files(workdir):
    """The files of a run in `workdir` (those `RUN_FILES` names), sorted."""
    import glob

    found = set()
    for pattern in RUN_FILES:
        found.update(p for p in glob.glob(os.path.join(glob.escape(workdir), pattern))
                     if os.path.isfile(p))
    return sorted(found)


def _check_workdir(workdir, config):
    """Refuses a work directory holding a run unless resuming or overwriting; with
    `overwrite`, removes that run's files (and nothing else)."""
    if os.path.lexists(workdir) and not os.path.isdir(workdir):
        raise FileExistsError(
            f"Expected a directory for the run's outputs. Received: output_dir='{workdir}', "
            "which is a file. Pass another --output_dir.")
    if config.resume:
        return
    found = run_files(workdir) if os.path.isdir(workdir) else []
    if not found:
        return
    if not config.overwrite:
        shown = ", ".join(os.path.relpath(p, workdir) for p in found[:4])
        raise FileExistsError(
            f"Expected an output_dir without an earlier run. Received: '{workdir}', which holds "
            f"one ({shown}{', ...' if len(found) > 4 else ''}). Pass --resume (resume=True) to "
            "continue it, --overwrite (overwrite=True) to replace its files, or another "
            "--output_dir.")
    for path in found:
        os.remove(path)
    logging.info("--overwrite: removed %d files of the earlier run in %s", len(found), workdir)


def _json_value(value):
    """`value` as it reads back from config.json (tuples as lists, unknown objects as strings)."""
    return json.loads(json.dumps(value, default=str))


def _recorded_run(workdir):
    """The `config.json` a previous run wrote in `workdir`, or None."""
    path = os.path.join(workdir, "config.json")
    try:
        with open(path, encoding="utf-8") as f:
            recorded = json.load(f)
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) and isinstance(recorded.get("config"), dict) else None


def _check_resume(config, workdir, recorded, user_overrides):
    """Raises if a resumed run is asked for settings its checkpoint cannot take."""
    if recorded is not None and recorded.get("preset") not in (None, config.preset):
        raise ValueError(
            f"Expected the preset of the run in {workdir} ({recorded['preset']!r}) on resume. "
            f"Received: preset={config.preset!r}. Resume with its own preset, or train "
            "into another work directory."
        )
    refused = []
    if recorded is not None and "seed" in recorded and recorded["seed"] != config.seed:
        refused.append(f"seed={config.seed!r} (the run has {recorded['seed']!r})")
    for key, value in user_overrides.items():
        if key in RESUME_OVERRIDES:
            continue
        if recorded is None:
            refused.append(f"{key}={value!r}")
        elif key not in recorded["config"] or recorded["config"][key] != _json_value(value):
            was = recorded["config"].get(key, "<not set>")
            refused.append(f"{key}={value!r} (the run has {was!r})")
    if refused:
        source = (os.path.join(workdir, "config.json") if recorded is not None
                  else f"no config.json in {workdir} to check them against")
        raise ValueError(
            f"Expected a resumed run to keep the settings of its checkpoint ({source}). Received "
            f"settings it cannot apply: {', '.join(refused)}. On resume only "
            f"{', '.join(RESUME_OVERRIDES)} can change; drop the others, or train into "
            "another work directory."
        )


def _train(dist, c, output_dir, writes):
    import keras

    import kerasgan
    from kerasgan import callbacks as cb
    from kerasgan import validation
    from kerasgan.utils.io import atomic_write_text

    spec = kerasgan.zoo.spec(c.preset)
    checkpoint = os.path.join(output_dir, "checkpoint.keras")
    resuming = c.resume and os.path.exists(checkpoint)
    recorded = _recorded_run(output_dir) if resuming else None
    user = dict(c.overrides)
    if c.batch_size is not None:
        user["batch_size"] = c.batch_size
    if resuming:
        _check_resume(c, output_dir, recorded, user)
    # A resumed run continues with the config it started with (config.json), not the preset's.
    base = dict(recorded["config"]) if recorded is not None else dict(spec.config)
    overrides = dict(user)
    overrides.setdefault("seed", c.seed)
    # The logs (log.csv, TensorBoard) carry D's mean outputs and the gradient norms.
    overrides.setdefault("diagnostics", True)
    default_spe = int(base.get("steps_per_execution", 1) or 1)
    steps_per_epoch = c.steps_per_epoch
    if dist.name != "none" and default_spe > 1 and "steps_per_execution" not in user:
        # Keras' fused multi-step loop failed under MultiWorkerMirroredStrategy (InvalidArgumentError
        # in the while loop, tests/test_distribution.py); fusing is a CPU overhead fix anyway.
        overrides["steps_per_execution"] = 1
        logging.info("steps_per_execution=1 under --distribution=%s (preset default %d)",
                     dist.name, default_spe)
    elif steps_per_epoch and "steps_per_execution" not in user and steps_per_epoch % default_spe:
        # The preset fuses several steps per call for speed; an epoch length that is not a
        # multiple gets the largest fused count that divides it, so each epoch is exact.
        overrides["steps_per_execution"] = math.gcd(default_spe, int(steps_per_epoch))
        logging.info("steps_per_execution=%d (preset default %d does not divide "
                     "--steps_per_epoch=%d)", overrides["steps_per_execution"], default_spe,
                     steps_per_epoch)
    config = {**base, **overrides}
    if resuming:
        gan = kerasgan.load_gan(checkpoint)
        # Applied to the loaded GAN as the run's config (and overrides) say.
        if isinstance(config.get("jit_compile"), bool):
            gan.jit_compile = config["jit_compile"]
        gan.steps_per_execution = int(config.get("steps_per_execution", 1) or 1)
    else:
        gan = kerasgan.zoo.get(c.preset, **overrides)
    step_batch = int(config["batch_size"]) * (
        int(config.get("d_steps", 1)) if config.get("real_batches") == "split" else 1
    )
    validation.check_replicas(step_batch, dist.num_replicas,
                              name=f"a training step of distribution={dist.name!r}")
    dataset = c.dataset or (recorded or {}).get("dataset") or spec.dataset
    ds = kerasgan.data.load(
        dataset,
        image_shape=gan.image_shape,
        value_range=tuple(config["value_range"]),
        batch_size=step_batch,
        split=c.split,
        shuffle=False,  # shuffled below, per pass, so that a resumed run sees the same order
        data_dir=c.data_dir,
        limit=c.limit,
        # A class-conditional GAN trains on (images, labels).
        labels=getattr(gan, "conditioning", None) is not None,
        num_classes=getattr(gan, "num_classes", None),
    )
    class_names = getattr(ds, "class_names", None)
    if not class_names or len(class_names) != getattr(gan, "num_classes", None):
        class_names = None  # rows labelled by class id
    batches_per_pass = int(ds.cardinality())
    if batches_per_pass < 1:
        raise ValueError(f"Expected a dataset of known, finite size. Received: {dataset}, whose "
                         "batches cannot be counted (it may be infinite or of unknown size). "
                         "Check the dataset and --limit.")
    if not steps_per_epoch:
        # One pass over the data, cut to whole compiled executions (Keras would otherwise run
        # up to steps_per_execution - 1 extra steps; GAN.fit rejects such a count).
        spe = int(config.get("steps_per_execution", 1) or 1)
        steps_per_epoch = max(spe, batches_per_pass // spe * spe)
    initial_epoch = 0
    if resuming:
        # The checkpoint's own step count says where it stands (the `.epoch` file beside it is
        # written after it and could lag if the process died in between).
        steps_done = cb.training_step(gan)
        initial_epoch, partial = divmod(steps_done, steps_per_epoch)
        spe = int(config.get("steps_per_execution", 1) or 1)
        if partial % spe:
            raise ValueError(
                f"Expected a checkpoint at a whole number of executions of steps_per_execution="
                f"{spe}. Received: {checkpoint}, which holds {steps_done} training steps. Resume "
                f"with --override=steps_per_execution=N for an N that divides {partial}."
            )
        logging.info("Resuming %s from epoch %d (step %d)", checkpoint, initial_epoch, steps_done)
    else:
        steps_done = partial = 0
    stream = training_stream(ds, c.seed, step_batch, start_batch=steps_done)
    os.makedirs(writes, exist_ok=True)
    atomic_write_text(
        os.path.join(writes, "config.json"),
        json.dumps(
            {"preset": c.preset, "dataset": dataset, "backend": keras.backend.backend(),
             "epochs": c.epochs, "steps_per_epoch": steps_per_epoch, "step_batch_size": step_batch,
             "seed": c.seed, "distribution": dist.name, "num_replicas": dist.num_replicas,
             "mixed_precision": c.mixed_precision, "config": config},
            indent=2, default=str,
        ),
    )
    if initial_epoch >= c.epochs:
        logging.info("Checkpoint is already at epoch %d >= --epochs=%d; nothing to train.",
                     initial_epoch, c.epochs)
    writer_checkpoint = os.path.join(writes, "checkpoint.keras")
    log_dir = os.path.join(writes, "tensorboard") if c.tensorboard else None
    callbacks = [
        cb.StopOnNonFiniteLoss(),
        cb.SampleGrid(os.path.join(writes, "samples"), c.num_samples, seed=c.seed,
                      every=c.sample_every, class_names=class_names, log_dir=log_dir),
        cb.CSVLog(os.path.join(writes, "log.csv"), append=initial_epoch > 0, upto_epoch=initial_epoch),
    ]
    if log_dir is not None:
        # keras.callbacks.TensorBoard's tags, without needing the tensorboard package to write.
        callbacks.append(cb.TensorBoardLog(log_dir))
    sittings = SittingLog(writes, keras.backend.backend(), steps_done)
    callbacks.append(cb.AtomicCheckpoint(writer_checkpoint, every_seconds=60.0 * c.checkpoint_minutes,
                                         on_save=sittings.saved))
    if partial and initial_epoch < c.epochs:
        # A checkpoint from within an epoch: train that epoch's remaining steps first.
        logging.info("Finishing epoch %d: %d of its %d steps remain", initial_epoch + 1,
                     steps_per_epoch - partial, steps_per_epoch)
        gan.fit(stream, epochs=initial_epoch + 1, initial_epoch=initial_epoch,
                steps_per_epoch=steps_per_epoch - partial, callbacks=callbacks,
                verbose=c.verbose, shuffle=False)
        initial_epoch += 1
        stream = training_stream(ds, c.seed, step_batch, start_batch=initial_epoch * steps_per_epoch)
    if initial_epoch < c.epochs and not gan.stop_training:
        gan.fit(stream, epochs=c.epochs, initial_epoch=initial_epoch,
                steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=c.verbose,
                shuffle=False)
    final = os.path.join(writes, "samples_final.png")
    cb.save_samples(gan, final, c.num_samples, seed=c.seed, class_names=class_names,
                    title=f"{c.preset}: step {cb.training_step(gan)}")
    if dist.is_chief:
        print(f"Samples: {os.path.abspath(final)}")
        print(f"Checkpoint: {os.path.abspath(checkpoint)}")
    return gan
