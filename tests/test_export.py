"""Generator export: SavedModel signatures, reload in a fresh process, atomic replacement, and
never a user's files lost: only a new, empty or previous-export directory is written."""

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import child_pythonpath, tiny_mlp_gan

import kerasgan
from kerasgan import export

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs in a fresh process with TensorFlow only (no keras, no kerasgan): what a server does.
RELOAD = r"""
import json, sys
import numpy as np
import tensorflow as tf
served = tf.saved_model.load(sys.argv[1])
noise = tf.constant(np.load(sys.argv[2]))
images = served.signatures["serving_default"](noise=noise)["images"]
out = served.signatures["generate"](num_samples=tf.constant(3), seed=tf.constant(7, tf.int64))
np.savez(sys.argv[3], images=images.numpy(), generated=out["images"].numpy(),
         generated_noise=out["noise"].numpy())
signatures = {}
for name, fn in served.signatures.items():
    inputs = {k: list(v.shape) for k, v in fn.structured_input_signature[1].items()}
    signatures[name] = {"inputs": inputs, "outputs": sorted(fn.structured_outputs)}
print(json.dumps(signatures))
"""


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=child_pythonpath(ROOT))
    return env


@pytest.fixture(scope="module")
def gan():
    gan = tiny_mlp_gan(seed=1, output_range=(-1.0, 1.0), noise="uniform")
    gan.compile()
    return gan


def _raw_images(gan, noise):
    images = keras.ops.convert_to_numpy(gan.generator(noise, training=False)).astype("float32")
    low, high = gan.output_range
    return np.clip((images - low) / (high - low), 0.0, 1.0)


def _command_flags(*args):
    """The export command's flags, parsed from `args` (its own definitions)."""
    from absl import flags

    from kerasgan.export import __main__ as command

    fv = flags.FlagValues()
    command.define_flags(fv)
    fv(["kerasgan.export", *args])
    return command, fv


def test_cli_export_reloads_in_fresh_process_and_matches_keras(gan, tmp_path, capsys):
    # The command's export here (`python -m kerasgan.export` itself runs in
    # test_cli_refuses_a_run_directory_before_loading_the_checkpoint); the reload in a fresh
    # process.
    checkpoint = tmp_path / "checkpoint.keras"
    kerasgan.callbacks.save_model(gan, str(checkpoint))
    path = str(tmp_path / "generator")
    command, fv = _command_flags(f"--checkpoint={checkpoint}", f"--output_dir={path}")
    assert command.run(fv) == 0, capsys.readouterr().err[-4000:]
    assert f"SavedModel: {path}" in capsys.readouterr().out
    noise = np.random.default_rng(0).uniform(-1, 1, (5, gan.latent_dim)).astype("float32")
    np.save(tmp_path / "noise.npy", noise)
    reload_proc = subprocess.run(
        [sys.executable, "-c", RELOAD, path, str(tmp_path / "noise.npy"), str(tmp_path / "out.npz")],
        env=_env(), capture_output=True, text=True, timeout=120)
    assert reload_proc.returncode == 0, reload_proc.stderr[-4000:]
    signatures = json.loads(reload_proc.stdout.strip().splitlines()[-1])
    assert signatures == {
        "serving_default": {"inputs": {"noise": [None, gan.latent_dim]}, "outputs": ["images"]},
        "generate": {"inputs": {"num_samples": [], "seed": []}, "outputs": ["images", "noise"]},
    }
    out = np.load(tmp_path / "out.npz")
    assert out["images"].dtype == np.float32 and out["images"].shape == (5,) + gan.image_shape
    np.testing.assert_allclose(out["images"], _raw_images(gan, noise), rtol=0, atol=1e-5)
    # generate(): uniform noise in [-1, 1) from the seed, then the same mapping.
    z = out["generated_noise"]
    assert z.shape == (3, gan.latent_dim) and z.min() >= -1.0 and z.max() < 1.0
    np.testing.assert_allclose(out["generated"], _raw_images(gan, z), rtol=0, atol=1e-5)


