"""Every preset trains through the trainer (`kerasgan.train.run`, what the absl command calls)."""

import gzip
import os
import struct

import keras
import numpy as np
import pytest

import kerasgan
from conftest import TF_GRAPH
from kerasgan import train, zoo
from test_presets import tiny_overrides
from test_train import write_idx_images


@pytest.fixture(scope="module")
def idx_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(0)
    write_idx_images(d / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (40, 28, 28)))
    # Labels too: the class-conditional presets train on (images, labels).
    with gzip.open(d / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x00000801, 40) + (np.arange(40) % 10).astype(np.uint8).tobytes())
    return d


# Every preset's step is compiled and trained by test_presets.py; what the trainer adds per preset
# is its data path: conditioning, RGB resizing, 1-D histograms, the output range and the shared
# kernel (fused steps through the trainer: tests/test_train.py::
# test_trainer_fuses_mnist_mlp_steps_and_resumes_exactly). The default run keeps one preset for each of these (TensorFlow) or an image
# and a 1-D preset (JAX, whose trainer code is the same), and puts the rest behind `-m slow`.
_DEFAULT = {
    "tensorflow": {"msgan_small", "dcgan", "dcgan_celeba", "gaussian_1d", "l1_unbounded",
                   "mnist_mlp", "shared_wgan"},
    "jax": {"mnist_mlp", "gaussian_1d"},
}
_PARAMS = [
    n if n in _DEFAULT.get(keras.backend.backend(), set(zoo.names()))
    else pytest.param(n, marks=pytest.mark.slow)
    for n in zoo.names()
]


@pytest.mark.parametrize("name", _PARAMS)
def test_every_preset_trains_through_the_trainer(name, idx_dir, tmp_path):
    spec = zoo.spec(name)
    # The harness's narrow networks: the trainer's data path does not depend on widths.
    overrides = tiny_overrides(name)
    batch_size = overrides.pop("batch_size")
    overrides.pop("seed")
    # Image presets read the IDX directory (resized / converted to the preset's shape);
    # the 1-D toys use their own synthetic source.
    dataset = None if spec.dataset == "gaussian_1d" else str(idx_dir)
    out = tmp_path / "run"
    gan = train.run(name, str(out), dataset=dataset, limit=40, epochs=1, steps_per_epoch=1,
                    batch_size=batch_size, seed=1, overrides={**overrides, **TF_GRAPH},
                    num_samples=4, verbose=0)
    assert int(np.asarray(gan.g_optimizer.iterations)) == 1
    for written in ("checkpoint.keras", "samples_final.png", "log.csv", "config.json",
                    os.path.join("samples", "epoch_001.png")):
        assert (out / written).stat().st_size > 0, written
    reloaded = kerasgan.load_gan(out / "checkpoint.keras")
    np.testing.assert_allclose(reloaded.generate(2, seed=0), gan.generate(2, seed=0), atol=1e-5)
