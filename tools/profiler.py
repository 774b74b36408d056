r"""Profiling: what a training step costs, and where the time goes. One entry point, five modes.

    python -m tools.profiler --what=step ...            steps/s of a preset's fit() under variants
    python -m tools.profiler --what=convs ...           each convolution: forward and both gradients,
                                                       JAX vs TF vs TF+XLA vs PyTorch
    python -m tools.profiler --what=step_ops ...        a traced fit() step per layer and role
                                                       (forward, input/kernel gradient), TF vs JAX
    python -m tools.profiler --what=jax_ops ...         XLA op time per kind in a JAX fit() step
    python -m tools.profiler --what=conv_transpose ...  kerasgan's JAX transposed-convolution
                                                       gradient vs JAX's default, and TF

Each mode prints a table and writes JSON to --output. Default: under experiments/profiles/,
profile_step_<preset>_<backend>.json, profile_convs_<preset>.json,
profile_step_ops_<preset>.json or profile_jax_step_<preset>.json
(with _b<batch> for a --batch_size), or bench_conv_transpose_<backend>.json; --output= writes
none. Variants and backends run in their own processes, round-robin, so that machine drift
spreads over all of them.

--what=step: what one option costs. Each variant (config overrides and/or environment variables
such as XLA_FLAGS) runs in its own process for --rounds rounds; each process times --chunks
chunks of --steps steps within one fit() call, after its first (compiling) execution.
    # Cost of the gradient penalty in wgan_gp (double backward through the critic):
    python -m tools.profiler --what=step --preset=wgan_gp --backend=tensorflow --batch_size=16 \
        --variants='{"gp": {}, "no_gp": {"overrides": {"gradient_penalty_weight": 0}}}'
    # An XLA:CPU flag under JAX:
    python -m tools.profiler --what=step --preset=dcgan --backend=jax \
        --variants='{"default": {}, "xnn": {"env": {"XLA_FLAGS": "--xla_cpu_use_xnnpack=true"}}}'

--what=convs: every Conv2D / Conv2DTranspose of the preset's generator and discriminator, timed
(median of --repeats, one compiled call each, at the preset's batch size) for the three
operations a step runs: forward, input gradient, kernel gradient; under JAX with kerasgan's
transposed-convolution gradient and batch-split kernel gradients (the fit() defaults), under
TensorFlow with and without XLA, and, where PyTorch is installed (an optional bench-only
dependency), as the PyTorch eager twin of tools/bench_torch.py computes it (NCHW,
`torch.autograd.grad` of one recorded forward for each gradient, so each gradient is its own
kernel call): the per-op account of the bench's kerasgan vs PyTorch ratio.
    python -m tools.profiler --what=convs --preset=dcgan --repeats=7 --rounds=2

--what=step_ops: where a whole fit() step spends its time, per layer of the generator and the
discriminator and per role (forward, input gradient, kernel gradient, other ops of the layer),
plus the optimizer, the loss and the input pipeline; TensorFlow and JAX (or --backend) in their
own processes, --rounds rounds, median per cell. TensorFlow: tf.profiler's per-op statistics,
ops placed by their name scopes. JAX: jax.profiler's XLA:CPU op events, placed by the op_name
metadata of the compiled module (dumped with --xla_dump_to); where XLA's rewrites dropped a
convolution's name, it takes that of the unaccounted source convolution with the same output,
and XLA's nameless layout copies count as "layout copies" of the convolution they feed.
Op time is summed over threads, so it exceeds the wall time where ops overlap; the table also
gives each backend's untraced ms per step and its cores busy (process CPU time / wall).
    python -m tools.profiler --what=step_ops --preset=dcgan --rounds=2

--what=jax_ops: traces --steps training steps with jax.profiler (XLA:CPU op events on, via
--xla_cpu_enable_xprof_traceme), converts the trace with TensorFlow's profiler plugin and sums
the time of XLA's operations per kind (the op name without its `.N` suffix), per step.
Convolutions and matmuls run as `ynn_fusion` (YNNPACK) or `conv_general_dilated`.
    python -m tools.profiler --what=jax_ops --preset=dcgan --steps=4

--what=conv_transpose: `kerasgan.trainers.jax_conv_transpose` on and off (alternating, median of
--repeats) for the stride-2 layer of DESIGN.md (batch 128, 128->64 channels, 7->14 px):
forward, input gradient, kernel gradient; and a whole fit() step of the 28x28 DCGAN of the
TensorFlow tutorial (Radford et al., Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks, 2016), with the same GAN's step under
TensorFlow in a child process timed in the same alternation.
    python -m tools.profiler --what=conv_transpose --repeats=5 --steps=10
"""

import collections
import glob
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

FLAGS = flags.FLAGS
REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
RESULTS = os.path.join(REPO, "experiments", "profiles")
MODES = ("step", "convs", "step_ops", "jax_ops", "conv_transpose")
# Per-mode defaults of the shared flags (None on the command line = this).
_DEFAULTS = {
    "step": {"steps": 4, "repeats": None, "backend": "tensorflow"},
    "convs": {"steps": None, "repeats": 7, "backend": None},
    "step_ops": {"steps": 4, "repeats": None, "backend": None},
    "jax_ops": {"steps": 4, "repeats": None, "backend": "jax"},
    "conv_transpose": {"steps": 10, "repeats": 5, "backend": "jax"},
}


