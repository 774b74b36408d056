"""Checkpoint and resume: a trainer killed with SIGKILL and resumed ends where an uninterrupted run ends."""

import gzip
import os
import signal
import struct
import subprocess
import sys
import time

import numpy as np
from conftest import TF_GRAPH, child_pythonpath, jax_slow

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EPOCHS = 4
TRAIN_ARGS = dict(preset="mnist_mlp", epochs=EPOCHS, steps_per_epoch=5, batch_size=8, limit=48,
                  seed=3, num_samples=4, verbose=0,
                  overrides={"g_widths": (32,), "d_widths": (32,), "learning_rate": 1e-3,
                             **TF_GRAPH})


def write_idx_images(directory, n=48, seed=0, size=(28, 28)):
    """Writes `train-images-idx3-ubyte.gz` (magic 0x00000803) of random uint8 images."""
    os.makedirs(directory, exist_ok=True)
    images = np.random.default_rng(seed).integers(0, 256, (n,) + tuple(size), dtype=np.uint8)
    path = os.path.join(directory, "train-images-idx3-ubyte.gz")
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">I", 0x00000803) + struct.pack(">III", n, *size) + images.tobytes())
    return path


def _cli_args(data, output_dir):
    a = TRAIN_ARGS
    args = [sys.executable, "-m", "kerasgan.train", f"--preset={a['preset']}", f"--dataset={data}",
            f"--output_dir={output_dir}", f"--epochs={a['epochs']}",
            f"--steps_per_epoch={a['steps_per_epoch']}", f"--batch_size={a['batch_size']}",
            f"--limit={a['limit']}", f"--seed={a['seed']}", f"--num_samples={a['num_samples']}",
            "--verbose=0"]
    return args + [f"--override={k}={v!r}" for k, v in a["overrides"].items()]


def _env():
    import keras

    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend(), TF_CPP_MIN_LOG_LEVEL="2",
               KERASGAN_NO_DOWNLOAD="1", PYTHONPATH=child_pythonpath(ROOT))
    env.pop("TF_CONFIG", None)
    return env


def _state(gan):
    """Every value a resumed run must restore: weights, both optimizers, the noise RNG."""
    import keras

    variables = gan.trainable_variables + gan.non_trainable_variables + gan.optimizer.variables
    # In order, not by path: paths carry auto-numbered names that differ between processes.
    return [(v.path, np.array(keras.ops.convert_to_numpy(v))) for v in variables]


def _epoch(output_dir):
    try:
        with open(os.path.join(output_dir, "checkpoint.keras.epoch")) as f:
            return int(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


@jax_slow("test_train.py::test_a_run_crashed_mid_epoch_resumes_from_its_timed_checkpoint_bit_exact "
          "resumes JAX runs bit-exact in process; test_faults.py kills a checkpoint write")
def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path, graph_optimizer_on):
    import kerasgan
    from kerasgan import train

    data = tmp_path / "idx"
    write_idx_images(data)
    killed_dir = tmp_path / "killed"

    proc = subprocess.Popen(_cli_args(data, killed_dir), env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 150
        while _epoch(killed_dir) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, f"trainer ended before the kill:\n{proc.stderr.read()[-4000:]}"
        assert _epoch(killed_dir) >= 2, "no epoch-2 checkpoint within the time limit"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    killed_at = _epoch(killed_dir)
    assert 2 <= killed_at < EPOCHS, killed_at
    # The killed run left only complete files: the checkpoint loads, no temporary files remain.
    assert not [p for p in os.listdir(killed_dir) if ".tmp" in p]
    at_kill = _state(kerasgan.load_gan(str(killed_dir / "checkpoint.keras")))
    seed_state = [v for k, v in at_kill if k.endswith("seed_generator_state")]
    assert seed_state and seed_state[0][1] > 0, "the noise RNG state is not in the checkpoint"

    # Resumed from what the killed process left on disk (here: a process that never trained this
    # run), then the uninterrupted reference run.
    train.run(output_dir=str(killed_dir), dataset=str(data), resume=True, **TRAIN_ARGS)
    reference = train.run(output_dir=str(tmp_path / "straight"), dataset=str(data), **TRAIN_ARGS)
    assert _epoch(killed_dir) == EPOCHS
    log = (killed_dir / "log.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in log[1:]] == [str(e) for e in range(1, EPOCHS + 1)]

    want = _state(reference)
    got = _state(kerasgan.load_gan(str(killed_dir / "checkpoint.keras")))
    assert len(got) == len(want)
    steps = TRAIN_ARGS["steps_per_epoch"] * EPOCHS
    assert int(reference.g_optimizer.iterations) == steps
    for (path, value), (_, expected) in zip(got, want):
        np.testing.assert_allclose(value, expected, rtol=0, atol=1e-6, err_msg=path)
