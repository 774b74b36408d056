"""Writes `gan_checkpoint.keras` and `gan_checkpoint.npz`: a small trained GAN and what it holds.

The test `tests/test_saved_files.py` loads the committed `.keras` file with today's code and
compares it with the `.npz` record (config, variable paths and values, generated images, the
losses of two more training steps), so a
change that breaks loading of earlier files fails there. Run from the repository root:

    KERAS_BACKEND=tensorflow .venv/bin/python tests/data/make_gan_checkpoint.py
"""

import json
import os

import keras
import numpy as np

import kerasgan

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_FILE = os.path.join(HERE, "gan_checkpoint.keras")
RECORD_FILE = os.path.join(HERE, "gan_checkpoint.npz")
OPTIONS = dict(g_widths=(16,), d_widths=(16,), latent_dim=8, image_shape=(8, 8, 1),
               steps_per_execution=1, batch_size=4, seed=0, ema_decay=0.99, ema_start=1,
               r1_weight=0.5, d_steps=2, real_batches="split", diagnostics=True)


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def record(gan):
    """What a loaded copy of `gan` must reproduce, as numpy arrays and JSON strings."""
    variables = list(gan.variables) + list(gan.optimizer.variables)
    out = {
        "config": json.dumps(gan.get_config(), sort_keys=True, default=str),
        "compile_config": json.dumps(gan.get_compile_config(), sort_keys=True, default=str),
        "paths": np.array([v.path for v in variables]),
        "seed_state": _numpy(gan.seed_generator.state),
        "images": gan.generate(4, seed=1),
        "raw_images": gan.generate(4, seed=1, use_ema=False),
    }
    for i, v in enumerate(variables):
        out[f"value_{i}"] = _numpy(v)
    return out


def training_data():
    """The 8 images both the first two steps and the two steps after loading train on."""
    return np.random.default_rng(0).uniform(0.0, 1.0, (8, 8, 8, 1)).astype("float32")


def train_on(gan):
    """Two more steps on `training_data()`: their losses, and the EMA images after them."""
    history = gan.fit(training_data(), batch_size=4, epochs=1, shuffle=False, verbose=0)
    losses = np.array([history.history[k][-1] for k in sorted(history.history)], "float32")
    return losses, gan.generate(4, seed=1)


def main():
    gan = kerasgan.zoo.get("mnist_mlp", **OPTIONS)
    train_on(gan)
    assert int(_numpy(gan.optimizer.iterations)) == 2
    gan.save(KERAS_FILE)
    saved = record(gan)
    saved["next_losses"], saved["next_images"] = train_on(gan)
    np.savez_compressed(RECORD_FILE, **saved)


if __name__ == "__main__":
    main()