def define_flags():
    flags.DEFINE_enum("what", None, MODES, "What to profile (see the module docstring).")
    flags.DEFINE_string("preset", "dcgan", "Preset to profile (step, convs, step_ops, jax_ops).")
    flags.DEFINE_enum("backend", None, ["tensorflow", "jax"],
                      "Keras backend (step: of the variants, default tensorflow; conv_transpose: "
                      "of this process, default jax; step_ops: that one, default both). convs "
                      "runs both; jax_ops runs JAX.")
    flags.DEFINE_integer("batch_size", None,
                         "Batch size (default: the preset's; conv_transpose: 128).")
    flags.DEFINE_integer("steps", None,
                         "Steps per timed chunk (step, default 4), traced (step_ops and jax_ops, 4) "
                         "or per timed fit() call (conv_transpose, 10).")
    flags.DEFINE_integer("repeats", None,
                         "Timed calls per operation, median reported (convs 7, conv_transpose 5).")
    flags.DEFINE_integer("rounds", 2, "Round-robin rounds over the variant processes (step, convs, "
                         "step_ops).")
    flags.DEFINE_integer("chunks", 3, "Timed chunks per child run (step).")
    flags.DEFINE_string(
        "variants", '{"default": {}}',
        'step: JSON {"label": {"overrides": {config: value}, "env": {VAR: value}}}; the first is '
        "the base.")
    flags.DEFINE_integer("top", 15, "Op kinds to print (jax_ops).")
    flags.DEFINE_integer("kernel_size", 5, "conv_transpose: kernel size of every conv (the TF "
                         "tutorial: 5).")
    flags.DEFINE_bool("batchnorm", True, "conv_transpose: BatchNorm after the generator's hidden "
                      "layers.")
    flags.DEFINE_bool("layer", True, "conv_transpose: time the single-layer forward/gradients.")
    flags.DEFINE_bool("tf", True, "conv_transpose: also time the GAN step under TensorFlow.")
    flags.DEFINE_string("output", None,
                        "JSON results file (default: one under experiments/profiles/ named after the mode "
                        "and preset; empty: none).")
    flags.DEFINE_string("child", "", "Internal: the variant a child process runs.")
    flags.DEFINE_bool("serve", False, "Internal: conv_transpose's TensorFlow child.")
    flags.mark_flag_as_required("what")


def _opt(name):
    """A shared flag's value, or the current mode's default for it."""
    value = getattr(FLAGS, name)
    return _DEFAULTS[FLAGS.what][name] if value is None else value


def _output_path(default_name):
    if FLAGS.output is not None:
        return FLAGS.output
    return os.path.join(RESULTS, default_name + (f"_b{FLAGS.batch_size}" if FLAGS.batch_size else "")
                        + ".json")


def _write_json(obj, path):
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
    print(f"wrote {path}")


def _child_process(args, env, **kwargs):
    """`python -m tools.profiler <args>` from the repository root."""
    return [sys.executable, "-m", "tools.profiler", *args], dict(cwd=REPO, env=env, **kwargs)


