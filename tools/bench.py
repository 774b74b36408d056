"""Benchmarks kerasgan `fit()` against hand-written training loops, per backend and PyTorch.

Every variant of every preset runs in its own process, in rounds: round 1
runs each variant once, round 2 again in a rotated order, and so on
(`--rounds`). This machine type is shared and noisy, so each figure is the
median over rounds with its spread (min-max and interquartile range), and
every ratio is computed within a round (the same round's two processes) and
then summarised the same way. Variants:

  * `kerasgan` (TensorFlow, JAX): `kerasgan.zoo.get(preset).fit()` as a user
    calls it (the preset's own `jit_compile`, `steps_per_execution`);
  * `kerasgan_xla` (TensorFlow, `--xla`): the same with `jit_compile=True`;
  * `kerasgan_spe<N>` (`--steps_per_execution=N`): `fit()` with that value;
  * `hand`: a minimal hand-written loop of the same networks, losses,
    optimizers and update schedule (TensorFlow: `tf.function` +
    `GradientTape` + `optimizer.apply`; JAX: `jax.jit` + `value_and_grad`
    over `stateless_call` + `optimizer.stateless_apply`, state donated);
  * `hand_xla` (TensorFlow, `--xla`): that loop under `tf.function(jit_compile=True)`;
  * `hand_fastgrad` (JAX, generators with a Conv*Transpose only): the hand
    loop traced inside kerasgan's JAX convolution paths, as `fit()` is
    (`jax_conv_transpose.fast_conv_transpose_grad()`, `jax_conv_split.split_kernel_grads()`);
  * `torch`, `torch_fused` (backend "torch"): a PyTorch eager loop of the
    same networks rebuilt in `torch.nn` (tools/bench_torch.py; parameter
    counts checked against the Keras models), with PyTorch's default
    optimizer implementation, and with `fused=True` (or `foreach=True`
    where PyTorch has no fused CPU kernel; the row says which).
    `torch.set_num_threads` = the cores this process may use. With
    `--torch_passive` also `torch_passive`, `torch_fused_passive`: the same
    under OMP_WAIT_POLICY=PASSIVE. PyTorch is an optional bench-only
    dependency: without it these variants are skipped.

Ratios (per round, then median and spread): `fit/best_hand` per backend
(`kerasgan` over the fastest hand loop of that backend in that round),
`best_kerasgan/best_torch` (the faster kerasgan backend over the faster
PyTorch loop) and `jax_fit/tf_fit`.

Within a process: after the first step (timed: tracing, compilation, one
step) and an untimed warm-up, `--repeats` repeats of `steps` training steps
are clocked (from the start of each repeat's second step, so `fit()`'s
per-call set-up is excluded; JAX's asynchronous dispatch is drained before
the clock starts and stops); the process's figure is their median. Every
variant reads the same `kerasgan.data.load("fashion_mnist", ...)` pipeline
at the preset's step batch size (PyTorch: the same NumPy batches, as
contiguous NCHW tensors).

Every result row records the CPU model, its vector extensions (from
/proc/cpuinfo flags), the core counts, the load average, the library
versions and speed-related environment variables of the process that
measured it. Also recorded: the step's FLOPs (tools/bench_flops.py) and GFLOP/s,
resident memory after the first step, peak RSS,
`fit()`'s fixed cost per call, and the input pipeline alone (images/s).

Usage:
    python tools/bench.py --rounds=3 --output=experiments/bench/bench_<presets>_<machine>.json
    python tools/bench.py --presets=dcgan --backends=jax,torch --rounds=5
    python tools/bench.py --quick --backends=jax --output=/tmp/bench.json  # tiny (tests)
"""

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

_TOOLS = os.path.dirname(os.path.abspath(__file__))
# Scripts in tools/ must not shadow standard modules (torch imports cProfile -> profile); keep
# tools/ off sys.path and load its modules by path. The repository root goes on it, for the
# modules that import their siblings as `tools.<name>`.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _TOOLS]
if os.path.dirname(_TOOLS) not in sys.path:
    sys.path.insert(0, os.path.dirname(_TOOLS))


