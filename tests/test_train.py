"""End-to-end: the absl trainer command on an IDX directory the test writes."""

import csv
import gzip
import json
import os
import re
import struct
import subprocess
import sys

import keras
import numpy as np
import pytest
from absl import flags

import kerasgan  # (also registers GAN & co. for keras.saving.load_model)
from conftest import TF_GRAPH
from kerasgan import train

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_idx_images(path, images):
    n, h, w = images.shape
    payload = struct.pack(">IIII", 0x00000803, n, h, w) + images.astype(np.uint8).tobytes()
    with gzip.open(path, "wb") as f:
        f.write(payload)


@pytest.fixture(scope="module")
def idx_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(0)
    write_idx_images(d / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (64, 28, 28)))
    return d


@pytest.fixture(scope="module")
def labelled_idx_dir(tmp_path_factory):
    """Fashion-MNIST-named IDX files (images and labels) of random pixels."""
    d = tmp_path_factory.mktemp("labelled_idx")
    rng = np.random.default_rng(0)
    write_idx_images(d / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (40, 28, 28)))
    labels = np.arange(40) % 10
    with gzip.open(d / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x00000801, 40) + labels.astype(np.uint8).tobytes())
    return d


def _tensorboard_events(directory):
    """{tag: {step: (plugin, value)}} of the TensorBoard event files under `directory`."""
    import tensorflow as tf

    tags = {}
    for root, _, files in os.walk(directory):
        for name in sorted(files):
            if name.startswith("events.out.tfevents"):
                for event in tf.compat.v1.train.summary_iterator(os.path.join(root, name)):
                    for value in event.summary.value:
                        tags.setdefault(value.tag, {})[event.step] = (
                            value.metadata.plugin_data.plugin_name, tf.make_ndarray(value.tensor))
    return tags


def _train(args, env_extra=None, timeout=300):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERASGAN_NO_DOWNLOAD="1", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "kerasgan.train", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_trainer_fuses_mnist_mlp_steps_and_resumes_exactly(idx_dir, tmp_path):
    """mnist_mlp's default of 4 steps per call: epochs stay exact, resume continues the count."""
    out = tmp_path / "fused"
    common = dict(dataset=str(idx_dir), steps_per_epoch=4, batch_size=8, seed=0, num_samples=4,
                  overrides={"g_widths": (16,), "d_widths": (16,), **TF_GRAPH}, verbose=0)
    gan = train.run("mnist_mlp", str(out), epochs=2, **common)
    assert gan.steps_per_execution == 4
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 8
    gan = train.run("mnist_mlp", str(out), epochs=3, resume=True, **common)
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 12
    # The resumed run adds its epoch to TensorBoard; the earlier epochs stay.
    events = _tensorboard_events(out / "tensorboard")
    assert sorted(events["epoch_g_loss"]) == [0, 1, 2]
    assert sorted(events["samples"]) == [0, 1, 2]
    # An epoch length that 4 does not divide gets a dividing count (here 2), not extra steps.
    gan = train.run("mnist_mlp", str(tmp_path / "odd"), epochs=1, **{**common, "steps_per_epoch": 6})
    assert gan.steps_per_execution == 2
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 6


@pytest.mark.backend_neutral("jax")  # flags only
def test_help_documents_every_flag():
    from kerasgan.train.__main__ import define_flags

    fv = flags.FlagValues()
    define_flags(fv)
    text = fv.get_help()  # what --helpfull prints of the command's flags
    for flag in ("preset", "dataset", "epochs", "steps_per_epoch", "batch_size", "output_dir",
                 "seed", "backend", "override", "resume", "overwrite", "tensorboard",
                 "checkpoint_minutes"):
        assert f"--{flag}" in text or f"--[no]{flag}" in text, flag


@pytest.fixture
def parse_flags():
    """Parses trainer flags on a fresh FlagValues (the command's own definitions)."""
    from kerasgan.train.__main__ import define_flags

    fv = flags.FlagValues()
    define_flags(fv)
    return lambda args: fv(["kerasgan.train", *args])


