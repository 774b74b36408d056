"""Faults a run meets on a real machine: a process killed or interrupted mid-write, a missing,
damaged or foreign checkpoint, a full disk, float16 arithmetic. Each leaves the last good file
whole and says what happened."""

import errno
import glob
import os
import signal
import subprocess
import sys
import time
import re
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import child_pythonpath, random_images, tiny_mlp_gan

import kerasgan
from kerasgan import callbacks as cb
from kerasgan import export
from kerasgan.utils import io

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Saves (or exports) the same tiny GAN again and again, each time with the generator's output
# bias set to k; prints "writing k" before and "wrote k" after each write. Its disk is slow: each
# fsync takes 20 ms more, so a write stays in progress long enough for the test to see it on a
# loaded machine (without it, a tiny write can finish between two polls every time).
WRITER = r"""
import os
import sys
import time
import numpy as np
_fsync = os.fsync
def slow_fsync(fd):
    _fsync(fd)
    time.sleep(0.02)
os.fsync = slow_fsync
sys.path.insert(0, sys.argv[3])
from conftest import tiny_mlp_gan
from kerasgan import callbacks, export

kind, path = sys.argv[1], sys.argv[2]
gan = tiny_mlp_gan(seed=0, output_range=(0.0, 1.0))
gan.compile()
bias = [w for w in gan.generator.weights if "bias" in w.path][-1]
for k in range(1, 10_000):
    bias.assign(np.full(bias.shape, 0.01 * k, "float32"))
    print("writing", k, flush=True)
    if kind == "checkpoint":
        callbacks.save_model(gan, path)
    else:
        export.export_generator(gan, path, overwrite=True)
    print("wrote", k, flush=True)
"""


def _bias_of(gan):
    return [w for w in gan.generator.weights if "bias" in w.path][-1]