def _load_tool(name):
    """tools/<name>.py as module `name` (loaded once)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(_TOOLS, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


bench_torch = _load_tool("bench_torch")  # imports torch only when a torch variant runs
bench_stats = _load_tool("bench_stats")
bench_loops = _load_tool("bench_loops")  # imports its backend only when a loop is built
bench_machine = _load_tool("bench_machine")
# tools/bench_flops.py imports keras (so its backend): the children load it, the driver needs none.
BACKENDS = bench_stats.BACKENDS
variants_of, kind_of = bench_stats.variants_of, bench_stats.kind_of
summarize, rotated = bench_stats.summarize, bench_stats.rotated

DEFAULT_PRESETS = ("mnist_mlp", "dcgan", "shared_wgan", "l1_unbounded", "wgan_gp")

_PRESETS = flags.DEFINE_list("presets", list(DEFAULT_PRESETS), "Presets to benchmark.")
_BACKENDS = flags.DEFINE_list(
    "backends", list(BACKENDS), "Backends to benchmark: tensorflow, jax (Keras) and torch."
)
_ROUNDS = flags.DEFINE_integer(
    "rounds", 3, "Rounds: each runs every variant once, in its own process, order rotated."
)
_REPEATS = flags.DEFINE_integer(
    "repeats", 3, "Timed repeats per process (the process's figure is their median)."
)
_STEPS = flags.DEFINE_integer(
    "steps", 0, "Training steps per timed repeat; 0: calibrate so a repeat lasts --target_seconds."
)
_TARGET_SECONDS = flags.DEFINE_float("target_seconds", 1.0, "Wanted length of one timed repeat.")
_MIN_STEPS = flags.DEFINE_integer("min_steps", 4, "Fewest steps per repeat when calibrating.")
_MAX_STEPS = flags.DEFINE_integer("max_steps", 200, "Most steps per repeat when calibrating.")
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", 0, "Override every preset's batch_size (images per D update); 0: preset default."
)
_XLA = flags.DEFINE_bool("xla", True, "TensorFlow: also time jit_compile=True variants.")
_FASTGRAD = flags.DEFINE_bool(
    "fastgrad", True, "JAX: also time the hand loop with kerasgan's convolution gradients."
)
_SPE = flags.DEFINE_list(
    "steps_per_execution", [], "Extra fit() variants with these steps_per_execution (e.g. 4)."
)
_TORCH_THREADS = flags.DEFINE_integer(
    "torch_threads", 0, "torch.set_num_threads; 0: the cores this process may run on."
)
_TORCH_PASSIVE = flags.DEFINE_bool(
    "torch_passive", False,
    "Also time the PyTorch variants with OMP_WAIT_POLICY=PASSIVE (`torch_passive`, "
    "`torch_fused_passive`): PyTorch's OpenMP threads spin while waiting by default, which "
    "collapses when the cores are oversubscribed.",
)
_PIPELINE = flags.DEFINE_bool("pipeline", True, "Benchmark the input pipeline alone.")
_PIPELINE_SECONDS = flags.DEFINE_float("pipeline_seconds", 2.0, "Timed seconds per pipeline run.")
_QUICK = flags.DEFINE_bool(
    "quick", False,
    "Tiny run (mnist_mlp, batch 32, 2 repeats of 3 steps, no XLA or fast-gradient variants; "
    "TensorFlow's fit() runs its graph without XLA).",
)
_OUTPUT = flags.DEFINE_string("output", "", "Write the results as JSON here.")
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace --output if it exists (otherwise the "
                               "bench refuses it before timing anything).")
_CHILD = flags.DEFINE_string(
    "child", "", "Internal: run one measurement in this process (a preset, or 'pipeline')."
)
_VARIANT = flags.DEFINE_string("variant", "", "Internal: the child's variant.")
_BACKEND = flags.DEFINE_string("backend", "", "Internal: the child's backend label.")
_CHILD_OUTPUT = flags.DEFINE_string("child_output", "", "Internal: the child's JSON result file.")

def _settings():
    """(presets, repeats, steps, batch_size override, xla, fastgrad, spe list, pipeline seconds)."""
    if _QUICK.value:
        return ["mnist_mlp"], 2, 3, 32, False, False, [], 0.3
    return (
        list(_PRESETS.value),
        _REPEATS.value,
        _STEPS.value,
        _BATCH_SIZE.value,
        _XLA.value,
        _FASTGRAD.value,
        [int(s) for s in _SPE.value],
        _PIPELINE_SECONDS.value,
    )


def _step_batch(spec, batch_override):
    batch = batch_override or spec.batch_size
    if spec.config.get("real_batches", "reuse") == "split":
        return batch * int(spec.config.get("d_steps", 1))
    return batch


def _dataset(spec, step_batch):
    import kerasgan

    return kerasgan.data.load(
        "fashion_mnist",
        image_shape=spec.image_shape,
        value_range=spec.value_range,
        batch_size=step_batch,
        repeat=True,
        download=False,
    )


def _build(name, batch_override, **overrides):
    import kerasgan

    if batch_override:
        overrides["batch_size"] = batch_override
    return kerasgan.zoo.get(name, seed=0, **overrides)


# ------------------------------------------------------------------ children


def _has_transpose(gan):
    return any("Transpose" in type(layer).__name__
               for layer in gan.generator._flatten_layers(include_self=False))


def _torch_runner(gan, ds):
    """(first, run, info) of the PyTorch eager loop of `gan`'s networks."""
    import numpy as np
    import torch

    step, info = bench_torch.make_torch_step(
        gan, fused=_VARIANT.value.startswith("torch_fused"),
        threads=_TORCH_THREADS.value or None)
    it = ds.as_numpy_iterator()

    def batch():
        x = np.asarray(next(it), dtype=np.float32)
        x = torch.from_numpy(x)
        return x.permute(0, 3, 1, 2).contiguous() if x.dim() == 4 else x

    def steps(n):
        out = None
        for _ in range(n):
            out = step(batch())
        float(out[1])  # eager on CPU: already done; kept for symmetry with the other loops
        return out

    def first():
        steps(1)

    def run(n):
        steps(1)  # the first step of a repeat is not timed (as fit's)
        t0 = time.perf_counter()
        steps(n)
        return time.perf_counter() - t0, n

    return first, run, info