def _run_child(args, env):
    """Runs a child; returns the JSON it printed on its `RESULT ` line."""
    cmd, kwargs = _child_process(args, env, capture_output=True, text=True)
    proc = subprocess.run(cmd, **kwargs)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise SystemExit(f"{' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def _preset_data(gan, config, kerasgan):
    """Fashion-MNIST batches of one training step of the preset's config, repeated.

    With labels when the GAN is class-conditional."""
    batch = int(config["batch_size"])
    if config.get("real_batches") == "split":
        batch *= int(config.get("d_steps", 1))
    ds = kerasgan.data.load("fashion_mnist", image_shape=gan.image_shape,
                            value_range=tuple(config["value_range"]), batch_size=batch, seed=0,
                            repeat=True, labels=bool(getattr(gan, "num_classes", None)))
    return ds, batch


def _compiled_preset(kerasgan):
    """(gan, ds, batch, steps_per_execution, steps to trace) of --preset, after its first call."""
    overrides = {"batch_size": FLAGS.batch_size} if FLAGS.batch_size else {}
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides)
    config = {**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}
    ds, batch = _preset_data(gan, config, kerasgan)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    gan.fit(ds, epochs=1, steps_per_epoch=spe, verbose=0)  # compile
    return gan, ds, batch, spe, max(spe, _opt("steps") // spe * spe)


def _traced_fit(gan, ds, steps, backend, tool):
    """Traces `steps` fit() steps; returns (the profiler plugin's `tool` output, ms per step)."""
    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin as plugin

    if backend == "jax":
        import jax

        start_trace, stop_trace = jax.profiler.start_trace, jax.profiler.stop_trace
    else:
        import tensorflow as tf

        start_trace, stop_trace = tf.profiler.experimental.start, tf.profiler.experimental.stop
    trace_dir = tempfile.mkdtemp(prefix="kerasgan-trace-")
    try:
        start_trace(trace_dir)
        start = time.perf_counter()
        gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
        ms = 1e3 * (time.perf_counter() - start) / steps
        stop_trace()
        paths = glob.glob(os.path.join(trace_dir, "**", "*.xplane.pb"), recursive=True)
        data, _ = plugin.xspace_to_tools_data(paths, tool, {})
    finally:
        shutil.rmtree(trace_dir, ignore_errors=True)
    return json.loads(data), ms



_TRACE_WRAPPERS = ("ThreadpoolListener", "ThunkExecutor", "SlinkyThreadPool", "end: ")


# ------------------------------------------------------------------------------ --what=step


def _step_child(spec):
    import resource

    import keras

    import kerasgan

    overrides = dict(spec.get("overrides", {}))
    if FLAGS.batch_size:
        overrides["batch_size"] = FLAGS.batch_size
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides)
    config = {**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}
    ds, batch = _preset_data(gan, config, kerasgan)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    executions = max(1, -(-_opt("steps") // spe))  # per chunk
    marks = []

    class Marks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            marks.append(time.perf_counter())

    # One fit() call: the first execution (tracing and compilation) is not timed, then
    # `chunks` chunks of `executions` executions each, timed at batch ends.
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=spe * (1 + executions * FLAGS.chunks), verbose=0,
            callbacks=[Marks()])
    first = marks[0] - start
    rates = [executions * spe / (marks[(i + 1) * executions] - marks[i * executions])
             for i in range(FLAGS.chunks)]
    return {"first_call_s": first, "steps_per_s": rates, "batch": batch, "steps": executions * spe,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _step_main():
    variants = json.loads(FLAGS.variants)
    if not variants:
        raise app.UsageError("--variants is empty; give at least one, e.g. '{\"default\": {}}'.")
    backend = _opt("backend")
    results = {label: [] for label in variants}
    for _ in range(FLAGS.rounds):
        for label, spec in variants.items():
            env = {**os.environ, "KERAS_BACKEND": backend,
                   **{k: str(v) for k, v in spec.get("env", {}).items()}}
            args = ["--what=step", f"--child={json.dumps(spec)}", f"--preset={FLAGS.preset}",
                    f"--steps={_opt('steps')}", f"--chunks={FLAGS.chunks}"]
            if FLAGS.batch_size:
                args.append(f"--batch_size={FLAGS.batch_size}")
            results[label].append(_run_child(args, env))
            print(f"{label}: {[round(r, 3) for r in results[label][-1]['steps_per_s']]} steps/s",
                  flush=True)
    base = None
    print(f"\n{FLAGS.preset} ({backend}), batch {results[next(iter(results))][0]['batch']}:")
    print(f"{'variant':<16}{'steps/s':>10}{'ratio':>8}{'1st call s':>12}{'RSS MB':>8}")
    summary = {}
    for label, runs in results.items():
        rates = [r for run in runs for r in run["steps_per_s"]]
        med = statistics.median(rates)
        base = base or med
        summary[label] = {"median_steps_per_s": med, "ratio_to_first": med / base,
                          "all_steps_per_s": rates, "runs": runs, "spec": variants[label]}
        print(f"{label:<16}{med:>10.3f}{med / base:>8.3f}"
              f"{statistics.median(r['first_call_s'] for r in runs):>12.1f}"
              f"{max(r['rss_mb'] for r in runs):>8.0f}")
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f}")
    _write_json({"preset": FLAGS.preset, "backend": backend, "command": sys.argv,
                 "load_average_end": load, "variants": summary},
                _output_path(f"profile_step_{FLAGS.preset}_{backend}"))


# ----------------------------------------------------------------------------- --what=convs

_CONV_OPS = ("forward", "input_grad", "kernel_grad")


def conv_layers(gan):
    """`[(name, layer)]` of the convolutions of the generator, then the discriminator."""
    import keras

    out = []
    for net, prefix in ((gan.generator, "G"), (gan.discriminator, "D")):
        for layer in net.layers:
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
                out.append((f"{prefix} {layer.name}", layer))
    return out


def layer_call(layer):
    """A pure function `(x, kernel) -> y` doing what `layer` does, without bias/activation."""
    import keras

    kw = dict(strides=layer.strides, padding=layer.padding, data_format=layer.data_format,
              dilation_rate=layer.dilation_rate)
    if isinstance(layer, keras.layers.Conv2DTranspose):
        return lambda x, k: keras.ops.conv_transpose(x, k, output_padding=layer.output_padding, **kw)
    return lambda x, k: keras.ops.conv(x, k, **kw)


def torch_conv(layer, kernel):
    """The PyTorch twin of `layer`'s convolution (tools/bench_torch.py), NCHW, no bias/activation.

    `kernel`: the weights, in Keras' layout (as `layer.kernel`).

    A "same" padding that is odd in total is symmetric in PyTorch (one row shifted, the usual
    PyTorch spelling): the same shapes and work, values equal where the padding is even or "valid".
    """
    import numpy as np
    import torch
    import torch.nn as nn

    from tools import bench_torch

    if getattr(layer, "is_tied", False):
        raise ValueError(f"Layer '{layer.name}' shares another layer's kernel; its PyTorch twin "
                         "needs the whole network (tools/bench_torch.keras_to_torch).")
    in_shape, out_shape = (tuple(int(d) for d in t.shape[1:]) for t in (layer.input, layer.output))
    module = bench_torch._convert_layer(layer, in_shape, out_shape, tied_sources={})
    ops = [m for m in module.modules() if isinstance(m, (nn.ZeroPad2d, nn.Conv2d, nn.ConvTranspose2d))]
    ops[-1].register_parameter("bias", None)
    with torch.no_grad():
        ops[-1].weight.copy_(torch.from_numpy(np.asarray(kernel).transpose(3, 2, 0, 1).copy()))
    return nn.Sequential(*ops)


def _torch_times(layer, x, k, g, repeats):
    """ms per call of the PyTorch twin: forward, input gradient, kernel gradient."""
    import torch

    from tools import bench_torch

    torch.set_num_threads(bench_torch.cores())
    module = torch_conv(layer, k)
    weight = module[-1].weight
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
    gt = torch.from_numpy(g.transpose(0, 3, 1, 2).copy())
    y = module(xt)  # recorded once; each gradient replays its own backward kernel

    def forward():
        with torch.no_grad():
            module(xt)

    return {"forward": _median_ms(forward, repeats),
            "input_grad": _median_ms(lambda: torch.autograd.grad(y, xt, gt, retain_graph=True),
                                     repeats),
            "kernel_grad": _median_ms(lambda: torch.autograd.grad(y, weight, gt, retain_graph=True),
                                      repeats)}


def _median_ms(fn, repeats):
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


def _convs_child(variant):
    import numpy as np

    import kerasgan

    repeats = _opt("repeats")
    overrides = {"batch_size": FLAGS.batch_size} if FLAGS.batch_size else {}
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides)
    batch = int({**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}["batch_size"])
    rng = np.random.default_rng(0)
    rows = {}
    for name, layer in conv_layers(gan):
        f = layer_call(layer)
        x = rng.standard_normal((batch,) + tuple(layer.input.shape[1:])).astype("float32")
        k = (0.02 * rng.standard_normal(tuple(layer.kernel.shape))).astype("float32")
        g = rng.standard_normal((batch,) + tuple(layer.output.shape[1:])).astype("float32")
        if variant == "torch":
            times = _torch_times(layer, x, k, g, repeats)
        elif variant == "jax":
            import jax

            from kerasgan.trainers import jax_conv_split, jax_conv_transpose

            fns = {
                "forward": lambda x, k, g: f(x, k),
                "input_grad": lambda x, k, g: jax.vjp(lambda x: f(x, k), x)[1](g)[0],
                "kernel_grad": lambda x, k, g: jax.vjp(lambda k: f(x, k), k)[1](g)[0],
            }
            times = {}
            for op, fn in fns.items():
                jitted = jax.jit(fn)
                with jax_conv_transpose.fast_conv_transpose_grad(True), \
                        jax_conv_split.split_kernel_grads():  # traced as fit() does
                    jax.block_until_ready(jitted(x, k, g))
                times[op] = _median_ms(lambda: jax.block_until_ready(jitted(x, k, g)), repeats)
        else:
            import tensorflow as tf

            xla = variant == "tensorflow_xla"
            xv, kv, gv = tf.constant(x), tf.constant(k), tf.constant(g)

            def grad(wrt):
                def fn(x, k, g):
                    with tf.GradientTape() as tape:
                        tape.watch([x, k])
                        y = f(x, k)
                    return tape.gradient(y, [x, k][wrt], output_gradients=g)
                return fn

            fns = {"forward": lambda x, k, g: f(x, k), "input_grad": grad(0), "kernel_grad": grad(1)}
            times = {}
            for op, fn in fns.items():
                compiled = tf.function(fn, jit_compile=xla)
                times[op] = _median_ms(lambda: compiled(xv, kv, gv).numpy(), repeats)
        rows[name] = {"times_ms": times, "input": list(x.shape), "kernel": list(k.shape),
                      "strides": list(layer.strides), "transposed": "Transpose" in type(layer).__name__}
    return {"batch": batch, "layers": rows}