@pytest.mark.parametrize(
    "args, error, message",
    [
        (["--epochs=0"], flags.IllegalFlagValueError, "--epochs must be >= 1"),
        (["--batch_size=0"], flags.IllegalFlagValueError, "--batch_size must be >= 1"),
        (["--steps_per_epoch=-2"], flags.IllegalFlagValueError, "--steps_per_epoch must be >= 1"),
        (["--backend=torch"], flags.IllegalFlagValueError, "one of <tensorflow|jax>"),
        (["--no_such_flag=1"], flags.UnrecognizedFlagError, "no_such_flag"),
        (["--epochs=two"], flags.IllegalFlagValueError, "epochs"),
    ],
)
def test_bad_flags_fail_clearly(parse_flags, args, error, message):
    with pytest.raises(error, match=message):
        parse_flags(["--preset=mnist_mlp", "--output_dir=/tmp/x", *args])


def test_bad_override_syntax():
    with pytest.raises(Exception, match="key=value"):
        train.parse_overrides(["novalue"])
    assert train.parse_overrides(["lr=1e-4", "loss=hinge", "widths=(1, 2)"]) == {
        "lr": 1e-4, "loss": "hinge", "widths": (1, 2)}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"preset": "mnist_mpl"}, "Did you mean 'mnist_mlp'"),
        ({"preset": "mnist_mlp", "overrides": {"learning_rat": 1}}, "did you mean 'learning_rate'"),
    ],
)
def test_bad_preset_or_override_writes_nothing(kwargs, message, tmp_path, idx_dir):
    with pytest.raises(ValueError, match=message):
        train.run(output_dir=str(tmp_path / "o"), dataset=str(idx_dir), limit=16, **kwargs)
    assert not (tmp_path / "o").exists()


_USER_PROGRAM = """
from absl import app, flags

flags.DEFINE_integer("epochs", 7, "The user's own flag.")
flags.DEFINE_integer("seed", 1, "The user's own flag.")

import kerasgan.train  # noqa: E402
import kerasgan.train.__main__  # noqa: E402,F401  (the command module defines flags only as __main__)


def main(argv):
    print("epochs", flags.FLAGS.epochs, "seed", flags.FLAGS.seed, callable(kerasgan.train.train))


app.run(main)
"""


@pytest.mark.backend_neutral("jax")  # flags only
def test_an_absl_program_with_its_own_flags_imports_the_trainer():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-c", _USER_PROGRAM, "--epochs=3"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epochs 3 seed 1 True" in result.stdout


def test_conditional_preset_writes_class_per_row_grids(labelled_idx_dir, tmp_path, monkeypatch):
    from kerasgan import callbacks

    grids = []
    original = callbacks.save_image_grid

    def spy(images, path, title=None, columns=None, row_labels=None):
        grids.append((os.path.basename(path), np.shape(images), columns, row_labels))
        return original(images, path, title=title, columns=columns, row_labels=row_labels)

    monkeypatch.setattr(callbacks, "save_image_grid", spy)
    out = tmp_path / "cdcgan"
    train.run("cdcgan", str(out), dataset="fashion_mnist", data_dir=str(labelled_idx_dir),
              epochs=1, steps_per_epoch=1, batch_size=8, verbose=0, tensorboard=False,
              overrides={"base_filters": 4, **TF_GRAPH})
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
             "Bag", "Ankle boot"]
    assert [g[0] for g in grids] == ["epoch_001.png", "samples_final.png"]
    for _, shape, columns, row_labels in grids:
        assert shape == (10 * 8, 28, 28, 1) and columns == 8
        assert [n.lower() for n in row_labels] == [n.lower() for n in names]
    assert (out / "samples" / "epoch_001.png").exists() and not (out / "tensorboard").exists()