def _child_train(backend, preset, variant):
    """One variant of one preset in this process: first step, warm-up, timed repeats."""
    import kerasgan

    _, repeats, steps, batch_override, _, _, _, _ = _settings()
    spec = kerasgan.zoo.spec(preset)
    step_batch = _step_batch(spec, batch_override)
    ds = _dataset(spec, step_batch)
    row = {
        "preset": preset,
        "backend": backend,
        "variant": variant,
        "kind": kind_of(variant),
        "step_batch": step_batch,
        "machine": bench_machine.machine_info(),
        "load_average_start": bench_machine.load_average(),
        "rss_mb_start": bench_machine.rss_mb(),
    }
    extra = {}
    if row["kind"] == "kerasgan":
        overrides = {}
        if variant == "kerasgan_xla":
            overrides["jit_compile"] = True
        elif variant.startswith("kerasgan_spe"):
            overrides["steps_per_execution"] = int(variant[len("kerasgan_spe"):])
        if _QUICK.value and backend == "tensorflow":
            overrides["jit_compile"] = False  # a smoke run: no XLA compilation (seconds per step)
        gan = _build(preset, batch_override, **overrides)
        first, run, overheads = bench_loops.fit_runner(gan, ds)
        extra["jit_compile"] = bool(gan.jit_compile)
        extra["steps_per_execution"] = int(gan.steps_per_execution or 1)
    elif row["kind"] == "torch":
        gan = _build(preset, batch_override)
        first, run, info = _torch_runner(gan, ds)
        extra.update(info)
        overheads = None
    else:
        gan = _build(preset, batch_override)
        if variant == "hand_fastgrad" and not _has_transpose(gan):
            row["skipped"] = "the generator has no Conv*Transpose layer"
            return row
        bench_torch.check_supported(gan)
        if backend == "tensorflow":
            runner, _ = bench_loops.hand_tensorflow(gan, jit_compile=variant == "hand_xla")
            it = iter(ds)
        else:
            runner, _ = bench_loops.hand_jax(gan, fastgrad=variant == "hand_fastgrad")
            it = ds.as_numpy_iterator()
        overheads = None

        def first():
            runner(it, 1)

        def run(n):
            runner(it, 1)  # the first step of a repeat is not timed (as fit's)
            t0 = time.perf_counter()
            runner(it, n)
            return time.perf_counter() - t0, n

    extra["ema_decay"] = getattr(gan, "ema_decay", None)  # the hand loops do not average
    extra["gflop_per_step"] = _load_tool("bench_flops").step_flops(gan, step_batch)["total"] / 1e9
    rss0 = bench_machine.rss_mb()
    t0 = time.perf_counter()
    first()
    row["first_step_s"] = time.perf_counter() - t0
    row["rss_mb_after_first_step"] = bench_machine.rss_mb()
    row["rss_mb_increase_first_step"] = row["rss_mb_after_first_step"] - rss0
    # Warm-up: one short untimed repeat (also the calibration of the repeat length).
    seconds, n = run(max(2, min(3, steps or 3)))
    if not steps:
        steps = int(min(_MAX_STEPS.value,
                        max(_MIN_STEPS.value, round(_TARGET_SECONDS.value / (seconds / n)))))
    row["steps_per_repeat"] = steps
    sps = []
    for _ in range(repeats):
        seconds, n = run(steps)
        sps.append(n / seconds)
    med = statistics.median(sps)
    row.update(steps_per_s=med, steps_per_s_repeats=sps, images_per_s=med * step_batch,
               ms_per_step=1000.0 / med, gflop_per_s=med * extra["gflop_per_step"])
    if overheads:
        # fit()'s fixed cost per call (set-up + teardown), amortised over an epoch.
        row["fit_call_overhead_s"] = statistics.median(overheads)
    row.update(extra)
    row["peak_rss_mb"] = bench_machine.peak_rss_mb()
    row["load_average_end"] = bench_machine.load_average()
    return row