def _convs_main():
    from tools import bench_torch

    variants = {"jax": "jax", "tensorflow": "tensorflow", "tensorflow_xla": "tensorflow"}
    if bench_torch.available():
        variants["torch"] = "tensorflow"  # Keras builds the preset; the child times PyTorch
    else:
        print("[profile] PyTorch column skipped: PyTorch is not installed (optional, bench-only: "
              "pip install torch==2.13.0)", flush=True)
    runs = {v: [] for v in variants}
    for _ in range(FLAGS.rounds):
        for variant, backend in variants.items():
            args = ["--what=convs", f"--child={variant}", f"--preset={FLAGS.preset}",
                    f"--repeats={_opt('repeats')}"]
            if FLAGS.batch_size:
                args.append(f"--batch_size={FLAGS.batch_size}")
            runs[variant].append(_run_child(args, {**os.environ, "KERAS_BACKEND": backend}))
            print(f"[profile] {variant} round done", flush=True)
    layers = list(runs["jax"][0]["layers"])
    table = {}
    for name in layers:
        table[name] = {v: {op: statistics.median(r["layers"][name]["times_ms"][op] for r in runs[v])
                           for op in _CONV_OPS} for v in variants}
    batch = runs["jax"][0]["batch"]
    labels = {"jax": "JAX (kerasgan's gradients)", "tensorflow": "TF",
              "tensorflow_xla": "TF+XLA", "torch": "PyTorch"}
    width = 10 * len(variants) + 7
    print(f"\n{FLAGS.preset}, batch {batch}: ms per call (median), "
          + " | ".join(labels[v] for v in variants))
    print(f"{'layer':<22}{'input':<18}" + "".join(f"{op:>{width}}" for op in _CONV_OPS))
    totals = {v: 0.0 for v in variants}
    for name in layers:
        info = runs["jax"][0]["layers"][name]
        cells = []
        for op in _CONV_OPS:
            vals = [table[name][v][op] for v in variants]
            cells.append(" / ".join(f"{t:7.1f}" for t in vals))
            for v in variants:
                totals[v] += table[name][v][op]
        shape = "x".join(str(d) for d in info["input"][1:])
        print(f"{name:<22}{shape:<18}" + "".join(f"{c:>{width}}" for c in cells))
    print("sum of the convolutions (one forward + both gradients per layer), ms: "
          + ", ".join(f"{v} {t:.0f}" for v, t in totals.items()))
    _write_json({"preset": FLAGS.preset, "batch": batch, "command": sys.argv,
                 "median_ms": table, "totals_ms": totals, "runs": runs,
                 "load_average_end": os.getloadavg()},
                _output_path(f"profile_convs_{FLAGS.preset}"))


# --------------------------------------------------------------------------- --what=jax_ops

def _jax_ops_main():
    # Before Keras is imported: the JAX backend, and XLA:CPU op events in the profiler trace.
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != "jax":
        raise RuntimeError("--what=jax_ops must run in a fresh process (keras is already imported).")
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_cpu_enable_xprof_traceme=true").strip()
    import kerasgan

    gan, ds, batch, _, steps = _compiled_preset(kerasgan)
    trace, wall_ms = _traced_fit(gan, ds, steps, "jax", "trace_viewer@")
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
    _write_json({"preset": FLAGS.preset, "batch": batch, "steps": steps,
                 "wall_ms_per_step": wall_ms, "op_ms_per_step": dict(rows),
                 "calls_per_step": {k: counts[k] / steps for k in kinds},
                 "command": sys.argv, "load_average_end": os.getloadavg()},
                _output_path(f"profile_jax_step_{FLAGS.preset}"))


# -------------------------------------------------------------------------- --what=step_ops

_ROLES = ("forward", "input gradient", "kernel gradient", "gradients", "layout copies", "other")
_LAYOUT_COPY = "layout_copy"  # op_name suffix of XLA's copies placed on the convolution they feed
_OUTSIDE = ("(optimizer)", "(loss, metrics and the rest)", "(input pipeline)",
            "(no source op: XLA's layout copies)")


def network_layers(gan):
    """`{net name: {layer name: layer}}` of the generator and discriminator, in call order."""
    return {net.name: {layer.name: layer for layer in net.layers}
            for net in (gan.generator, gan.discriminator)}


