"""Writes `backend_parity.npz`: what the GAN computes under TensorFlow, for other backends to match.

It records
- `zoo/<preset>/<weights>`: `generate(2, seed=0)` of every shipped weights file, and
  `sha256/<preset>/<weights>` of that file (the record describes those files only);
- `step/<case>/...`: the per-step losses and the final variables of small GANs trained two
  steps with fixed weights, noise and data (`parity_case`; large variables by a sample of
  their entries), so that the same training step can be compared across backends (each
  backend's random streams differ, so the noise is fixed).

`tests/test_torch_backend.py` compares the torch backend (and TensorFlow itself) with it. Run
from the repository root:

    KERAS_BACKEND=tensorflow .venv/bin/python tests/data/make_backend_parity.py
"""

import os

import keras
import numpy as np

import kerasgan
from kerasgan.networks import mlp_discriminator, mlp_generator

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD_FILE = os.path.join(HERE, "backend_parity.npz")
STEPS = 2
BATCH = 4


def _mlp_gan(**gan_kwargs):
    g = mlp_generator(8, (16,), (4, 4, 1), "sigmoid")
    d = mlp_discriminator((4, 4, 1), (16,))
    return kerasgan.GAN(g, d, **gan_kwargs)


def _shared_wgan():
    return kerasgan.zoo.get("shared_wgan", hidden=16, d_steps=2, seed=0,
                            steps_per_execution=1, batch_size=BATCH)


# name: (build the GAN, compile arguments or None to keep the preset's)
CASES = {
    # Two split discriminator updates per step, BatchNorm in the generator, EMA.
    "split_ema": (lambda: _mlp_gan(d_steps=2, d_update="split", ema_decay=0.9, seed=0),
                  dict(loss="non_saturating")),
    # Wasserstein loss with the gradient penalty and R1 (double backward), fresh real chunks.
    "wgan_gp_r1": (lambda: _mlp_gan(d_steps=2, real_batches="split", gradient_penalty_weight=10.0,
                                    r1_weight=1.0, seed=0),
                   dict(loss="wasserstein")),
    # One kernel shared by both networks, weight clipping, the preset's RMSprop.
    "shared_wgan": (_shared_wgan, None),
}


def _fixed_randomness(gan, real_rows):
    """The keys of `gan.draw_randomness` with fixed values (the same in every step)."""
    rng = np.random.default_rng(1)
    drawn = gan.draw_randomness(real_rows)
    fixed = {}
    for key, value in drawn.items():
        shape = tuple(int(d) for d in value.shape)
        if key.startswith("alpha"):
            fixed[key] = rng.uniform(0.0, 1.0, shape).astype("float32")
        else:
            fixed[key] = rng.standard_normal(shape).astype("float32")
    return fixed


def parity_case(name):
    """Trains case `name` for STEPS steps; returns `(gan, record)` with the losses and variables."""
    build, compile_args = CASES[name]
    keras.utils.set_random_seed(0)
    gan = build()
    if compile_args is not None:
        gan.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05),
                    **compile_args)
    rng = np.random.default_rng(0)
    seen = set()
    for v in gan.d_variables + gan.g_variables:
        if id(v) not in seen:
            seen.add(id(v))
            v.assign((0.3 * rng.standard_normal(tuple(v.shape))).astype("float32"))
    if gan.ema_decay is not None:  # the averages start from the weights just assigned
        for source, average in gan._ema.pairs:
            average.assign(np.array(keras.ops.convert_to_numpy(source)))
    rows = BATCH // gan.d_steps if gan.real_batches == "split" else BATCH
    fixed = _fixed_randomness(gan, rows)
    gan.draw_randomness = lambda batch_size: {
        k: keras.ops.convert_to_tensor(v[:batch_size]) for k, v in fixed.items()}
    low, high = gan.output_range
    x = rng.uniform(low, high, (STEPS * BATCH,) + gan.image_shape).astype("float32")
    history = gan.fit(x, batch_size=BATCH, epochs=STEPS, steps_per_epoch=1, shuffle=False,
                      verbose=0)
    record = {"d_loss": np.array(history.history["d_loss"], "float32"),
              "g_loss": np.array(history.history["g_loss"], "float32")}
    variables = gan.d_variables + gan.g_variables + list(gan.ema_variables)
    for i, v in enumerate(variables):
        record[f"var{i}"] = sample(keras.ops.convert_to_numpy(v))
    return gan, record


def sample(value, size=1024):
    """About `size` evenly spaced entries of `value`, flattened (the record stays small)."""
    flat = np.asarray(value).ravel()
    return flat[:: max(1, flat.size // size)].copy()


def zoo_images():
    """`{preset/weights: generate(2, seed=0)}` and `{preset/weights: sha256}` of shipped weights."""
    images, digests = {}, {}
    for name in kerasgan.zoo.names():
        preset = kerasgan.zoo.spec(name)
        for weights in sorted(preset.weights):
            key = f"{name}/{weights}"
            images[key] = kerasgan.zoo.get(name, weights=weights).generate(2, seed=0)
            digests[key] = preset.weights[weights]["sha256"]
    return images, digests


def main():
    if keras.backend.backend() != "tensorflow":
        raise SystemExit("Run with KERAS_BACKEND=tensorflow: the record is TensorFlow's.")
    out = {}
    images, digests = zoo_images()
    for key in images:
        out[f"zoo/{key}"] = images[key]
        out[f"sha256/{key}"] = np.array(digests[key])
    for name in CASES:
        _, record = parity_case(name)
        for key, value in record.items():
            out[f"step/{name}/{key}"] = value
    np.savez_compressed(RECORD_FILE, **out)


if __name__ == "__main__":
    main()