def _child_pipeline(presets):
    import kerasgan

    _, _, _, batch_override, _, _, _, seconds = _settings()
    out = []
    for preset in presets:
        spec = kerasgan.zoo.spec(preset)
        step_batch = _step_batch(spec, batch_override)
        t0 = time.perf_counter()
        ds = _dataset(spec, step_batch)
        it = ds.as_numpy_iterator()  # what fit() under JAX and the JAX hand loop read
        next(it)
        first = time.perf_counter() - t0
        for _ in range(5):
            next(it)
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            next(it)
            n += 1
        elapsed = time.perf_counter() - t0
        out.append({
            "preset": preset,
            "batch": step_batch,
            "first_batch_s": first,
            "batches_per_s": n / elapsed,
            "images_per_s": n * step_batch / elapsed,
            "machine": bench_machine.machine_info(),
        })
    return {"pipeline": out, "peak_rss_mb": bench_machine.peak_rss_mb()}


# -------------------------------------------------------------------- driver


def _spawn(backend, args):
    keras_backend = "tensorflow" if backend == "torch" else backend  # torch: data pipeline + models
    env = dict(os.environ, KERAS_BACKEND=keras_backend, TF_CPP_MIN_LOG_LEVEL="3")
    if backend == "torch" and any(a.startswith("--variant=") and a.endswith("_passive")
                                  for a in args):
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    env.setdefault("KERASGAN_NO_DOWNLOAD", "1")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    cmd = ([sys.executable, os.path.abspath(__file__), f"--child_output={path}",
            f"--backend={backend}"] + args + _passthrough())
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        os.unlink(path)
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"bench child failed ({backend}, {' '.join(args)}): exit "
                           f"{proc.returncode}: {tail}")
    with open(path) as f:
        result = json.load(f)
    os.unlink(path)
    result["subprocess_wall_s"] = wall
    return result