def _named(token, names):
    """The name in `names` that `token` is (or is with a `_<n>` uniquifying suffix), else None."""
    if token in names:
        return token
    match = re.fullmatch(r"(.+)_\d+", token)
    return match.group(1) if match and match.group(1) in names else None


def layer_of(path, layers):
    """`(net, layer)` whose scope an op name path lies in, or `(None, None)`.

    Works for TensorFlow op names (`StatefulPartitionedCall/generator_1/up_1_1/conv_transpose`)
    and JAX's (`jit(train_step)/transpose(jvp(generator))/up_1/conv_general_dilated`)."""
    tokens = [t for t in re.split(r"[/()]", path) if t]
    for i, token in enumerate(tokens):
        net = _named(token, layers)
        if net is None:
            continue
        for later in tokens[i + 1:]:
            layer = _named(later, layers[net])
            if layer is not None:
                return net, layer
        return net, None
    return None, None


def _outside(path):
    if not path:
        return _OUTSIDE[3]
    lowered = path.lower()
    if any(w in lowered for w in ("optimizer", "adam", "rmsprop", "sgd", "assignvariable")):
        return _OUTSIDE[0]
    return _OUTSIDE[1]


def _is_transposed(layer):
    return "Transpose" in type(layer).__name__


def tf_op_role(op_type, path, layer):
    """forward / input gradient / kernel gradient / gradients / other, for a TF op of `layer`."""
    kind = re.sub(r"^_(MklNative|Mkl)", "", op_type)
    kind = re.sub(r"^(Fused)?Conv2D.*Fused.*|^FusedConv2D$", "Conv2D", kind)
    if kind in ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"):
        if kind == "Conv2DBackpropFilter":
            return "kernel gradient"
        forward = "Conv2DBackpropInput" if _is_transposed(layer) else "Conv2D"
        return "forward" if kind == forward else "input gradient"
    if kind in ("MatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum", "_FusedMatMul"):
        return "gradients" if "gradient" in path.lower() else "forward"
    return "other"


def jax_op_role(path, shape, layer, batch):
    """The role of an XLA instruction (its op_name metadata and output shape) within `layer`."""
    last = [t for t in re.split(r"[/()]", path) if t][-1] if path else ""
    if last == _LAYOUT_COPY:
        return "layout copies"
    if last not in ("conv_general_dilated", "dot_general"):
        return "other"
    if "transpose(" not in path:
        return "forward"
    kernel = getattr(layer, "kernel", None)
    if kernel is None or shape is None:
        return "input gradient"
    if sorted(shape) == sorted(kernel.shape):
        return "kernel gradient"
    # XLA may flatten or permute a gradient: tell them apart by size, the input's first.
    if math.prod(shape) == batch * math.prod(layer.input.shape[1:]):
        return "input gradient"
    return "kernel gradient" if math.prod(shape) == math.prod(kernel.shape) else "input gradient"


def parse_hlo(text):
    """`{instruction: {"dims", "op_name", "opcode", "computes"}}` of an HLO module's text.

    `computes` says whether the instruction is, or is a fusion that calls, a convolution or a
    dot; `dims` is the output's dimensions (None for a tuple)."""
    out, bodies, computation = {}, collections.defaultdict(set), None
    pattern = re.compile(r"^\s*(?:ROOT\s+)?%?([\w.\-]+)\s*=\s*(\S+)\s+([\w\-]+)\(")
    for line in text.splitlines():
        header = re.match(r"^(?:ENTRY\s+)?%?([\w.\-]+)\s.*\{\s*$", line)
        if header and "=" not in line.split("(")[0]:
            computation = header.group(1)
            continue
        match = pattern.match(line)
        if not match:
            continue
        name, shape, opcode = match.groups()
        bodies[computation].add(opcode)
        op_name = re.search(r"metadata=\{[^}]*op_name=\"([^\"]*)\"", line)
        calls = re.search(r"calls=%?([\w.\-]+)", line)
        args = line[match.end():].split(")", 1)[0]
        dims = re.fullmatch(r"[a-z0-9]+\[([\d,]*)\](?:\{[^}]*\})?", shape)
        out[name] = {"dims": [int(d) for d in dims.group(1).split(",") if d] if dims else None,
                     "op_name": op_name.group(1) if op_name else "", "opcode": opcode,
                     "calls": calls.group(1) if calls and opcode == "fusion" else None,
                     "operands": re.findall(r"%([\w.\-]+)", args), "computation": computation}
    fused = {info["calls"] for info in out.values() if info["calls"]}
    for info in out.values():
        called = bodies.get(info.pop("calls"), set()) if info["opcode"] == "fusion" else set()
        info["computes"] = bool({info["opcode"], *called} & {"convolution", "dot"})
        info["fused"] = info.pop("computation") in fused  # inside a fusion: not its own kernel
    return out


def hlo_op_names(optimized, original=""):
    """`{instruction: (dims, op_name)}` of an optimized HLO module's text.

    XLA's rewrites drop the source op's name from some convolutions and dots (kerasgan's
    transposed-convolution kernel gradient, for one); each such instruction takes the name of a
    convolution or dot of the original module (`original`, the text before optimizations) with
    the same output dimensions, in any order, that no named instruction accounts for. Nameless
    copies and transposes that feed a convolution or dot (XLA's layout assignment) take its name
    with a `/layout_copy` suffix."""
    opt = parse_hlo(optimized)
    unclaimed = [(info["op_name"], sorted(info["dims"] or []))
                 for info in parse_hlo(original).values()
                 if info["computes"] and info["op_name"] and not info["fused"]]
    named = {n: i for n, i in opt.items() if i["computes"] and i["op_name"] and not i["fused"]}
    for info in named.values():
        key = (info["op_name"], sorted(info["dims"] or []))
        if key in unclaimed:
            unclaimed.remove(key)
    out = {}
    for name, info in opt.items():
        op_name = info["op_name"]
        if not op_name and info["computes"] and not info["fused"]:
            for key in unclaimed:
                if key[1] == sorted(info["dims"] or []):
                    op_name = key[0]
                    unclaimed.remove(key)
                    break
        out[name] = (info["dims"], op_name)
    users = collections.defaultdict(list)
    for name, info in opt.items():
        for operand in info["operands"]:
            users[operand].append(name)
    for name, info in opt.items():
        if out[name][1] or info["computes"] or info["fused"]:
            continue
        frontier, seen = list(users[name]), set()
        while frontier:  # breadth first through nameless copies, to the first convolution/dot
            user = frontier.pop(0)
            if user in seen or user not in opt:
                continue
            seen.add(user)
            if opt[user]["computes"] and out[user][1]:
                out[name] = (info["dims"], f"{out[user][1]}/{_LAYOUT_COPY}")
                break
            if not out[user][1]:
                frontier.extend(users[user])
    return out