def _kill_while_writing(kind, path, in_progress, tmp_path, timeout=240):
    """Runs WRITER until write 2 is under way (`in_progress()` true), kills it with SIGKILL;
    returns the k of every write that had started."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=child_pythonpath(ROOT))
    log = tmp_path / f"{kind}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", WRITER, kind, str(path),
                                 os.path.join(ROOT, "tests")],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while "wrote 1" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, f"the writer ended early:\n{log.read_text()[-3000:]}"
            time.sleep(0.05)
        assert "wrote 1" in log.read_text(), "no complete write within the time limit"
        while not in_progress() and time.monotonic() < deadline:
            assert proc.poll() is None, f"the writer ended early:\n{log.read_text()[-3000:]}"
            time.sleep(0.001)
        assert in_progress(), "no write in progress within the time limit"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return [int(line.split()[1]) for line in log.read_text().splitlines()
            if line.startswith("writing ")]


@pytest.mark.backend_neutral("jax")  # a file write; the writer process runs the pass's backend
def test_sigkill_during_a_checkpoint_write_leaves_the_previous_checkpoint_whole(tmp_path):
    path = tmp_path / "checkpoint.keras"

    def writing():
        return bool(glob.glob(str(tmp_path / ".checkpoint.keras.*.tmp.keras")))

    started = _kill_while_writing("checkpoint", path, writing, tmp_path)
    gan = kerasgan.load_gan(path)  # whole: it loads
    k = round(float(keras.ops.convert_to_numpy(_bias_of(gan))[0]) / 0.01)
    assert k in started[:-1] or k == started[-1], (k, started)
    assert k >= 1


@pytest.mark.backend_neutral  # a directory write; the writer process runs the pass's backend
def test_sigkill_during_an_export_leaves_the_previous_export_whole(tmp_path):
    import tensorflow as tf

    path = tmp_path / "generator"

    def writing():
        return bool(glob.glob(str(tmp_path / ".generator.tmp-*")))

    started = _kill_while_writing("export", path, writing, tmp_path)
    assert export.is_export(path)
    served = tf.saved_model.load(str(path))
    images = served.signatures["serving_default"](noise=tf.zeros((1, 8)))["images"].numpy()
    # Every pixel of a zero-noise image comes from the output bias, 0.01 * k of one whole write.
    reference = tiny_mlp_gan(seed=0, output_range=(0.0, 1.0))
    candidates = []
    for k in started:
        _bias_of(reference).assign(np.full(_bias_of(reference).shape, 0.01 * k, "float32"))
        candidates.append(keras.ops.convert_to_numpy(
            reference.generator(np.zeros((1, 8), "float32"), training=False)))
    assert any(np.allclose(images, c, atol=1e-5) for c in candidates), "not a whole export"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    gan = tiny_mlp_gan(seed=1)
    gan.compile()
    gan.fit(random_images(8), batch_size=4, verbose=0)
    path = tmp_path_factory.mktemp("ckpt") / "checkpoint.keras"
    cb.save_model(gan, path)
    return path


def test_a_corrupted_checkpoint_is_refused_with_its_name(checkpoint, tmp_path):
    """Bytes flipped inside the archive's weights (a bad disk or copy; truncation and garbage:
    tests/test_hardening.py)."""
    with zipfile.ZipFile(checkpoint) as z:
        info = z.getinfo("model.weights.h5")
    data = bytearray(checkpoint.read_bytes())
    middle = info.header_offset + len(info.filename) + 30 + info.compress_size // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path = tmp_path / "checkpoint.keras"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"Expected a loadable \.keras checkpoint\. Received: "
                                         r".*checkpoint\.keras, which is corrupt or truncated"):
        kerasgan.load_gan(path)


# ----------------------------------------- damaged checkpoints and interrupted saves


def test_load_checkpoint_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Expected a checkpoint file\. Received: .*nothing\.keras, which does not exist"):
        kerasgan.load_gan(str(tmp_path / "nothing.keras"))


def test_load_checkpoint_garbage(tmp_path):
    path = tmp_path / "checkpoint.keras"
    path.write_bytes(b"this is not a zip archive" * 10)
    with pytest.raises(ValueError, match=r"Expected a loadable \.keras checkpoint\. Received: " + re.escape(str(path)) + r", which is corrupt or truncated"):
        kerasgan.load_gan(str(path))


@pytest.mark.parametrize("fraction", [0.5, 0.95])
def test_load_checkpoint_truncated(checkpoint, tmp_path, fraction):
    data = Path(checkpoint).read_bytes()
    path = tmp_path / "checkpoint.keras"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match=r"Expected a loadable \.keras checkpoint\. Received: " + re.escape(str(path)) + r", which is corrupt or truncated.*Delete it"):
        kerasgan.load_gan(str(path))


def test_load_checkpoint_wrong_kind_of_file(checkpoint, tmp_path):
    with pytest.raises(ValueError, match=r"Expected a \.keras checkpoint file.*Received: .*ckpt\.h5"):
        (tmp_path / "ckpt.h5").write_bytes(Path(checkpoint).read_bytes())
        kerasgan.load_gan(str(tmp_path / "ckpt.h5"))
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.save(tmp_path / "plain.keras")
    with pytest.raises(ValueError, match=r"Expected a kerasgan\.GAN checkpoint\. Received: .*plain\.keras, which holds a Sequential"):
        kerasgan.load_gan(str(tmp_path / "plain.keras"))
    assert isinstance(kerasgan.load_gan(str(checkpoint)), kerasgan.GAN)


def _temporaries(target):
    """Non-empty temporary files beside `target` (what an interrupted writer has written)."""
    directory = os.path.dirname(target)
    return [p for p in os.listdir(directory)
            if ".tmp" in p and os.path.getsize(os.path.join(directory, p)) > 0]


def _interrupt_checkpoint(monkeypatch, target, seen):
    gan = kerasgan.load_gan(target)
    gan.fit(random_images(8, seed=3), batch_size=4, verbose=0)  # new weights to save
    real = zipfile.ZipFile.writestr

    def writestr(self, *args, **kwargs):
        # Keras has written metadata and config into the temporary archive; stop before the weights.
        seen["partial"] = _temporaries(target)
        raise KeyboardInterrupt("interrupted mid-save")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    try:
        callback = cb.AtomicCheckpoint(target)
        callback.set_model(gan)
        callback.on_epoch_end(0, {"d_loss": 0.5, "g_loss": 0.5})
    finally:
        monkeypatch.setattr(zipfile.ZipFile, "writestr", real)


def _interrupt_grid(monkeypatch, target, seen):
    import matplotlib.figure

    real = matplotlib.figure.Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n half")
        seen["partial"] = _temporaries(target)
        raise KeyboardInterrupt("interrupted mid-save")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    try:
        kerasgan.plotting.save_image_grid(random_images(4), target, title="new")
    finally:
        monkeypatch.setattr(matplotlib.figure.Figure, "savefig", real)


def _interrupt_log(monkeypatch, target, seen):
    def fsync(path):
        # The new CSV is complete in the temporary file; stop before the rename.
        seen["partial"] = _temporaries(target)
        raise KeyboardInterrupt("interrupted mid-save")

    monkeypatch.setattr(io, "_fsync", fsync)
    log = cb.CSVLog(target, append=True)
    log.on_epoch_end(1, {"d_loss": 0.1, "g_loss": 0.2})


@pytest.mark.parametrize(
    "name, interrupt",
    [("checkpoint.keras", _interrupt_checkpoint), ("samples.png", _interrupt_grid), ("log.csv", _interrupt_log)],
    ids=["checkpoint", "sample-grid", "csv-log"],
)
def test_interrupted_save_keeps_the_old_file(checkpoint, tmp_path, monkeypatch, name, interrupt):
    target = str(tmp_path / name)
    if name.endswith(".keras"):
        Path(target).write_bytes(Path(checkpoint).read_bytes())
    elif name.endswith(".png"):
        kerasgan.plotting.save_image_grid(random_images(4, seed=1), target, title="old")
    else:
        log = cb.CSVLog(target)
        log.on_epoch_end(0, {"d_loss": 1.0, "g_loss": 2.0})
    before = Path(target).read_bytes()
    seen = {}
    with pytest.raises(KeyboardInterrupt, match="interrupted mid-save"):
        interrupt(monkeypatch, target, seen)
    assert len(seen["partial"]) == 1, "the interruption did not hit a partly written temporary"
    assert Path(target).read_bytes() == before, "the old file was changed"
    assert os.listdir(tmp_path) == [name], "a temporary file was left behind"
    if name.endswith(".keras"):
        np.testing.assert_array_equal(kerasgan.load_gan(target).generate(2, seed=0),
                                      kerasgan.load_gan(str(checkpoint)).generate(2, seed=0))


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _leftovers(directory):
    return [p for p in os.listdir(directory) if p.startswith(".")]


def test_full_disk_during_a_checkpoint_write_keeps_the_previous_checkpoint(checkpoint, tmp_path,
                                                                           monkeypatch):
    path = tmp_path / "checkpoint.keras"
    path.write_bytes(checkpoint.read_bytes())
    gan = kerasgan.load_gan(path)
    # The disk fills up while the archive's weights are written (Keras' zip writes).
    monkeypatch.setattr(zipfile.ZipFile, "writestr", _no_space)
    with pytest.raises(OSError, match=r"(?s)Expected room to write '.*checkpoint\.keras'\. "
                                      r"Received: .*No space left on device.*unchanged.*"
                                      r"Free disk space") as info:
        cb.save_model(gan, path)
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == checkpoint.read_bytes()
    assert not _leftovers(tmp_path), "a half-written file was left behind"


def test_full_disk_during_a_text_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    io.atomic_write_text(path, "epoch,d_loss\n1,0.5\n")

    class FullFile:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, text):
            self.file.write(text[: len(text) // 2])
            _no_space()

    real_open = open
    monkeypatch.setattr(io, "open", lambda *a, **k: FullFile(real_open(*a, **k)), raising=False)
    with pytest.raises(OSError, match=r"Expected room to write '.*log\.csv'") as info:
        io.atomic_write_text(path, "epoch,d_loss\n1,0.5\n2,0.4\n")
    assert info.value.errno == errno.ENOSPC
    assert path.read_text() == "epoch,d_loss\n1,0.5\n"
    assert not _leftovers(tmp_path)


def test_full_disk_during_an_export_keeps_the_previous_export(tmp_path, monkeypatch):
    gan = tiny_mlp_gan(seed=1)
    gan.compile()
    path = export.export_generator(gan, tmp_path / "generator")
    before = {p: open(p, "rb").read() for p in glob.glob(f"{path}/**", recursive=True)
              if os.path.isfile(p)}

    def write_out_then_fill_up(self, filepath, **kwargs):
        os.makedirs(os.path.join(filepath, "variables"), exist_ok=True)
        with open(os.path.join(filepath, "saved_model.pb"), "wb") as f:
            f.write(b"partial")
        _no_space()

    monkeypatch.setattr(type(keras.export.ExportArchive()), "write_out", write_out_then_fill_up)
    with pytest.raises(OSError, match=r"(?s)Expected room to write '.*generator'\. Received: "
                                      r".*No space left on device.*unchanged") as info:
        export.export_generator(gan, path, overwrite=True)
    assert info.value.errno == errno.ENOSPC
    after = {p: open(p, "rb").read() for p in glob.glob(f"{path}/**", recursive=True)
             if os.path.isfile(p)}
    assert after == before
    assert not _leftovers(tmp_path)


# ------------------------------------------------------------------- float16


def _critic_gan(policy, weights=None):
    """A WGAN-GP GAN with a small convolutional critic (no dropout) under dtype `policy`."""
    from kerasgan.networks import mlp_generator

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        generator = mlp_generator(8, (16,), (28, 28, 1), "tanh")
        images = keras.Input((28, 28, 1))
        x = images
        for filters in (16, 32):
            x = keras.layers.Conv2D(filters, 5, strides=2, padding="same")(x)
            x = keras.layers.LeakyReLU(0.2)(x)
        x = keras.layers.Dense(1, dtype="float32")(keras.layers.Flatten()(x))
        gan = kerasgan.GAN(generator, keras.Model(images, x), seed=0, output_range=(-1.0, 1.0),
                           gradient_penalty_weight=10.0)
        gan.compile(loss="wasserstein")
    finally:
        keras.config.set_dtype_policy(previous)
    if weights is not None:
        gan.discriminator.set_weights(weights)
    return gan


def _penalty_and_grads(gan, real, fake, alpha):
    """The gradient penalty and its gradients with respect to the critic's weights, through the
    critic's loss-scaled optimizer (`scale_loss`), as a training step takes them."""
    optimizer = gan.d_optimizer
    variables = gan.discriminator.trainable_variables
    if keras.backend.backend() == "jax":
        import jax

        def scaled(values):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                penalty = gan.gradient_penalty(real, fake, alpha)
            return optimizer.scale_loss(penalty), penalty

        grads, penalty = jax.grad(scaled, has_aux=True)([v.value for v in variables])
    else:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            penalty = gan.gradient_penalty(real, fake, alpha)
            loss = optimizer.scale_loss(penalty)
        grads = tape.gradient(loss, variables)
    scale = float(keras.ops.convert_to_numpy(optimizer.scale_loss(1.0)))
    # A bias that the penalty does not depend on gets None from TensorFlow, zeros from JAX.
    flat = np.concatenate([np.zeros(v.shape).ravel() if g is None
                           else np.ravel(keras.ops.convert_to_numpy(g))
                           for g, v in zip(grads, variables)]) / scale
    return float(keras.ops.convert_to_numpy(penalty)), flat, scale


