"""kerasgan `fit()` under KERAS_BACKEND=torch against a hand-written PyTorch eager loop.

Variants, each in its own process (KERAS_BACKEND=torch), in rounds of rotated order:

  * `kerasgan_torch`: `kerasgan.zoo.get(preset).fit()` as a user calls it;
  * `torch`, `torch_fused`: the PyTorch eager loop of the same networks, losses, optimizers
    and schedule (`tools/bench_torch.make_torch_step`), with PyTorch's default optimizer
    implementation and with `fused=True` (or `foreach=True`).

Every process uses the same torch thread count (`--threads`, default: the cores it may use)
and reads the same `kerasgan.data.load("fashion_mnist", ...)` batches. After the first step
and an untimed repeat, `--repeats` repeats of `--steps` steps are clocked (each from the start
of its second step); the process's figure is their median steps/s. The ratio
kerasgan / best PyTorch is taken within each round. `--profile` adds, per variant, the
top PyTorch operators by self CPU time (torch.profiler) over a few steps.

Usage:
    python -m tools.bench_keras_torch --preset=dcgan --rounds=3 \
        --output=experiments/bench/keras_torch_dcgan_<machine>.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tools.outputs import refuse_existing

VARIANTS = ("kerasgan_torch", "torch", "torch_fused")


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _machine():
    from tools import bench_machine

    return bench_machine.machine_info()


def _dataset(preset, batch):
    import kerasgan

    spec = kerasgan.zoo.spec(preset)
    return kerasgan.data.load("fashion_mnist", image_shape=spec.image_shape,
                              value_range=spec.value_range, batch_size=batch, repeat=True,
                              download=False)


def _fit_runner(gan, ds):
    """`run(n)`: `fit()` of n + 2 steps; (seconds, n) of the n steps after the first."""
    import keras

    marks = {}

    def run(n):
        class Timer(keras.callbacks.Callback):
            def on_train_batch_begin(self, batch, logs=None):
                if batch in (1, 1 + n):
                    marks[batch] = time.perf_counter()

        gan.fit(ds, epochs=1, steps_per_epoch=n + 2, verbose=0, callbacks=[Timer()],
                validate_data=False)
        return marks[1 + n] - marks[1], n

    return run


def _torch_runner(gan, ds, fused, threads):
    import numpy as np
    import torch

    from tools import bench_torch

    step, info = bench_torch.make_torch_step(gan, fused=fused, threads=threads)
    it = ds.as_numpy_iterator()

    def batch():
        x = torch.from_numpy(np.asarray(next(it), dtype=np.float32))
        return x.permute(0, 3, 1, 2).contiguous() if x.dim() == 4 else x

    def run(n):
        step(batch())
        t0 = time.perf_counter()
        for _ in range(n):
            step(batch())
        return time.perf_counter() - t0, n

    return run, step, batch, info


def _profile(call, steps):
    """Top operators by self CPU time over `steps` calls of `call`."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            call()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in rows) or 1
    return [{"op": e.key, "self_cpu_ms_per_step": e.self_cpu_time_total / 1000 / steps,
             "share": e.self_cpu_time_total / total, "calls_per_step": e.count / steps}
            for e in rows[:15]]


def child(args):
    import torch

    import kerasgan

    torch.set_num_threads(args.threads)
    spec = kerasgan.zoo.spec(args.preset)
    batch = args.batch_size or spec.batch_size
    ds = _dataset(args.preset, batch)
    gan = kerasgan.zoo.get(args.preset, seed=0, batch_size=batch)
    row = {"preset": args.preset, "variant": args.variant, "batch": batch,
           "torch_threads": torch.get_num_threads(), "ema_decay": gan.ema_decay,
           "load_average_start": os.getloadavg()[0]}
    if args.variant == "kerasgan_torch":
        run = _fit_runner(gan, ds)
        it = iter(ds)

        def one_step():
            gan.train_on_batch(next(it))
    else:
        run, step, next_batch, info = _torch_runner(gan, ds, args.variant == "torch_fused",
                                                    args.threads)
        row["twin"] = info

        def one_step():
            step(next_batch())
    t0 = time.perf_counter()
    run(1)
    row["first_call_s"] = time.perf_counter() - t0
    run(max(2, args.steps // 3))  # warm-up
    rates = [n / s for s, n in (run(args.steps) for _ in range(args.repeats))]
    row.update(steps_per_s=statistics.median(rates), steps_per_s_repeats=rates,
               load_average_end=os.getloadavg()[0])
    if args.profile:
        row["profile"] = _profile(one_step, args.profile)
    return row


def _spawn(args, variant):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    cmd = [sys.executable, "-m", "tools.bench_keras_torch", "--child", path,
           f"--variant={variant}", f"--preset={args.preset}", f"--steps={args.steps}",
           f"--repeats={args.repeats}", f"--threads={args.threads}",
           f"--batch_size={args.batch_size}", f"--profile={args.profile}"]
    env = dict(os.environ, KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3",
               KERASGAN_NO_DOWNLOAD="1")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-6000:])
        raise SystemExit(f"{variant} failed (exit {proc.returncode})")
    with open(path) as f:
        row = json.load(f)
    os.unlink(path)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="dcgan")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10, help="steps per timed repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=0, help="0: the preset's")
    parser.add_argument("--threads", type=int, default=_cores())
    parser.add_argument("--profile", type=int, default=0,
                        help="profile this many steps per variant (0: off)")
    parser.add_argument("--output", default="")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace --output if it exists (otherwise refused before timing)")
    parser.add_argument("--variant", default="", help=argparse.SUPPRESS)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        row = child(args)
        with open(args.child, "w") as f:
            json.dump(row, f)
        return
    refuse_existing(args.output, args.overwrite)
    rounds = []
    for r in range(args.rounds):
        order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]
        rows = {v: _spawn(args, v) for v in order}
        best_torch = max(rows["torch"]["steps_per_s"], rows["torch_fused"]["steps_per_s"])
        ratio = rows["kerasgan_torch"]["steps_per_s"] / best_torch
        rounds.append({"order": list(order), "rows": rows, "kerasgan_over_best_torch": ratio})
        print(f"round {r + 1}: " + ", ".join(
            f"{v} {rows[v]['steps_per_s']:.2f} steps/s" for v in VARIANTS)
            + f"; kerasgan/best torch {ratio:.2f}", flush=True)
    ratios = [r["kerasgan_over_best_torch"] for r in rounds]
    result = {
        "command": "python -m tools.bench_keras_torch " + " ".join(sys.argv[1:] if argv is None
                                                                   else argv),
        "date": time.strftime("%Y-%m-%d"),
        "machine": _machine(),
        "rounds": rounds,
        "median_steps_per_s": {v: statistics.median(r["rows"][v]["steps_per_s"] for r in rounds)
                               for v in VARIANTS},
        "kerasgan_over_best_torch": {"median": statistics.median(ratios), "min": min(ratios),
                                     "max": max(ratios)},
    }
    print(json.dumps({k: result[k] for k in ("median_steps_per_s", "kerasgan_over_best_torch")},
                     indent=1))
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
