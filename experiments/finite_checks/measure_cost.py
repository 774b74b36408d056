"""What the NaN stop and the every-batch data checks cost per `fit()` step, on the dcgan preset.

Run from the repository root, once per backend:

    KERAS_BACKEND=tensorflow python experiments/finite_checks/measure_cost.py OUT.json
    KERAS_BACKEND=jax python experiments/finite_checks/measure_cost.py OUT.json

Variants (dcgan, batch 128, 28x28x1 images in [-1, 1] from a repeated tf.data batch), timed in
turn over `--rounds` rounds of `--steps` steps each (the first call of each variant compiles and
is not timed; each round's time relative to `plain`'s, the median over rounds, is the cost):

- `plain`: as `fit(..., terminate_on_nan=False, validate_data=False)`: neither;
- `callback`: the `TerminateOnNonFinite` callback reading each step's logs, without the step's
  check;
- `guard`: the step's check (restore when not finite), without the callback;
- `stop`: both, `fit()`'s default NaN stop;
- `checks`: the tf.data check of every batch (`validate_data=True`), without the NaN stop;
- `default`: `fit()`'s defaults, the NaN stop and the tf.data check.

Also timed: the tf.data check alone (iterating 200 batches with and without it), `fit()`'s data
preparation per call (the first batch's check and the map's setup; part of each variant's time
per step above, divided by `--steps`) and the scan of a Fashion-MNIST-sized array (60,000 x 28 x
28 x 1 float32) that `fit()` runs before training on an array.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan import batch_checks  # noqa: E402
from kerasgan import callbacks as cb  # noqa: E402
from kerasgan.trainers import finite_steps  # noqa: E402


def _machine():
    model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    name = next((line.split(":", 1)[1].strip() for line in model.splitlines()
                 if line.startswith("Model name")), platform.processor())
    family = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith(("cpu family", "model\t")):
                family += line.strip().replace("\t", "") + "; "
            if line.startswith("flags"):
                avx512 = "avx512f" in line.split()
                break
    return {"cpu": name, "cpuinfo": family.strip("; "), "avx512": avx512,
            "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}


def _dataset(steps=None, batch=128):
    images = np.random.default_rng(0).uniform(-1, 1, (batch, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensors(images).repeat(steps)


def _gan(guard):
    gan = kerasgan.zoo.get("dcgan", seed=0)
    gan._skip_non_finite_steps = guard
    return gan


def _fit(gan, ds, steps, guard, callback):
    """Seconds per step of one `fit()` call, with the step's check and the callback as chosen."""
    watch = finite_steps.watch
    finite_steps.watch = lambda g, callbacks, terminate_on_nan=True: callbacks  # noqa: E731
    try:
        assert gan._skip_non_finite_steps == guard
        callbacks = [cb.TerminateOnNonFinite()] if callback else []
        start = time.perf_counter()
        gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=callbacks,
                validate_data=False)
        return (time.perf_counter() - start) / steps
    finally:
        finite_steps.watch = watch


VARIANTS = {  # name: (the step's check, the callback, the tf.data check of every batch)
    "plain": (False, False, False),
    "callback": (False, True, False),
    "guard": (True, False, False),
    "stop": (True, True, False),
    "checks": (False, False, True),
    "default": (True, True, True),
}


def _pipeline_cost(gan, batches=200):
    """Seconds per batch of iterating the dataset with and without the check."""
    out = {}
    for name, checked in (("unchecked", False), ("checked", True)):
        ds = _dataset(batches)
        if checked:
            ds = batch_checks.checked_dataset(ds, gan, [])
        for _ in ds.take(2):
            pass
        start = time.perf_counter()
        for _ in ds:
            pass
        out[name] = (time.perf_counter() - start) / batches
    return out


def _setup_cost(gan, repeats=5):
    """Seconds of `fit()`'s data preparation per call (the first-batch check, the map's setup)."""
    out = {}
    for name, validate in (("validate_data=False", False), ("validate_data=True", True)):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            batch_checks.prepare_fit_data(gan, _dataset(10), None, None, validate, {})
            times.append(time.perf_counter() - start)
        out[name] = round(float(np.median(times)), 4)
    return out


def _array_scan_cost():
    images = np.random.default_rng(0).uniform(-1, 1, (60000, 28, 28, 1)).astype("float32")
    start = time.perf_counter()
    batch_checks.check_array(images, (-1.0, 1.0), 128)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="comma-separated; `plain` is always timed")
    args = parser.parse_args()
    report = {"command": " ".join([f"KERAS_BACKEND={keras.backend.backend()}", "python"]
                                  + sys.argv),
              "backend": keras.backend.backend(), "machine": _machine(),
              "steps": args.steps, "rounds": args.rounds}
    variants = {k: VARIANTS[k] for k in ["plain"] + [v for v in args.variants.split(",")
                                                       if v != "plain"]}
    gans = {guard: _gan(guard) for guard in (False, True)}
    # The checked dataset is built once, as fit() builds it once per call: its setup is timed
    # apart (fit_setup_seconds_per_call).
    datasets = {False: _dataset(), True: batch_checks.checked_dataset(_dataset(), gans[False], [])}
    for name, (guard, callback, checked) in variants.items():  # compile, warm up
        _fit(gans[guard], datasets[checked], 2, guard, callback)
    times = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, (guard, callback, checked) in variants.items():
            times[name].append(_fit(gans[guard], datasets[checked], args.steps, guard, callback))
    report["seconds_per_step"] = times
    # Other work on a shared machine adds time at random: each round's ratio to `plain` (timed
    # within seconds of each other), then the median over rounds.
    report["median_ms_per_step"] = {k: round(1e3 * float(np.median(v)), 2)
                                    for k, v in times.items()}
    report["median_overhead_percent"] = {
        k: round(100 * (float(np.median(np.array(v) / np.array(times["plain"]))) - 1), 1)
        for k, v in times.items()}
    report["tf_data_ms_per_batch"] = {k: round(1e3 * v, 3)
                                      for k, v in _pipeline_cost(gans[False]).items()}
    report["fit_setup_seconds_per_call"] = _setup_cost(gans[False])
    report["array_scan_seconds_60000x28x28x1"] = round(_array_scan_cost(), 3)
    report["machine"]["loadavg_end"] = os.getloadavg()
    with open(args.output, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps({k: report[k] for k in ("backend", "median_ms_per_step",
                                             "median_overhead_percent", "tf_data_ms_per_batch",
                                             "fit_setup_seconds_per_call",
                                             "array_scan_seconds_60000x28x28x1")}, indent=1))
    print(report["machine"])


if __name__ == "__main__":
    main()