def test_train_takes_a_plain_config(idx_dir, tmp_path):
    import dataclasses

    @dataclasses.dataclass
    class MyConfig:  # a user's own dataclass with (some of) TrainConfig's fields
        preset: str = "mnist_mlp"
        dataset: str = str(idx_dir)
        epochs: int = 2
        steps_per_epoch: int = 1
        batch_size: int = 8
        overrides: dict = dataclasses.field(
            default_factory=lambda: {"g_widths": (16,), "d_widths": (16,), **TF_GRAPH})
        num_samples: int = 4
        verbose: int = 0

    gan = train.train(MyConfig(), tmp_path / "run")
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 2
    assert (tmp_path / "run" / "checkpoint.keras").exists()
    assert isinstance(kerasgan.load_gan(tmp_path / "run" / "checkpoint.keras"), kerasgan.GAN)


@pytest.mark.backend_neutral("jax")  # the process runs JAX whatever the suite's backend
@pytest.mark.parametrize("started_under", [
    "jax",
    # The command restarts itself under --backend (test_a_backend_flag_restarts_the_command
    # checks how, in-process); end to end, that costs a TensorFlow import more.
    pytest.param("tensorflow", marks=pytest.mark.slow),
])
def test_trainer_two_steps_writes_everything(idx_dir, tmp_path, started_under):
    # The JAX trainer from the command line (the in-process tests cover the TensorFlow trainer).
    out = tmp_path / "run"
    result = _train([
        "--preset=mnist_mlp", f"--dataset={idx_dir}", "--epochs=2", "--steps_per_epoch=1",
        "--batch_size=8", f"--output_dir={out}", "--seed=3", "--backend=jax", "--num_samples=4",
        # test_train_takes_a_plain_config's networks: under JAX the step is compiled already.
        "--override=g_widths=(16,)", "--override=d_widths=(16,)",
    ], env_extra={"KERAS_BACKEND": started_under})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Samples: " in result.stdout
    for name in ("checkpoint.keras", "samples_final.png", "log.csv", "config.json",
                 "samples/epoch_001.png", "samples/epoch_002.png"):
        assert (out / name).exists(), name
    with open(out / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert all(np.isfinite(float(r["d_loss"])) and np.isfinite(float(r["g_loss"])) for r in rows)
    diagnostics = ("d_real", "d_fake", "d_grad_norm", "g_grad_norm")
    assert all(np.isfinite(float(r[k])) for r in rows for k in diagnostics)
    # TensorBoard (on by default): the CSV's scalars per epoch (step 0, 1) and the sample grids.
    events = _tensorboard_events(out / "tensorboard")
    for name in ("d_loss", "g_loss") + diagnostics:
        scalars = events[f"epoch_{name}"]
        assert sorted(scalars) == [0, 1] and scalars[0][0] == "scalars", name
        np.testing.assert_allclose([float(scalars[e][1]) for e in (0, 1)],
                                   [float(r[name]) for r in rows], rtol=1e-5)
    assert sorted(events["samples"]) == [0, 1] and events["samples"][1][0] == "images"
    assert events["samples"][1][1][2] == (out / "samples" / "epoch_002.png").read_bytes()
    gan = keras.saving.load_model(out / "checkpoint.keras")
    assert int(gan.g_optimizer.iterations) == 2
    assert (out / "samples_final.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The run happened under the backend --backend named.
    assert json.loads((out / "config.json").read_text())["backend"] == "jax"


@pytest.mark.backend_neutral
def test_a_backend_flag_restarts_the_command(monkeypatch):
    """--backend other than the process's: the command starts again, the same arguments, with
    KERAS_BACKEND set (the backend is fixed at keras' first import)."""
    from kerasgan.train import __main__ as command

    other = "jax" if keras.backend.backend() == "tensorflow" else "tensorflow"
    argv = ["kerasgan/train/__main__.py", "--preset=mnist_mlp", "--output_dir=/tmp/x",
            f"--backend={other}"]
    fv = flags.FlagValues()
    command.define_flags(fv)
    fv(argv)
    monkeypatch.setattr(command, "FLAGS", fv)
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setenv("KERAS_BACKEND", keras.backend.backend())
    started = []

    class Restarted(Exception):
        pass

    def execve(path, args, env):
        started.append((path, args, env))
        raise Restarted

    monkeypatch.setattr(command.os, "execve", execve)
    with pytest.raises(Restarted):
        command.main(["kerasgan.train"])
    [(path, args, env)] = started
    assert path == sys.executable
    assert args == [sys.executable, "-m", "kerasgan.train", *argv[1:]]
    assert env["KERAS_BACKEND"] == other


@pytest.mark.parametrize(
    "config, message",
    [
        ({"preset": "mnist_mlp", "output_dir": "x"}, "`workdir` argument"),
        ({"preset": "mnist_mlp", "epoch": 2}, "did you mean 'epochs'"),
        ({"dataset": "mnist"}, "with a 'preset'"),
        ({"preset": "mnist_mlp", "epochs": 0}, r"Expected epochs to be a positive integer\. Received: epochs=0 \(int\)"),
        ({"preset": "mnist_mlp", "distribution": "ring"}, "Expected distribution to be one of"),
        ("mnist_mlp", "Expected a training config"),
    ],
)
def test_bad_train_config_fails_clearly(config, message, tmp_path):
    with pytest.raises((ValueError, TypeError), match=message):
        train.train(config, tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_resume_applies_compile_overrides_and_refuses_the_others(idx_dir, tmp_path):
    out = tmp_path / "run"
    tiny = {"g_widths": (16,), "d_widths": (16,)}
    common = dict(dataset=str(idx_dir), steps_per_epoch=2, batch_size=8, seed=0, num_samples=4,
                  verbose=0)
    train.run("mnist_mlp", str(out), epochs=1, overrides=tiny, **common)
    before = (out / "checkpoint.keras").read_bytes()
    # An override the checkpoint cannot take is refused by name, before anything is written.
    with pytest.raises(ValueError, match=r"loss='hinge' \(the run has 'non_saturating'\)"):
        train.run("mnist_mlp", str(out), epochs=2, resume=True,
                  overrides={**tiny, "loss": "hinge"}, **common)
    with pytest.raises(ValueError, match=r"seed=5 \(the run has 0\)"):
        train.run("mnist_mlp", str(out), epochs=2, resume=True, **{**common, "seed": 5})
    assert (out / "checkpoint.keras").read_bytes() == before
    # The run's own overrides (repeated or left out) and compile options are fine; the latter apply.
    gan = train.run("mnist_mlp", str(out), epochs=2, resume=True,
                    overrides={**tiny, "jit_compile": False, "steps_per_execution": 1}, **common)
    assert gan.jit_compile is False and gan.steps_per_execution == 1
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 4
    gan = train.run("mnist_mlp", str(out), epochs=3, resume=True, **common)
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 6
    recorded = json.loads((out / "config.json").read_text())["config"]
    assert recorded["g_widths"] == [16] and recorded["steps_per_execution"] == 1


def _files(directory):
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*")
            if p.is_file()}


def test_an_output_dir_holding_a_run_is_refused_unless_resume_or_overwrite(idx_dir, tmp_path):
    out = tmp_path / "run"
    (out / "samples").mkdir(parents=True)
    (out / "notes.txt").write_text("the user's own notes")
    (out / "samples" / "picked.png").write_bytes(b"the user's own file")
    common = dict(dataset=str(idx_dir), epochs=1, steps_per_epoch=1, batch_size=8, num_samples=4,
                  verbose=0, tensorboard=False,
                  overrides={"g_widths": (16,), "d_widths": (16,), **TF_GRAPH})
    # Other files are no run: the trainer adds its own beside them.
    train.run("mnist_mlp", str(out), seed=0, **common)
    assert (out / "checkpoint.keras").exists() and (out / "notes.txt").exists()
    before = _files(out)
    with pytest.raises(FileExistsError, match=(
            rf"Expected an output_dir without an earlier run\. Received: '{re.escape(str(out))}', "
            r"which holds one \(checkpoint\.keras, .*\)\. Pass --resume \(resume=True\) to continue "
            r"it, --overwrite \(overwrite=True\) to replace its files, or another --output_dir")):
        train.run("mnist_mlp", str(out), seed=1, **common)
    assert _files(out) == before, "a refused run changed the directory"
    # --overwrite: a new run (seed 1, from step 0) replaces the trainer's files, keeps the others.
    gan = train.run("mnist_mlp", str(out), seed=1, overwrite=True, **common)
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 1
    after = _files(out)
    assert json.loads(after["config.json"])["seed"] == 1
    assert after["checkpoint.keras"] != before["checkpoint.keras"]
    assert after["notes.txt"] == before["notes.txt"]
    assert after[os.path.join("samples", "picked.png")] == b"the user's own file"
    assert sorted(after) == sorted(before)


@pytest.mark.parametrize("minutes", [1e-9, 0])
def test_a_run_crashed_mid_epoch_resumes_from_its_timed_checkpoint_bit_exact(
        idx_dir, tmp_path, monkeypatch, minutes):
    """checkpoint_minutes saves within an epoch; resuming finishes that epoch, then goes on."""
    from kerasgan import callbacks as cb

    common = dict(dataset=str(idx_dir), epochs=2, steps_per_epoch=6, batch_size=8, seed=1,
                  num_samples=4, verbose=0, tensorboard=False,
                  overrides={"g_widths": (16,), "d_widths": (16,), "steps_per_execution": 1,
                             "learning_rate": 1e-3, **TF_GRAPH})
    # The uninterrupted run (what the resumed run must match; with no timed checkpoint, nothing
    # resumes).
    reference = train.run("mnist_mlp", str(tmp_path / "straight"), **common) if minutes else None

    def crash_at_step_4(self, batch, logs=None):  # runs before the checkpoint's own hook
        if batch == 3:
            raise RuntimeError("simulated crash")

    out = tmp_path / "crashed"
    with monkeypatch.context() as m:
        m.setattr(cb.StopOnNonFiniteLoss, "on_train_batch_end", crash_at_step_4, raising=False)
        with pytest.raises(RuntimeError, match="simulated crash"):
            train.run("mnist_mlp", str(out), checkpoint_minutes=minutes, **common)
    if not minutes:  # epoch-end checkpoints only: the crash in epoch 1 left none
        assert not (out / "checkpoint.keras").exists()
        return
    assert not (out / "checkpoint.keras.epoch").exists()  # no epoch had finished
    assert cb.training_step(kerasgan.load_gan(out / "checkpoint.keras")) == 3
    resumed = train.run("mnist_mlp", str(out), resume=True, checkpoint_minutes=minutes, **common)
    assert cb.training_step(resumed) == 12
    # Two sittings, each with the steps its checkpoints hold, its machine and its code.
    sittings = json.loads((out / "sittings.json").read_text())
    assert [(s["first_step"], s["last_step"]) for s in sittings] == [(0, 3), (3, 12)]
    for s in sittings:
        assert s["backend"] == keras.backend.backend() and s["machine"]["cores"] >= 1
        assert s["train_seconds"] > 0 and s["versions"]["keras"] and "commit" in s["code"]
    straight = json.loads((tmp_path / "straight" / "sittings.json").read_text())
    assert [(s["first_step"], s["last_step"]) for s in straight] == [(0, 12)]
    assert (out / "checkpoint.keras.epoch").read_text() == "2\n"
    rows = list(csv.DictReader((out / "log.csv").open()))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    want = reference.trainable_variables + reference.non_trainable_variables
    got = resumed.trainable_variables + resumed.non_trainable_variables
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(g), keras.ops.convert_to_numpy(w),
                                      err_msg=g.path)
    # A checkpoint from before sittings were recorded: its steps are listed as unrecorded.
    (out / "sittings.json").unlink()
    train.run("mnist_mlp", str(out), resume=True, **{**common, "epochs": 3})
    sittings = json.loads((out / "sittings.json").read_text())
    assert sittings[0] == {"first_step": 0, "last_step": 12, "unrecorded": True}
    assert (sittings[1]["first_step"], sittings[1]["last_step"]) == (12, 18)
    # Resuming a finished run trains no step and records no sitting.
    train.run("mnist_mlp", str(out), resume=True, **{**common, "epochs": 3})
    assert json.loads((out / "sittings.json").read_text()) == sittings