def _step_ops_untraced(gan, ds, spe, steps):
    """(ms per step, cores busy) of fit() without tracing; cores busy = process CPU time / wall."""
    import keras

    marks = []

    def clocks():
        usage = os.times()
        return time.perf_counter(), usage.user + usage.system

    class Marks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            marks.append(clocks())

    executions = max(1, -(-steps // spe))
    gan.fit(ds, epochs=1, steps_per_epoch=spe * (1 + executions), verbose=0, callbacks=[Marks()])
    (wall0, cpu0), (wall1, cpu1) = marks[0], marks[-1]
    return 1e3 * (wall1 - wall0) / (executions * spe), (cpu1 - cpu0) / (wall1 - wall0)


def _step_ops_child(backend):
    """Traces a fit() step; returns ms per step summed per (net, layer, role)."""
    import kerasgan

    gan, ds, batch, spe, steps = _compiled_preset(kerasgan)
    layers = network_layers(gan)
    untraced, cores_busy = _step_ops_untraced(gan, ds, spe, steps)
    cells = collections.defaultdict(float)  # "net|layer|role" -> ms per step

    def add(path, role_of):
        net, name = layer_of(path, layers)
        if name is None:
            return f"||{_outside(path)}" if net is None else f"{net}||other"
        return f"{net}|{name}|{role_of(layers[net][name])}"

    if backend == "jax":
        trace, traced = _traced_fit(gan, ds, steps, "jax", "trace_viewer@")
        modules = {}
        dump = os.environ["KERASGAN_HLO_DUMP"]
        for path in sorted(glob.glob(os.path.join(dump, "*.cpu_after_optimizations.txt"))):
            # module_NNNN.<name>.cpu_after_optimizations.txt; the last compile of a name wins
            before = path.replace(".cpu_after_optimizations.txt", ".before_optimizations.txt")
            with open(path, encoding="utf-8") as f, open(before, encoding="utf-8") as g:
                modules[os.path.basename(path).split(".")[1]] = hlo_op_names(f.read(), g.read())
        for e in trace["traceEvents"]:
            args = e.get("args") or {}
            if e.get("ph") != "X" or "hlo_op" not in args:
                continue
            shape, op_name = modules.get(args.get("hlo_module"), {}).get(args["hlo_op"], (None, ""))
            key = add(op_name, lambda layer: jax_op_role(op_name, shape, layer, batch))
            cells[key] += float(e.get("dur", 0)) / 1e3 / steps
    else:
        table, traced = _traced_fit(gan, ds, steps, "tensorflow", "framework_op_stats")
        table = table[0] if isinstance(table, list) else table
        cols = [c["id"] for c in table["cols"]]
        for row in table["rows"]:
            r = dict(zip(cols, [c.get("v") for c in row["c"]]))
            op_type, path = r["type"], r["operation"]
            if op_type == "IDLE":
                continue
            if op_type == "Dataset" or path.startswith("Iterator::"):
                key = f"||{_OUTSIDE[2]}"
            else:
                key = add(path, lambda layer: tf_op_role(op_type, path, layer))
            cells[key] += float(r["total_self_time"]) / 1e3 / steps
    order = [f"{net}|{name}" for net, names in layers.items() for name in names]
    return {"batch": batch, "steps": steps, "untraced_ms_per_step": untraced,
            "cores_busy_untraced": cores_busy,
            "traced_ms_per_step": traced, "cells": dict(cells), "layer_order": order}


def _step_ops_main():
    backends = [FLAGS.backend] if FLAGS.backend else ["tensorflow", "jax"]
    runs = {b: [] for b in backends}
    for _ in range(FLAGS.rounds):
        for backend in backends:
            env = {**os.environ, "KERAS_BACKEND": backend}
            if backend == "jax":
                dump = tempfile.mkdtemp(prefix="kerasgan-hlo-")
                env["KERASGAN_HLO_DUMP"] = dump
                env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "")
                                    + " --xla_cpu_enable_xprof_traceme=true"
                                    f" --xla_dump_to={dump} --xla_dump_hlo_as_text"
                                    " --xla_dump_hlo_pass_re=^$").strip()
            args = ["--what=step_ops", f"--child={backend}", f"--preset={FLAGS.preset}",
                    f"--steps={_opt('steps')}"]
            if FLAGS.batch_size:
                args.append(f"--batch_size={FLAGS.batch_size}")
            try:
                runs[backend].append(_run_child(args, env))
            finally:
                if backend == "jax":
                    shutil.rmtree(dump, ignore_errors=True)
            print(f"[profile] {backend} round done", flush=True)
    result = summarize_step_ops(runs)
    _print_step_ops(result)
    result.update(command=sys.argv, runs=runs, load_average_end=os.getloadavg())
    _write_json(result, _output_path(f"profile_step_ops_{FLAGS.preset}"))