def _passthrough():
    keep = ("repeats", "steps", "target_seconds", "min_steps", "max_steps", "batch_size", "xla",
            "fastgrad", "steps_per_execution", "pipeline_seconds", "quick", "torch_threads")
    out = []
    for name in keep:
        value = flags.FLAGS[name].value
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out.append(f"--{name}" if value else f"--no{name}")
            continue
        out.append(f"--{name}={value}")
    return out


def _git_commit():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+uncommitted changes" if dirty else "")


def main(argv):
    del argv
    if _CHILD.value:
        if _CHILD.value == "pipeline":
            result = _child_pipeline(_settings()[0])
        else:
            result = _child_train(_BACKEND.value, _CHILD.value, _VARIANT.value)
        with open(_CHILD_OUTPUT.value, "w") as f:
            json.dump(result, f)
        return
    _load_tool("outputs").refuse_existing(_OUTPUT.value, _OVERWRITE.value)
    presets, _, _, _, xla, fastgrad, spe_list, _ = _settings()
    rounds = max(1, _ROUNDS.value)
    t_start = time.perf_counter()
    results = {
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "git_commit": _git_commit(),
        "rounds": rounds,
        "load_average_start": bench_machine.load_average(),
        "machine": bench_machine.machine_info(),
        "rows": [],
        "pipeline": [],
    }
    backends = []
    for backend in _BACKENDS.value:
        if backend not in BACKENDS:
            raise app.UsageError(f"Expected --backends from {BACKENDS}. Received: {backend!r}.")
        if backend == "torch" and not bench_torch.available():
            message = ("torch variants skipped: PyTorch is not installed (it is an optional "
                       "bench-only dependency: pip install torch==2.13.0, a CPU wheel)")
            print(f"[bench] {message}", flush=True)
            results.setdefault("skipped", []).append(message)
            continue
        backends.append(backend)
    plan = [(b, v) for b in backends
            for v in variants_of(b, xla, fastgrad, spe_list, _TORCH_PASSIVE.value)]
    not_applicable = set()  # (preset, backend, variant) a child reported as skipped
    for round_ in range(rounds):
        for preset in presets:
            for order, (backend, variant) in enumerate(rotated(plan, round_)):
                if (preset, backend, variant) in not_applicable:
                    continue
                print(f"[bench] round {round_ + 1}/{rounds} {preset} {backend} {variant} ...",
                      flush=True)
                try:
                    row = _spawn(backend, [f"--child={preset}", f"--variant={variant}"])
                except RuntimeError as e:  # keep the other measurements; the error goes in the JSON
                    results.setdefault("errors", []).append(f"round {round_ + 1}: {e}")
                    continue
                row.update(round=round_, order_in_round=order)
                if row.get("skipped"):
                    not_applicable.add((preset, backend, variant))
                    results.setdefault("skipped", []).append(
                        f"{preset} {backend} {variant}: {row['skipped']}")
                    continue
                results["rows"].append(row)
    results["summary"] = summarize(results["rows"])
    if _PIPELINE.value and backends:
        print("[bench] input pipeline ...", flush=True)
        keras_backend = next((b for b in backends if b != "torch"), "tensorflow")
        pipe = _spawn(keras_backend, ["--child=pipeline", f"--presets={','.join(presets)}"])
        results["pipeline"] = pipe["pipeline"]
    results["load_average_end"] = bench_machine.load_average()
    results["total_wall_s"] = time.perf_counter() - t_start
    table = bench_stats.table(results)
    results["table"] = table
    print(table)
    print(f"load average (1, 5, 15 min) at start {results['load_average_start']}, "
          f"at end {results['load_average_end']}; total {results['total_wall_s']:.0f} s")
    if _OUTPUT.value:
        os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
        with open(_OUTPUT.value, "w") as f:
            json.dump(results, f, indent=1)
        print(f"wrote {_OUTPUT.value}")


if __name__ == "__main__":
    app.run(main)
