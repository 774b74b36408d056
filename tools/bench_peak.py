"""The machine's measured float32 peak per backend: a large matmul and the heavy presets' convolution.

Each backend runs in its own process (TensorFlow, JAX, PyTorch when installed), one after the
other, with every core this process may use. Two kernels:

  * `matmul`: C = A @ B, square float32 matrices of side `--size` (2 n^3 FLOP);
  * `conv`: the 5x5, 64-to-64-channel, stride-1 "same" convolution of 28x28 images that makes
    up nearly all of wgan/shared_wgan's work, batch 64 (2 x 28 x 28 x 25 x 64 x 64 FLOP per image).

Each figure is the median GFLOP/s over `--repeats` timed calls after warm-up. The result is the
denominator of "percent of peak" in docs/benchmarks.md; it records the CPU model and vector
extensions and library versions (`kerasgan.utils.provenance`).

Usage:
    python tools/bench_peak.py --output=experiments/bench/peak_<machine>_<date>.json
"""

import json
import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

_TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _TOOLS]
if os.path.dirname(_TOOLS) not in sys.path:  # the repository root, for `tools.outputs`
    sys.path.insert(0, os.path.dirname(_TOOLS))

_SIZE = flags.DEFINE_integer("size", 2048, "Side of the square matmul operands.")
_REPEATS = flags.DEFINE_integer("repeats", 9, "Timed calls per kernel (median reported).")
_BACKENDS = flags.DEFINE_list("backends", ["tensorflow", "jax", "torch"], "Backends to measure.")
_OUTPUT = flags.DEFINE_string("output", "", "Write the results as JSON here.")
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace --output if it exists (otherwise the "
                               "command refuses it before measuring).")
_CHILD = flags.DEFINE_string("child", "", "Internal: measure this backend in this process.")

CONV = dict(batch=64, size=28, kernel=5, channels=64)


def conv_flop():
    c = CONV
    return 2 * c["batch"] * c["size"] ** 2 * c["kernel"] ** 2 * c["channels"] ** 2


def _kernels(backend, size):
    """{name: (callable that runs the kernel once and waits for it, FLOP per call)}."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    c = CONV
    x = rng.standard_normal((c["batch"], c["size"], c["size"], c["channels"]), dtype=np.float32)
    w = rng.standard_normal((c["kernel"], c["kernel"], c["channels"], c["channels"]),
                            dtype=np.float32)
    if backend == "tensorflow":
        import tensorflow as tf

        ta, tb, tx, tw = map(tf.constant, (a, b, x, w))
        matmul = tf.function(lambda: tf.matmul(ta, tb))
        conv = tf.function(lambda: tf.nn.conv2d(tx, tw, 1, "SAME"))
        run = {"matmul": lambda: matmul().numpy(), "conv": lambda: conv().numpy()}
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        ja, jb, jx, jw = map(jnp.asarray, (a, b, x, w))
        matmul = jax.jit(lambda p, q: p @ q)
        conv = jax.jit(lambda p, q: jax.lax.conv_general_dilated(
            p, q, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")))
        run = {"matmul": lambda: matmul(ja, jb).block_until_ready(),
               "conv": lambda: conv(jx, jw).block_until_ready()}
    else:
        import torch

        torch.set_num_threads(len(os.sched_getaffinity(0)))
        pa, pb = torch.from_numpy(a), torch.from_numpy(b)
        px = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
        pw = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous()
        pad = c["kernel"] // 2

        def conv():
            with torch.no_grad():
                return torch.nn.functional.conv2d(px, pw, padding=pad)

        run = {"matmul": lambda: torch.matmul(pa, pb), "conv": conv}
    return {"matmul": (run["matmul"], 2 * size ** 3), "conv": (run["conv"], conv_flop())}


def _child(backend):
    results = {}
    for name, (fn, flop) in _kernels(backend, _SIZE.value).items():
        for _ in range(3):
            fn()  # compile and warm up
        seconds = []
        for _ in range(_REPEATS.value):
            t0 = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t0)
        results[name] = {"gflop_per_s": flop / statistics.median(seconds) / 1e9,
                         "gflop_per_call": flop / 1e9,
                         "best_gflop_per_s": flop / min(seconds) / 1e9}
    print(json.dumps(results))


def main(argv):
    del argv
    if _CHILD.value:
        _child(_CHILD.value)
        return
    from tools.outputs import refuse_existing

    refuse_existing(_OUTPUT.value, _OVERWRITE.value)
    from kerasgan.utils import provenance

    out = {"command": " ".join(["python", "tools/bench_peak.py", *sys.argv[1:]]),
           "date": time.strftime("%Y-%m-%d"), "machine": provenance.machine(),
           "versions": provenance.package_versions(),
           "load_average_start": list(os.getloadavg()), "backends": {}}
    for backend in _BACKENDS.value:
        env = dict(os.environ, KERAS_BACKEND="jax" if backend == "torch" else backend,
                   TF_CPP_MIN_LOG_LEVEL="3")
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), f"--child={backend}",
                               f"--size={_SIZE.value}", f"--repeats={_REPEATS.value}"],
                              capture_output=True, text=True, env=env)
        if proc.returncode:
            out["backends"][backend] = {"error": proc.stderr.strip().splitlines()[-1:]}
            continue
        out["backends"][backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        for name, r in out["backends"][backend].items():
            print(f"{backend:<11} {name:<7} {r['gflop_per_s']:8.1f} GFLOP/s (best "
                  f"{r['best_gflop_per_s']:.1f})", flush=True)
    out["load_average_end"] = list(os.getloadavg())
    if _OUTPUT.value:
        with open(_OUTPUT.value, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
        print(f"wrote {_OUTPUT.value}")


if __name__ == "__main__":
    app.run(main)