def summarize_step_ops(runs):
    """Median over rounds of each cell, and totals, per backend."""
    backends = list(runs)
    keys = sorted({k for b in backends for r in runs[b] for k in r["cells"]})
    order = runs[backends[0]][0]["layer_order"]

    def sort_key(key):
        net, name, role = key.split("|")
        layer = f"{net}|{name}"
        rank = order.index(layer) if layer in order else len(order) + (0 if net else 1)
        return (rank, _ROLES.index(role) if role in _ROLES else 0, role)

    keys.sort(key=sort_key)
    median = {b: {k: statistics.median(r["cells"].get(k, 0.0) for r in runs[b]) for k in keys}
              for b in backends}
    return {
        "preset": FLAGS.preset,
        "batch": runs[backends[0]][0]["batch"],
        "cells_ms_per_step": median,
        "order": keys,
        "traced_op_ms_per_step": {b: sum(median[b].values()) for b in backends},
        "traced_wall_ms_per_step": {b: statistics.median(r["traced_ms_per_step"] for r in runs[b])
                                    for b in backends},
        "untraced_ms_per_step": {b: statistics.median(r["untraced_ms_per_step"] for r in runs[b])
                                 for b in backends},
        "cores_busy_untraced": {b: statistics.median(r["cores_busy_untraced"] for r in runs[b])
                                for b in backends},
    }


def _print_step_ops(result):
    backends = list(result["cells_ms_per_step"])
    cells = result["cells_ms_per_step"]
    print(f"\n{result['preset']}, batch {result['batch']}: op time per traced step, ms (summed "
          "over threads), by layer and role")
    head = "".join(f"{b:>12}" for b in backends)
    diff = len(backends) == 2
    print(f"{'network/layer':<30}{'role':<17}{head}" + (f"{'difference':>12}" if diff else ""))
    for key in result["order"]:
        net, name, role = key.split("|")
        vals = [cells[b][key] for b in backends]
        if max(vals) < 0.05:
            continue
        label = f"{net}/{name}" if name else (net or role)
        role = "" if not net else role
        print(f"{label:<30}{role:<17}" + "".join(f"{v:>12.1f}" for v in vals)
              + (f"{vals[1] - vals[0]:>12.1f}" if diff else ""))
    for title, field in (("sum of op time", "traced_op_ms_per_step"),
                         ("wall, traced", "traced_wall_ms_per_step"),
                         ("wall, untraced", "untraced_ms_per_step")):
        vals = [result[field][b] for b in backends]
        print(f"{title:<47}" + "".join(f"{v:>12.1f}" for v in vals)
              + (f"{vals[1] - vals[0]:>12.1f}" if diff else ""))
    print(f"{'cores busy, untraced (CPU time / wall)':<47}"
          + "".join(f"{result['cores_busy_untraced'][b]:>12.2f}" for b in backends))


# -------------------------------------------------------------------- --what=conv_transpose


def _ct_batch():
    return FLAGS.batch_size or 128


def _alternate(variants, repeats):
    """Times callables `{name: fn}` in alternation; returns {name: (median, all times)}."""
    times = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), t) for name, t in times.items()}


