"""The long runs kept in zoo/runs: each checkpoint holds the steps its records name, and a run
continued from it goes on bit-exactly across a save and a load."""

import glob
import json
import os

import keras
import numpy as np
import pytest

import kerasgan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = sorted(os.path.dirname(p) for p in
              glob.glob(os.path.join(ROOT, "zoo", "runs", "*", "*", "seed*", "checkpoint.keras")))


def _load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _ids(run_dir):
    return os.path.relpath(run_dir, os.path.join(ROOT, "zoo", "runs"))


def _int(variable):
    return int(keras.ops.convert_to_numpy(variable))


def test_the_zoo_keeps_its_long_runs():
    kept = {_ids(r) for r in RUNS}
    assert {"shared_wgan/train/seed0", "wgan/train/seed0"} <= kept, kept


@pytest.mark.parametrize("run_dir", RUNS, ids=_ids)
def test_a_kept_checkpoint_holds_the_steps_its_records_name(run_dir):
    preset, name, seed_dir = _ids(run_dir).split(os.sep)
    seed = int(seed_dir[len("seed"):])
    config = _load_json(os.path.join(run_dir, "config.json"))
    sittings = _load_json(os.path.join(run_dir, "sittings.json"))
    assert (config["preset"], config["seed"]) == (preset, seed)

    gan = kerasgan.load_gan(os.path.join(run_dir, "checkpoint.keras"))
    steps = _int(gan.g_optimizer.iterations)
    # d_update="split" (the L1 GANs) updates the discriminator twice per critic step: real, fake.
    updates = 2 if gan.d_update == "split" else 1
    assert _int(gan.d_optimizer.iterations) == steps * gan.d_steps * updates
    # The sittings follow one another from step 0 to the checkpoint's step.
    assert sittings[0]["first_step"] == 0
    for before, after in zip(sittings, sittings[1:]):
        assert after["first_step"] == before["last_step"], (before, after)
    assert sittings[-1]["last_step"] == steps

    result_path = os.path.join(ROOT, "zoo", preset, "results", f"{name}.json")
    if os.path.exists(result_path):  # judged: the run finished its documented command
        (run,) = [r for r in _load_json(result_path)["runs"] if r["seed"] == seed]
        assert run["steps"] == steps == config["epochs"] * config["steps_per_epoch"]
        assert os.path.normpath(os.path.join(ROOT, run["checkpoint"])) == os.path.join(
            run_dir, "checkpoint.keras")


def _state(gan):
    """Weights, both optimizers and the noise generator, in order."""
    variables = gan.trainable_variables + gan.non_trainable_variables + gan.optimizer.variables
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


@pytest.mark.slow
def test_a_kept_run_continues_bit_exactly_across_a_save_and_a_load(tmp_path):
    """shared_wgan at its documented width, from its kept checkpoint: two more generator steps
    in one go, and one step, a save, a load and one step, end with identical state."""
    from kerasgan.metrics.real_data import real_arrays

    run_dir = os.path.join(ROOT, "zoo", "runs", "shared_wgan", "train", "seed0")
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    step_batch = _load_json(os.path.join(run_dir, "config.json"))["step_batch_size"]  # 5 x 64
    gan = kerasgan.load_gan(checkpoint)
    images, _ = real_arrays("mnist", "test", limit=2 * step_batch)
    x = images.astype("float32") / 255.0
    start = _int(gan.g_optimizer.iterations)

    gan.fit(x, batch_size=step_batch, epochs=1, shuffle=False, verbose=0)
    straight = _state(gan)

    resumed = kerasgan.load_gan(checkpoint)
    resumed.fit(x[:step_batch], batch_size=step_batch, epochs=1, shuffle=False, verbose=0)
    middle = str(tmp_path / "middle.keras")
    resumed.save(middle)
    resumed = kerasgan.load_gan(middle)
    resumed.fit(x[step_batch:], batch_size=step_batch, epochs=1, shuffle=False, verbose=0)

    assert _int(gan.g_optimizer.iterations) == _int(resumed.g_optimizer.iterations) == start + 2
    after = _state(resumed)
    assert len(after) == len(straight)
    for i, (a, b) in enumerate(zip(straight, after)):
        np.testing.assert_array_equal(a, b, err_msg=f"variable {i}")
    moved = _state(kerasgan.load_gan(checkpoint))
    assert any(not np.array_equal(a, b) for a, b in zip(moved, straight))  # the steps trained
