"""--what=jax_ops: XLA op time per kind in a JAX fit() step.

Traces --steps training steps with jax.profiler (XLA:CPU op events on, via
--xla_cpu_enable_xprof_traceme), converts the trace with TensorFlow's profiler plugin and sums
the time of XLA's operations per kind (the op name without its `.N` suffix), per step.
Convolutions and matmuls run as `ynn_fusion` (YNNPACK) or `conv_general_dilated`.
    python -m tools.profiler --what=jax_ops --preset=dcgan --steps=4
"""

import collections
import os
import re
import sys

from tools.profiler.common import FLAGS, compiled_preset, output_path, traced_fit, write_json

_TRACE_WRAPPERS = ("ThreadpoolListener", "ThunkExecutor", "SlinkyThreadPool", "end: ")


def main():
    """Traces the steps and prints the op kinds by time."""
    # Before Keras is imported: the JAX backend, and XLA:CPU op events in the profiler trace.
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != "jax":
        raise RuntimeError("--what=jax_ops must run in a fresh process (keras is already imported).")
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_cpu_enable_xprof_traceme=true").strip()
    import kerasgan

    gan, ds, batch, _, steps = compiled_preset(kerasgan)
    trace, wall_ms = traced_fit(gan, ds, steps, "jax", "trace_viewer@")
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in trace["traceEvents"]
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    kinds, counts = collections.defaultdict(float), collections.Counter()
    for e in trace["traceEvents"]:
        if e.get("ph") != "X" or "XLA" not in threads.get((e["pid"], e["tid"]), ""):
            continue
        if e["name"].startswith(_TRACE_WRAPPERS):
            continue
        kind = re.sub(r"\.\d+$", "", e["name"])
        kinds[kind] += float(e.get("dur", 0)) / 1e3 / steps
        counts[kind] += 1
    total = sum(kinds.values())
    print(f"{FLAGS.preset} (jax), batch {batch}: {wall_ms:.0f} ms per step (wall, traced); "
          f"XLA op time {total:.0f} ms per step (summed over threads)")
    print(f"{'ms/step':>9} {'calls/step':>11} {'share':>6}  op kind")
    rows = sorted(kinds.items(), key=lambda kv: -kv[1])
    for kind, ms in rows[:FLAGS.top]:
        print(f"{ms:9.1f} {counts[kind] / steps:11.1f} {100 * ms / total:5.1f}%  {kind}")
    write_json({"preset": FLAGS.preset, "batch": batch, "steps": steps,
                 "wall_ms_per_step": wall_ms, "op_ms_per_step": dict(rows),
                 "calls_per_step": {k: counts[k] / steps for k in kinds},
                 "command": sys.argv, "load_average_end": os.getloadavg()},
                output_path())