def test_gradient_penalty_under_mixed_float16_matches_float32():
    full = _critic_gan("float32")
    mixed = _critic_gan("mixed_float16", full.discriminator.get_weights())
    assert mixed.discriminator.layers[1].compute_dtype == "float16"
    assert isinstance(mixed.d_optimizer, keras.optimizers.LossScaleOptimizer)
    rng = np.random.default_rng(0)
    real, fake = (rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32") for _ in range(2))
    alpha = rng.uniform(0, 1, (8, 1, 1, 1)).astype("float32")
    p32, g32, scale32 = _penalty_and_grads(full, real, fake, alpha)
    p16, g16, scale16 = _penalty_and_grads(mixed, real, fake, alpha)
    assert scale32 == 1.0 and scale16 > 1.0, "mixed_float16 is not loss-scaled"
    assert np.isfinite(p16) and np.all(np.isfinite(g16))
    np.testing.assert_allclose(p16, p32, rtol=1e-3, atol=1e-4)
    # The penalty's weight gradients (second order, through float16 kernels) as a whole.
    assert np.linalg.norm(g16 - g32) <= 3e-2 * np.linalg.norm(g32)  # measured: 1.3% (TF), 0.9% (JAX)
    assert np.mean(g16 == 0) <= np.mean(g32 == 0) + 1e-3, "gradients underflowed in float16"