def _tutorial_dcgan(keras, kernel_size, batchnorm):
    """The 28x28 DCGAN of the TensorFlow tutorial: generator and discriminator."""
    layers = keras.layers

    def norm():
        return [layers.BatchNormalization()] if batchnorm else []

    generator = keras.Sequential(
        [
            keras.Input((100,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            *norm(),
            layers.LeakyReLU(0.2),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, kernel_size, strides=1, padding="same", use_bias=False),
            *norm(),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(64, kernel_size, strides=2, padding="same", use_bias=False),
            *norm(),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, kernel_size, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Dropout(0.3),
            layers.Conv2D(128, kernel_size, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return generator, discriminator


def _gan_stepper(enable):
    """A compiled, warmed-up GAN and a function running `--steps` fit() steps."""
    import keras
    import numpy as np

    import kerasgan

    if enable is not None:
        from kerasgan.trainers import jax_conv_transpose

        jax_conv_transpose.enabled = enable
    keras.utils.set_random_seed(0)
    generator, discriminator = _tutorial_dcgan(keras, FLAGS.kernel_size, FLAGS.batchnorm)
    gan = kerasgan.GAN(generator, discriminator, output_range=(-1.0, 1.0), seed=0)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    steps, batch = _opt("steps"), _ct_batch()
    n_images = max(steps, 2) * batch  # the warm-up runs 2 steps
    images = np.random.default_rng(0).uniform(-1, 1, (n_images, 28, 28, 1)).astype("float32")

    def run(n_steps=steps):
        history = gan.fit(images, batch_size=batch, epochs=1, steps_per_epoch=n_steps,
                          shuffle=False, verbose=0)
        # fit() returns after the last step's logs were read back: the work is done.
        return history.history["g_loss"][-1]

    run(2)  # traces and compiles the step (the switch is read here), then warms up
    return gan, run


def _time_gan(variants, tf_child=None):
    """Median seconds per training step of each `{name: enable}` GAN (and TF), alternating."""
    runners = {}
    jit = None
    for name, enable in variants.items():
        gan, run = _gan_stepper(enable)
        runners[name] = run
        jit = gan.jit_compile
    if tf_child is not None:
        runners["tensorflow"] = tf_child
    results = _alternate(runners, _opt("repeats"))
    steps = _opt("steps")
    return {
        name: {"s_per_step": med / steps, "steps_per_s": steps / med,
               "all_s_per_step": [t / steps for t in ts],
               "jit_compile": tf_child.jit_compile if name == "tensorflow" and tf_child else jit}
        for name, (med, ts) in results.items()
    }


def _time_layer():
    """Forward, input-gradient and kernel-gradient times of DESIGN.md's layer, on vs off."""
    import jax
    import keras
    import numpy as np

    from kerasgan.trainers import jax_conv_transpose

    rng = np.random.default_rng(0)
    batch, k = _ct_batch(), FLAGS.kernel_size
    x = jax.numpy.asarray(rng.standard_normal((batch, 7, 7, 128)), "float32")
    kernel = jax.numpy.asarray(0.02 * rng.standard_normal((k, k, 64, 128)), "float32")
    g = jax.numpy.asarray(rng.standard_normal((batch, 14, 14, 64)), "float32")

    def conv(x, kernel):
        return keras.ops.conv_transpose(x, kernel, strides=2, padding="same")

    ops = {
        "forward": lambda x, kernel, g: conv(x, kernel),
        "input_grad": lambda x, kernel, g: jax.vjp(lambda x: conv(x, kernel), x)[1](g)[0],
        "kernel_grad": lambda x, kernel, g: jax.vjp(lambda k: conv(x, k), kernel)[1](g)[0],
    }
    out = {}
    for op_name, op in ops.items():
        variants = {}
        for name, enable in (("fast", True), ("default", False)):
            fn = jax.jit(lambda x, kernel, g, op=op: op(x, kernel, g))
            with jax_conv_transpose.fast_conv_transpose_grad(enable):
                jax.block_until_ready(fn(x, kernel, g))  # traced under the switch
            jax.block_until_ready(fn(x, kernel, g))
            variants[name] = lambda fn=fn: jax.block_until_ready(fn(x, kernel, g))
        results = _alternate(variants, _opt("repeats"))
        out[op_name] = {name: {"s": med, "all_s": ts} for name, (med, ts) in results.items()}
    return out


def _start_tf_child():
    """Starts the TF child; returns it and a function that runs one timed fit() there."""
    args = ["--what=conv_transpose", "--backend=tensorflow", "--serve", f"--steps={_opt('steps')}",
            f"--batch_size={_ct_batch()}", f"--kernel_size={FLAGS.kernel_size}",
            f"--batchnorm={FLAGS.batchnorm}"]
    cmd, kwargs = _child_process(args, dict(os.environ, KERAS_BACKEND="tensorflow"),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    child = subprocess.Popen(cmd, **kwargs)

    def read():
        line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"TensorFlow child exited ({child.wait()}); run: {' '.join(cmd)}")
        return line.strip()

    def run():
        child.stdin.write("run\n")
        child.stdin.flush()
        return float(read())

    line = read()
    while not line.startswith("ready"):
        line = read()
    run.jit_compile = line.split()[-1] == "True"  # Keras' "auto" resolves per backend
    return child, run


def _serve_tf():
    """The TF child: builds and warms up, then runs one fit() per stdin line."""
    gan, run = _gan_stepper(None)
    print("ready", gan.jit_compile, flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        run()
        print(time.perf_counter() - start, flush=True)


def _conv_transpose_main():
    backend = _opt("backend")
    os.environ["KERAS_BACKEND"] = backend
    import keras

    if keras.backend.backend() != backend:
        raise RuntimeError(f"keras was imported with backend {keras.backend.backend()!r} first.")
    if FLAGS.serve:
        _serve_tf()
        return
    if backend == "tensorflow":
        result = {"gan_step": _time_gan({"tensorflow": None})}
    else:
        import jax

        result = {"device": str(jax.devices()[0]), "jax": jax.__version__,
                  "keras": keras.__version__}
        if FLAGS.layer:
            result["layer"] = _time_layer()
        child, tf_run = _start_tf_child() if FLAGS.tf else (None, None)
        try:
            result["gan_step"] = _time_gan({"fast": True, "default": False}, tf_run)
        finally:
            if child is not None:
                child.stdin.close()
                child.wait()
    result["flags"] = {"repeats": _opt("repeats"), "steps": _opt("steps"), "batch": _ct_batch(),
                       "kernel_size": FLAGS.kernel_size, "batchnorm": FLAGS.batchnorm}
    result["command"] = " ".join(sys.argv)
    _print_conv_transpose(result)
    _write_json(result, FLAGS.output if FLAGS.output is not None
                else os.path.join(RESULTS, f"bench_conv_transpose_{backend}.json"))


def _print_conv_transpose(result):
    print(f"\n{'what':<34}{'fast (ms)':>12}{'default (ms)':>14}{'speed-up':>10}")
    for op_name, r in result.get("layer", {}).items():
        fast, default = r["fast"]["s"] * 1e3, r["default"]["s"] * 1e3
        print(f"{'layer ' + op_name:<34}{fast:>12.1f}{default:>14.1f}{default / fast:>9.2f}x")
    steps = result["gan_step"]
    if "fast" in steps:
        fast, default = steps["fast"]["s_per_step"] * 1e3, steps["default"]["s_per_step"] * 1e3
        print(f"{'GAN train step (JAX)':<34}{fast:>12.1f}{default:>14.1f}{default / fast:>9.2f}x")
    if "tensorflow" in steps:
        tf_ms = steps["tensorflow"]["s_per_step"] * 1e3
        print(f"{'GAN train step (TensorFlow)':<34}{tf_ms:>12.1f}")
        if "fast" in steps:
            print(f"JAX/TF step-time ratio: fast {steps['fast']['s_per_step'] * 1e3 / tf_ms:.2f}, "
                  f"default {steps['default']['s_per_step'] * 1e3 / tf_ms:.2f}")


# ------------------------------------------------------------------------------------ main


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if FLAGS.child:
        child = {"step": lambda: _step_child(json.loads(FLAGS.child)),
                 "convs": lambda: _convs_child(FLAGS.child),
                 "step_ops": lambda: _step_ops_child(FLAGS.child)}.get(FLAGS.what)
        if child is None:
            raise app.UsageError(f"--child is internal to --what=step, convs and step_ops. "
                                 f"Received: --what={FLAGS.what}")
        print("RESULT " + json.dumps(child()), flush=True)
        return
    {"step": _step_main, "convs": _convs_main, "step_ops": _step_ops_main, "jax_ops": _jax_ops_main,
     "conv_transpose": _conv_transpose_main}[FLAGS.what]()


if __name__ == "__main__":
    define_flags()
    app.run(main)