def test_failed_export_keeps_the_earlier_export(gan, tmp_path, monkeypatch):
    import tensorflow as tf

    path = export.export_generator(gan, tmp_path / "generator")
    before = sorted(os.listdir(path))
    assert export.MARKER in before

    def broken_write_out(self, filepath, **kwargs):
        os.makedirs(os.path.join(filepath, "variables"), exist_ok=True)
        with open(os.path.join(filepath, "saved_model.pb"), "wb") as f:
            f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(type(keras.export.ExportArchive()), "write_out", broken_write_out)
    with pytest.raises(OSError, match="disk full"):
        export.export_generator(gan, path, overwrite=True)
    assert sorted(os.listdir(path)) == before
    assert os.listdir(tmp_path) == ["generator"], "temporary directories were left behind"
    served = tf.saved_model.load(path)
    noise = np.zeros((2, gan.latent_dim), "float32")
    images = served.signatures["serving_default"](noise=tf.constant(noise))["images"].numpy()
    np.testing.assert_allclose(images, _raw_images(gan, noise), rtol=0, atol=1e-5)


def _tree(directory):
    return {os.path.relpath(os.path.join(root, name), directory):
            open(os.path.join(root, name), "rb").read()
            for root, _, files in os.walk(directory) for name in files}


def test_export_refuses_a_directory_of_other_files_and_changes_nothing(gan, tmp_path):
    run = tmp_path / "run"
    (run / "samples").mkdir(parents=True)
    (run / "checkpoint.keras").write_bytes(b"a user's checkpoint")
    (run / "samples" / "epoch_001.png").write_bytes(b"a user's samples")
    before = _tree(run)
    for overwrite in (False, True):  # overwrite replaces only an earlier export
        with pytest.raises(FileExistsError, match=(
                rf"Expected a new or empty directory for the export\. Received: "
                rf"'{re.escape(str(run))}', which holds files that are not a kerasgan export "
                r"\('checkpoint\.keras', 'samples'\); nothing was changed\. Pass another output "
                rf"path, e\.g\. '{re.escape(str(run / 'generator'))}'")):
            export.export_generator(gan, run, overwrite=overwrite)
        assert _tree(run) == before
    assert sorted(os.listdir(tmp_path)) == ["run"], "temporary directories were left behind"
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match=r"Received: '.*file', which is a file"):
        export.export_generator(gan, tmp_path / "file")


def test_export_fills_an_empty_directory_and_replaces_only_with_overwrite(gan, tmp_path):
    path = tmp_path / "generator"
    path.mkdir()
    export.export_generator(gan, path)
    assert export.is_export(path) and (path / "saved_model.pb").exists()
    marker = json.loads((path / export.MARKER).read_text())
    assert marker["latent_dim"] == gan.latent_dim and marker["image_shape"] == list(gan.image_shape)
    with pytest.raises(FileExistsError, match=r"holds an earlier kerasgan export\. Pass "
                                              r"overwrite=True \(--overwrite\) to replace it"):
        export.export_generator(gan, path)
    (path / "saved_model.pb").write_bytes(b"stale")
    export.export_generator(gan, path, overwrite=True)
    assert (path / "saved_model.pb").read_bytes() != b"stale"
    assert sorted(os.listdir(tmp_path)) == ["generator"]


@pytest.mark.backend_neutral("jax")  # refused before any checkpoint loads or export runs
def test_cli_refuses_a_run_directory_before_loading_the_checkpoint(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    proc = subprocess.run(
        [sys.executable, "-m", "kerasgan.export", f"--checkpoint={tmp_path / 'absent.keras'}",
         f"--output_dir={tmp_path}"],
        env=dict(_env(), KERAS_BACKEND=keras.backend.backend()), capture_output=True, text=True,
        timeout=150,
    )
    assert proc.returncode == 1, proc.stderr[-4000:]
    assert "which holds files that are not a kerasgan export" in proc.stderr
    assert str(tmp_path) in proc.stderr
    assert os.listdir(tmp_path) == ["notes.txt"]
