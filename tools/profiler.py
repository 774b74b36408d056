r"""Profiling: what a training step costs, and where the time goes. One entry point, four modes.

    python -m tools.profiler --what=step ...            steps/s of a preset's fit() under variants
    python -m tools.profiler --what=convs ...           each convolution: forward and both gradients,
                                                       JAX vs TF vs TF+XLA vs PyTorch
    python -m tools.profiler --what=jax_ops ...         XLA op time per kind in a JAX fit() step
    python -m tools.profiler --what=conv_transpose ...  kerasgan's JAX transposed-convolution
                                                       gradient vs JAX's default, and TF

Each mode prints a table and writes JSON to --output. Default: under tools/results/,
profile_step_<preset>_<backend>.json, profile_convs_<preset>.json or profile_jax_step_<preset>.json
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
transposed-convolution gradient (the fit() default), under TensorFlow with and without XLA, and,
where PyTorch is installed (an optional bench-only dependency), as the PyTorch eager twin of
tools/bench_torch.py computes it (NCHW, `torch.autograd.grad` of one recorded forward for each
gradient, so each gradient is its own kernel call): the per-op account of the bench's
kerasgan vs PyTorch ratio.
    python -m tools.profiler --what=convs --preset=dcgan --repeats=7 --rounds=2

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
RESULTS = os.path.join(REPO, "tools", "results")
MODES = ("step", "convs", "jax_ops", "conv_transpose")
# Per-mode defaults of the shared flags (None on the command line = this).
_DEFAULTS = {
    "step": {"steps": 4, "repeats": None, "backend": "tensorflow"},
    "convs": {"steps": None, "repeats": 7, "backend": None},
    "jax_ops": {"steps": 4, "repeats": None, "backend": "jax"},
    "conv_transpose": {"steps": 10, "repeats": 5, "backend": "jax"},
}


def define_flags():
    flags.DEFINE_enum("what", None, MODES, "What to profile (see the module docstring).")
    flags.DEFINE_string("preset", "dcgan", "Preset to profile (step, convs, jax_ops).")
    flags.DEFINE_enum("backend", None, ["tensorflow", "jax"],
                      "Keras backend (step: of the variants, default tensorflow; conv_transpose: "
                      "of this process, default jax). convs runs both; jax_ops runs JAX.")
    flags.DEFINE_integer("batch_size", None,
                         "Batch size (default: the preset's; conv_transpose: 128).")
    flags.DEFINE_integer("steps", None,
                         "Steps per timed chunk (step, default 4), traced (jax_ops, 4) or per "
                         "timed fit() call (conv_transpose, 10).")
    flags.DEFINE_integer("repeats", None,
                         "Timed calls per operation, median reported (convs 7, conv_transpose 5).")
    flags.DEFINE_integer("rounds", 2, "Round-robin rounds over the variant processes (step, convs).")
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
                        "JSON results file (default: one under tools/results/ named after the mode "
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

            from kerasgan.trainers import jax_conv_transpose

            fns = {
                "forward": lambda x, k, g: f(x, k),
                "input_grad": lambda x, k, g: jax.vjp(lambda x: f(x, k), x)[1](g)[0],
                "kernel_grad": lambda x, k, g: jax.vjp(lambda k: f(x, k), k)[1](g)[0],
            }
            times = {}
            for op, fn in fns.items():
                jitted = jax.jit(fn)
                with jax_conv_transpose.fast_conv_transpose_grad(True):  # traced as fit() does
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
    labels = {"jax": "JAX (kerasgan's ConvT gradient)", "tensorflow": "TF",
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

_TRACE_WRAPPERS = ("ThreadpoolListener", "ThunkExecutor", "SlinkyThreadPool", "end: ")


def _jax_ops_main():
    # Before Keras is imported: the JAX backend, and XLA:CPU op events in the profiler trace.
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != "jax":
        raise RuntimeError("--what=jax_ops must run in a fresh process (keras is already imported).")
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_cpu_enable_xprof_traceme=true").strip()
    import jax
    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin as plugin

    import kerasgan

    overrides = {"batch_size": FLAGS.batch_size} if FLAGS.batch_size else {}
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides)
    config = {**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}
    ds, batch = _preset_data(gan, config, kerasgan)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    steps = max(spe, _opt("steps") // spe * spe)
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
        if e["name"].startswith(_TRACE_WRAPPERS):
            continue
        kind = re.sub(r"\.\d+$", "", e["name"])
        kinds[kind] += float(e.get("dur", 0)) / 1e3 / steps
        counts[kind] += 1
    total = sum(kinds.values())
    print(f"{FLAGS.preset} (jax), batch {batch}: {1e3 * wall:.0f} ms per step (wall, traced); "
          f"XLA op time {total:.0f} ms per step (summed over threads)")
    print(f"{'ms/step':>9} {'calls/step':>11} {'share':>6}  op kind")
    rows = sorted(kinds.items(), key=lambda kv: -kv[1])
    for kind, ms in rows[:FLAGS.top]:
        print(f"{ms:9.1f} {counts[kind] / steps:11.1f} {100 * ms / total:5.1f}%  {kind}")
    _write_json({"preset": FLAGS.preset, "batch": batch, "steps": steps,
                 "wall_ms_per_step": 1e3 * wall, "op_ms_per_step": dict(rows),
                 "calls_per_step": {k: counts[k] / steps for k in kinds},
                 "command": sys.argv, "load_average_end": os.getloadavg()},
                _output_path(f"profile_jax_step_{FLAGS.preset}"))


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
                 "convs": lambda: _convs_child(FLAGS.child)}.get(FLAGS.what)
        if child is None:
            raise app.UsageError(f"--child is internal to --what=step and --what=convs. "
                                 f"Received: --what={FLAGS.what}")
        print("RESULT " + json.dumps(child()), flush=True)
        return
    {"step": _step_main, "convs": _convs_main, "jax_ops": _jax_ops_main,
     "conv_transpose": _conv_transpose_main}[FLAGS.what]()


if __name__ == "__main__":
    define_flags()
    app.run(main)
