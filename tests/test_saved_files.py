"""Saved `.keras` files of earlier releases still load: same config, variables, images and training.

`tests/data/gan_checkpoint.keras` is a small GAN (EMA with `ema_start`, R1, two discriminator
steps on split batches, diagnostics) trained two steps and saved; `gan_checkpoint.npz` records
what it held then (`tests/data/make_gan_checkpoint.py` wrote both).
"""

import json
import os
import sys
import zipfile

import keras
import numpy as np
import pytest

import kerasgan

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
sys.path.insert(0, DATA)
import make_gan_checkpoint as made  # noqa: E402

sys.path.remove(DATA)


@pytest.fixture(scope="module")
def record():
    with np.load(made.RECORD_FILE) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture
def loaded():
    return kerasgan.load_gan(made.KERAS_FILE)


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


# GAN options added after the file was written: an old file loads with their defaults, which
# train as before.
ADDED_SINCE = {"r2_weight": 0.0, "augment_fill": 0.0, "mode_seeking_weight": 0.0}


def test_config_and_compile_config_are_unchanged(loaded, record):
    assert type(loaded) is kerasgan.GAN
    config = json.loads(made.record(loaded)["config"])
    assert {k: config.pop(k) for k in ADDED_SINCE} == ADDED_SINCE
    assert config == json.loads(str(record["config"]))
    assert json.loads(made.record(loaded)["compile_config"]) == json.loads(
        str(record["compile_config"]))
    assert isinstance(loaded.optimizer, kerasgan.GANOptimizer)
    # The names a saved file finds its classes by.
    with zipfile.ZipFile(made.KERAS_FILE) as archive:
        saved = json.loads(archive.read("config.json"))
    written = keras.saving.serialize_keras_object(loaded)
    for key in ("module", "class_name", "registered_name"):
        assert written[key] == saved[key], key
    assert sorted(written["config"]) == sorted([*saved["config"], *ADDED_SINCE])


def test_variables_keep_their_paths_order_and_values(loaded, record):
    variables = list(loaded.variables) + list(loaded.optimizer.variables)
    # Paths begin with auto-numbered object names (`adam_1/...`), which depend on what else the
    # process built; the variable names within them are the file's own.
    assert [v.name for v in variables] == [str(p).split("/")[-1] for p in record["paths"]]
    for i, v in enumerate(variables):
        np.testing.assert_array_equal(_numpy(v), record[f"value_{i}"], err_msg=v.path)
    np.testing.assert_array_equal(_numpy(loaded.seed_generator.state), record["seed_state"])
    assert int(_numpy(loaded.optimizer.iterations)) == 2
    assert len(loaded.ema_variables) == 8


def test_generated_images_are_unchanged(loaded, record):
    np.testing.assert_allclose(loaded.generate(4, seed=1), record["images"], atol=1e-5)
    np.testing.assert_allclose(loaded.generate(4, seed=1, use_ema=False), record["raw_images"],
                               atol=1e-5)


def test_training_continues_where_the_file_left_off(loaded, record):
    losses, images = made.train_on(loaded)
    assert int(_numpy(loaded.optimizer.iterations)) == 4
    assert int(_numpy(loaded.ema_step)) == 4
    assert np.all(np.isfinite(losses))
    if keras.backend.backend() == "tensorflow":
        # The file was written under TensorFlow, whose random streams continue from its seed state.
        np.testing.assert_allclose(losses, record["next_losses"], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(images, record["next_images"], atol=1e-5)
