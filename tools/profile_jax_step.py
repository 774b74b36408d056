r"""Per-op profile of a preset's JAX `fit()` step on CPU: where XLA spends the step.

Traces `--steps` training steps with `jax.profiler` (XLA:CPU op events on, via
`--xla_cpu_enable_xprof_traceme`), converts the trace with TensorFlow's profiler plugin and sums
the time of XLA's operations per kind (the op name without its `.N` suffix), per step.
Convolutions and matmuls run as `ynn_fusion` (YNNPACK) or `conv_general_dilated`.

Example:
    python tools/profile_jax_step.py --preset=dcgan --steps=4 --output=tools/results/profile_jax_step_dcgan.json
"""

import collections
import glob
import json
import os
import re
import shutil
import tempfile
import time

os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_enable_xprof_traceme=true").strip()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags  # noqa: E402

_PRESET = flags.DEFINE_string("preset", "dcgan", "Preset to profile.")
_BATCH = flags.DEFINE_integer("batch_size", None, "Batch size (default: the preset's).")
_STEPS = flags.DEFINE_integer("steps", 4, "Traced training steps.")
_TOP = flags.DEFINE_integer("top", 15, "Op kinds to print.")
_OUTPUT = flags.DEFINE_string("output", "", "Write the results as JSON here.")

_WRAPPERS = ("ThreadpoolListener", "ThunkExecutor", "SlinkyThreadPool", "end: ")


def main(argv):
    del argv
    import jax
    import tensorflow as tf
    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin as plugin

    import kerasgan

    overrides = {"batch_size": _BATCH.value} if _BATCH.value else {}
    gan = kerasgan.zoo.get(_PRESET.value, seed=0, **overrides)
    config = {**kerasgan.zoo.spec(_PRESET.value).config, **overrides}
    batch = int(config["batch_size"]) * (int(config.get("d_steps", 1))
                                         if config.get("real_batches") == "split" else 1)
    ds = kerasgan.data.load("fashion_mnist", image_shape=gan.image_shape,
                            value_range=tuple(config["value_range"]), batch_size=batch, seed=0,
                            repeat=True)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    steps = max(spe, _STEPS.value // spe * spe)
    gan.fit(ds, epochs=1, steps_per_epoch=spe, verbose=0)  # compile
    trace_dir = tempfile.mkdtemp(prefix="kerasgan-jax-trace-")
    try:
        jax.profiler.start_trace(trace_dir)
        start = time.perf_counter()
        gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
        wall = (time.perf_counter() - start) / steps
        jax.profiler.stop_trace()
        paths = glob.glob(os.path.join(trace_dir, "**", "*.xplane.pb"), recursive=True)
        data, _ = plugin.xspace_to_tools_data(paths, "trace_viewer@", {})
    finally:
        shutil.rmtree(trace_dir, ignore_errors=True)
    trace = json.loads(data)
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in trace["traceEvents"]
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    kinds, counts = collections.defaultdict(float), collections.Counter()
    for e in trace["traceEvents"]:
        if e.get("ph") != "X" or "XLA" not in threads.get((e["pid"], e["tid"]), ""):
            continue
        if e["name"].startswith(_WRAPPERS):
            continue
        kind = re.sub(r"\.\d+$", "", e["name"])
        kinds[kind] += float(e.get("dur", 0)) / 1e3 / steps
        counts[kind] += 1
    total = sum(kinds.values())
    del tf
    print(f"{_PRESET.value} (jax), batch {batch}: {1e3 * wall:.0f} ms per step (wall, traced); "
          f"XLA op time {total:.0f} ms per step (summed over threads)")
    print(f"{'ms/step':>9} {'calls/step':>11} {'share':>6}  op kind")
    rows = sorted(kinds.items(), key=lambda kv: -kv[1])
    for kind, ms in rows[:_TOP.value]:
        print(f"{ms:9.1f} {counts[kind] / steps:11.1f} {100 * ms / total:5.1f}%  {kind}")
    if _OUTPUT.value:
        os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
        with open(_OUTPUT.value, "w", encoding="utf-8") as f:
            json.dump({"preset": _PRESET.value, "batch": batch, "steps": steps,
                       "wall_ms_per_step": 1e3 * wall, "op_ms_per_step": dict(rows),
                       "calls_per_step": {k: counts[k] / steps for k in kinds},
                       "load_average_end": os.getloadavg()}, f, indent=2)
        print(f"wrote {_OUTPUT.value}")


if __name__ == "__main__":
    app.run(main)
