r"""Does sharing a layer with the discriminator help the generator? A 1-D Gaussian test.

The synthetic experiment of Karuvally, *A Study into the similarity in generator and
discriminator in GAN architecture* (section 5): uniform noise -> N(4, 0.5) with small MLPs,
a generator that shares its middle layer with the discriminator against the baseline.

Arms (`--arms`):
- `baseline`: `gaussian_1d` (the reference's `gan.py`, nothing shared).
- `shared_d`: `gaussian_1d_shared` (default `shared_update="discriminator"`): only the
  discriminator's optimizer updates the shared layer (the paper's text).
- `shared_both`: `gaussian_1d_shared` with `shared_update="both"`: both optimizers update
  it, each with its own network's gradient (the reference code's variable lists).
- `linear_middle`: `gaussian_1d` with `middle_activation="linear"`: the shared model's
  architecture (no activation in the middle layers) without sharing, a control.

Every run trains the same fixed number of steps in one `fit()` (no early stop) and records,
every `--check_every` steps, the mean, std, Wasserstein-1 distance and Kolmogorov-Smirnov
statistic of 10,000 generated samples against the exact N(4, 0.5). The judge is the
late-window W1 (mean over the checks in the last `--window` of the steps); the early-window
W1 and the first step within `--tolerance` of the target mean and std are secondary. Results
are saved after every run (`results.json`), and a rerun with the same settings skips
finished runs. Protocol and verdicts: studies/results/gaussian/PROTOCOL.md, FINDINGS.md.

Full study (the budget in PROTOCOL.md):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.gaussian --steps=10000 --check_every=100 --num_seeds=24
Quick:
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.gaussian --quick
"""

import json
import os
import platform
import statistics
import time

import numpy as np
from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS

KEY = "gaussian_convergence"
TARGET_MEAN, TARGET_STD = 4.0, 0.5
# arm -> (preset, overrides)
ARMS = {
    "baseline": ("gaussian_1d", {}),
    "shared_d": ("gaussian_1d_shared", {}),  # the GAN's default shared_update="discriminator"
    "shared_both": ("gaussian_1d_shared", {"shared_update": "both"}),
    "linear_middle": ("gaussian_1d", {"middle_activation": "linear"}),
}
# (arm, reference arm): the pre-registered comparisons, lower W1 = better.
COMPARISONS = (("shared_d", "baseline"), ("shared_both", "baseline"),
               ("shared_d", "shared_both"), ("linear_middle", "baseline"),
               ("shared_d", "linear_middle"))


def define_flags():
    flags.DEFINE_list("arms", list(ARMS), "Arms to run: " + ", ".join(ARMS) + ".")
    flags.DEFINE_integer("num_seeds", 24, "Seeds 0 .. num_seeds - 1 per arm.")
    flags.DEFINE_integer("first_seed", 0, "First seed.")
    flags.DEFINE_integer("steps", 10_000, "Training steps (generator updates) of every run.")
    flags.DEFINE_integer("check_every", 100, "Steps between checks (also steps_per_execution).")
    flags.DEFINE_integer("eval_samples", 10_000, "Generated samples per check.")
    flags.DEFINE_float("window", 0.2, "Fraction of the steps in the late (and early) window.")
    flags.DEFINE_float("tolerance", 0.1, "First crossing: |mean - 4| and |std - 0.5| within this.")
    flags.DEFINE_bool("quick", False, "Tiny budget (< 1 minute); writes no card.")
    flags.DEFINE_string("output_dir", None, "Output dir (default studies/results/gaussian).")
    flags.DEFINE_bool("write_card", True, "Write the result block into the preset cards.")


# ------------------------------------------------------------------ distances


class Target:
    """Exact N(mean, std) quantiles for `n` samples, for W1 and KS of sorted samples."""

    def __init__(self, n, mean=TARGET_MEAN, std=TARGET_STD):
        self.dist = statistics.NormalDist(mean, std)
        self.quantiles = np.array([self.dist.inv_cdf((i + 0.5) / n) for i in range(n)])
        self.n = n

    def cdf(self, x):
        return np.array([self.dist.cdf(v) for v in x])

    def distances(self, samples):
        """`{"mean", "std", "w1", "ks"}` of `samples` against the target (None if not finite)."""
        x = np.sort(np.asarray(samples, dtype="float64").ravel())
        if x.size != self.n or not np.all(np.isfinite(x)):
            return {"mean": None, "std": None, "w1": None, "ks": None}
        # W1 = integral of |F^-1(u) - G^-1(u)| du: sorted samples against the target's quantiles.
        w1 = float(np.mean(np.abs(x - self.quantiles)))
        f = self.cdf(x)
        i = np.arange(1, self.n + 1)
        ks = float(max(np.max(i / self.n - f), np.max(f - (i - 1) / self.n)))
        return {"mean": float(x.mean()), "std": float(x.std()), "w1": w1, "ks": ks}


# ------------------------------------------------------------------ training


def _recorder(gan, noise, target, every):
    import keras

    class Recorder(keras.callbacks.Callback):
        """Distances of the generator's samples every `every` steps, inside one fit()."""

        def __init__(self):
            super().__init__()
            self.trace = []

        def record(self):
            sync = getattr(gan, "jax_state_sync", None)
            if sync is not None and getattr(gan, "_jax_state", None) is not None:
                sync()
            step = int(keras.ops.convert_to_numpy(gan.optimizer.iterations))
            samples = keras.ops.convert_to_numpy(gan.generator(noise, training=False))
            self.trace.append({"step": step, **target.distances(samples)})

        def on_train_batch_end(self, batch, logs=None):
            del batch, logs
            self.record()

    del every
    return Recorder()


def train_run(arm, seed, steps, every, target, eval_noise_seed=1):
    """Trains one arm for `steps` steps in one fit(); returns its record with the trace."""
    import kerasgan
    from kerasgan.zoo import gaussian

    preset, overrides = ARMS[arm]
    if steps % every:
        raise ValueError(f"Expected steps divisible by check_every. Received: {steps}, {every}.")
    gan = kerasgan.zoo.get(preset, seed=int(seed), steps_per_execution=int(every), **overrides)
    batch = int(kerasgan.zoo.spec(preset).batch_size)
    # The same data stream and evaluation noise for every arm of a seed.
    x = gaussian.gaussian_samples(steps * batch, seed=10_000 * int(seed) + 1)
    noise = gan.sample_noise(target.n, eval_noise_seed)
    recorder = _recorder(gan, noise, target, every)
    recorder.record()  # step 0
    start = time.time()
    gan.fit(x, batch_size=batch, epochs=1, shuffle=False, verbose=0, callbacks=[recorder])
    seconds = time.time() - start
    return {"arm": arm, "preset": preset, "overrides": overrides, "seed": int(seed),
            "steps": steps, "seconds": seconds, "trace": recorder.trace}


def run_metrics(trace, steps, window, tol):
    """Late- and early-window W1 / KS, first crossing and final stats of one trajectory."""
    checks = [t for t in trace if t["step"] > 0]
    n_window = max(1, int(round(window * len(checks))))
    late, early = checks[-n_window:], checks[:n_window]

    def avg(rows, key):
        vals = [r[key] for r in rows]
        return float("inf") if any(v is None for v in vals) else float(np.mean(vals))

    crossing = next((t["step"] for t in checks if t["mean"] is not None
                     and abs(t["mean"] - TARGET_MEAN) <= tol and abs(t["std"] - TARGET_STD) <= tol),
                    None)
    in_tol = [t["mean"] is not None and abs(t["mean"] - TARGET_MEAN) <= tol
              and abs(t["std"] - TARGET_STD) <= tol for t in late]
    return {"late_w1": avg(late, "w1"), "late_ks": avg(late, "ks"), "early_w1": avg(early, "w1"),
            "first_crossing": crossing, "late_in_tolerance": float(np.mean(in_tol)),
            "final_mean": checks[-1]["mean"], "final_std": checks[-1]["std"],
            "final_w1": checks[-1]["w1"]}


# ------------------------------------------------------------------ statistics


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U test (normal approximation with tie correction).

    Returns `(u_a, p, prob_a_less)`: U of `a`, the p-value and P(a < b) + P(a = b) / 2.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = len(a), len(b)
    allv = np.concatenate([a, b])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(len(allv))
    sorted_v = allv[order]
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    u_a = ranks[:n1].sum() - n1 * (n1 + 1) / 2.0
    _, counts = np.unique(allv, return_counts=True)
    n = n1 + n2
    var = n1 * n2 / 12.0 * ((n + 1) - np.sum(counts ** 3 - counts) / (n * (n - 1)))
    z = (u_a - n1 * n2 / 2.0 - np.sign(u_a - n1 * n2 / 2.0) * 0.5) / np.sqrt(var) if var > 0 else 0.0
    p = float(2.0 * (1.0 - statistics.NormalDist().cdf(abs(z))))
    return float(u_a), min(p, 1.0), float(1.0 - u_a / (n1 * n2))


def bootstrap_median_diff(a, b, resamples=10_000, level=0.95, seed=0):
    """Median(a) - median(b) and its percentile bootstrap CI (independent resampling)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    rng = np.random.default_rng(seed)
    da = np.median(a[rng.integers(0, len(a), (resamples, len(a)))], axis=1)
    db = np.median(b[rng.integers(0, len(b), (resamples, len(b)))], axis=1)
    d = da - db
    lo, hi = np.quantile(d, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(np.median(a) - np.median(b)), float(lo), float(hi)


def verdict(lo, hi):
    if hi < 0:
        return "lower (better)"
    if lo > 0:
        return "higher (worse)"
    return "no difference shown"


def summarize(runs, arms, steps, window, tol):
    per_arm = {}
    for arm in arms:
        rows = [r["metrics"] for r in runs.values() if r["arm"] == arm]
        if not rows:
            continue
        stat = {}
        for key in ("late_w1", "late_ks", "early_w1", "final_mean", "final_std", "late_in_tolerance"):
            v = np.array([r[key] if r[key] is not None else np.inf for r in rows], float)
            stat[key] = {"median": float(np.median(v)), "q25": float(np.quantile(v, 0.25)),
                         "q75": float(np.quantile(v, 0.75)), "mean": float(np.mean(v)),
                         "std": float(np.std(v)), "values": v.tolist()}
        crossings = [r["first_crossing"] for r in rows]
        hit = [c for c in crossings if c is not None]
        stat["first_crossing"] = {"crossed": len(hit), "n": len(rows),
                                  "median_crossed": float(np.median(hit)) if hit else None,
                                  "values": crossings}
        stat["n"] = len(rows)
        per_arm[arm] = stat
    comparisons = []
    for a, b in COMPARISONS:
        if a not in per_arm or b not in per_arm:
            continue
        for key in ("late_w1", "early_w1", "late_ks"):
            va, vb = per_arm[a][key]["values"], per_arm[b][key]["values"]
            d, lo, hi = bootstrap_median_diff(va, vb)
            _, p, prob = mann_whitney(va, vb)
            comparisons.append({"arm": a, "vs": b, "metric": key, "median_diff": d, "ci95": [lo, hi],
                                "mann_whitney_p": p, "prob_arm_lower": prob,
                                "result": verdict(lo, hi)})
        # First crossing: runs that never cross rank after every crossing run.
        ca = [c if c is not None else steps + 1 for c in per_arm[a]["first_crossing"]["values"]]
        cb = [c if c is not None else steps + 1 for c in per_arm[b]["first_crossing"]["values"]]
        _, p, prob = mann_whitney(ca, cb)
        comparisons.append({"arm": a, "vs": b, "metric": "first_crossing", "mann_whitney_p": p,
                            "prob_arm_lower": prob})
    return per_arm, comparisons


def tables(per_arm, comparisons, steps, every, window):
    n_window = max(1, int(round(window * steps // every)))
    late0, early1 = steps - (n_window - 1) * every, n_window * every
    lines = [f"| arm | runs | late W1 (steps {late0}-{steps}) median [IQR] | late KS median [IQR] | "
             f"early W1 (steps {every}-{early1}) median [IQR] | crossed (first step, median) | "
             "late checks in tolerance (mean) | final std median |",
             "|---|---|---|---|---|---|---|---|"]
    for arm, s in per_arm.items():
        def cell(key, d=3):
            return f"{s[key]['median']:.{d}f} [{s[key]['q25']:.{d}f}, {s[key]['q75']:.{d}f}]"
        fc = s["first_crossing"]
        med = "-" if fc["median_crossed"] is None else f"{fc['median_crossed']:.0f}"
        lines.append(f"| {arm} | {s['n']} | {cell('late_w1')} | {cell('late_ks')} | {cell('early_w1')} | "
                     f"{fc['crossed']}/{fc['n']} ({med}) | {s['late_in_tolerance']['mean']:.2f} | "
                     f"{s['final_std']['median']:.3f} |")
    comp = ["| arm vs reference | metric | median difference [95% bootstrap CI] | Mann-Whitney p | "
            "P(arm lower) | result |", "|---|---|---|---|---|---|"]
    for c in comparisons:
        if c["metric"] == "first_crossing":
            comp.append(f"| {c['arm']} vs {c['vs']} | first crossing | - | {c['mann_whitney_p']:.3g} | "
                        f"{c['prob_arm_lower']:.2f} | - |")
            continue
        lo, hi = c["ci95"]
        comp.append(f"| {c['arm']} vs {c['vs']} | {c['metric']} | {c['median_diff']:+.3f} "
                    f"[{lo:+.3f}, {hi:+.3f}] | {c['mann_whitney_p']:.3g} | {c['prob_arm_lower']:.2f} | "
                    f"{c['result']} |")
    return "\n".join(lines), "\n".join(comp)


# ------------------------------------------------------------------ bookkeeping


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import keras

    return {"cpu": cpu, "cpu_count": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "threads": {k: os.environ.get(k) for k in ("TF_NUM_INTRAOP_THREADS",
                                                        "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
                                                        "XLA_FLAGS")}}


def _settings(steps, every, n_eval, window, tol):
    import keras

    return {"steps": steps, "check_every": every, "eval_samples": n_eval, "window": window,
            "tolerance": tol, "backend": keras.backend.backend(),
            "arms": {a: list(v) for a, v in ARMS.items()}}


def _load(path, settings):
    """`(runs, commands)` of an earlier invocation with the same settings (empty if none)."""
    if not os.path.exists(path):
        return {}, [], []
    with open(path, encoding="utf-8") as f:
        old = json.load(f)
    if old.get("settings") != json.loads(json.dumps(settings)):
        raise ValueError(
            f"Expected {path} to hold runs with the same settings to resume. Received: "
            f"{old.get('settings')} (now {settings}). Pass another --output_dir or delete the file."
        )
    commands = old.get("commands", [old["command"]] if old.get("command") else [])
    return old.get("runs", {}), commands, old.get("invocations", [])


def run(arms, seeds, steps, every, n_eval, window, tol, output_dir, write_card, command):
    _check_arms(arms)
    settings = _settings(steps, every, n_eval, window, tol)
    path = os.path.join(output_dir, "results.json")
    os.makedirs(output_dir, exist_ok=True)
    runs, commands, invocations = _load(path, settings)
    # The first invocation's command trained the first runs; later ones resumed or re-summarised.
    commands = commands + ([command] if command not in commands else [])
    target = Target(n_eval)
    info = machine()
    started = time.time()
    invocations = invocations + [{"command": command, "started": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)), "runs_trained": 0, "wall_seconds": 0.0}]
    for seed in seeds:  # seeds outermost: an interrupted study has every arm at similar counts
        for arm in arms:
            name = f"{arm}/seed{seed}"
            if name in runs:
                continue
            rec = train_run(arm, seed, steps, every, target)
            rec["metrics"] = run_metrics(rec["trace"], steps, window, tol)
            rec["machine"] = info
            runs[name] = rec
            invocations[-1].update(runs_trained=invocations[-1]["runs_trained"] + 1,
                                   wall_seconds=time.time() - started)
            m = rec["metrics"]
            print(f"{name}: late W1 {m['late_w1']:.3f}, early W1 {m['early_w1']:.3f}, crossing "
                  f"{m['first_crossing']}, final std {m['final_std']} ({rec['seconds']:.0f} s)",
                  flush=True)
            _save(path, settings, runs, commands, invocations, None)
    per_arm, comparisons = summarize(runs, arms, steps, window, tol)
    arm_md, comp_md = tables(per_arm, comparisons, steps, every, window)
    train_seconds = sum(r["seconds"] for r in runs.values())
    summary = {"per_arm": per_arm, "comparisons": comparisons, "arm_table": arm_md,
               "comparison_table": comp_md, "runs": len(runs), "train_seconds": train_seconds,
               "machine": info,
               "seeds": sorted({r["seed"] for r in runs.values()})}
    invocations[-1]["wall_seconds"] = time.time() - started
    _save(path, settings, runs, commands, invocations, summary)
    _plot(runs, arms, steps, every, window, os.path.join(output_dir, "convergence.png"))
    text = card_text(commands[0], settings, summary, output_dir)
    if write_card:
        for preset in ("gaussian_1d", "gaussian_1d_shared"):
            sc.write_card_section(preset, KEY, text)
    print(arm_md + "\n\n" + comp_md)
    return summary


def _check_arms(arms):
    """Fails before any training when an arm's overrides do not build (e.g. an older GAN)."""
    import kerasgan

    for arm in arms:
        preset, overrides = ARMS[arm]
        try:
            kerasgan.zoo.get(preset, seed=0, **overrides)
        except ValueError as e:
            raise ValueError(
                f"Expected arm {arm!r} ({preset} with {overrides}) to build. Received: {e}"
            ) from e


def card_text(command, settings, summary, output_dir):
    rel = os.path.relpath(output_dir, sc.REPO)
    n = ", ".join(f"{a} {s['n']}" for a, s in summary["per_arm"].items())
    seeds = summary["seeds"]
    return (
        "### Shared layer vs baseline on a 1-D Gaussian (`python -m studies.gaussian`)\n\n"
        f"Command: `{command}`\n\n"
        f"Protocol (pre-registered): `{rel}/PROTOCOL.md`. Budget: {settings['steps']:,} steps for "
        f"every run (no early stop), checked every {settings['check_every']} steps with "
        f"{settings['eval_samples']:,} generated samples against the exact N(4, 0.5); runs per arm: "
        f"{n} (seeds {seeds[0]}-{seeds[-1]}); {summary['train_seconds'] / 60:.1f} min of training in "
        f"all on {summary['machine']['cpu']} x {summary['machine']['cpu_count']} "
        f"({summary['machine']['backend']} backend, one thread, cores shared with other jobs). "
        "Late window = the last "
        f"{settings['window']:.0%} of the checks, early window = the first {settings['window']:.0%}. "
        "Medians [interquartile range] over seeds; comparisons: difference of medians with a 95% "
        "percentile bootstrap CI, two-sided Mann-Whitney U.\n\n"
        f"{summary['arm_table']}\n\n{summary['comparison_table']}\n\n"
        f"Trajectories: `{rel}/convergence.png`; verdicts: `{rel}/FINDINGS.md`.\n"
    )


def _save(path, settings, runs, commands, invocations, summary):
    tmp = path + ".tmp"
    sc.save_json({"study": KEY, "settings": settings, "command": commands[0], "commands": commands,
                  "invocations": invocations, "runs": runs, "summary": summary}, tmp)
    os.replace(tmp, path)


def _plot(runs, arms, steps, every, window, path):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    colors = {"baseline": "tab:blue", "shared_d": "tab:orange", "shared_both": "tab:green",
              "linear_middle": "tab:purple"}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for arm in arms:
        recs = [r for r in runs.values() if r["arm"] == arm]
        if not recs:
            continue
        steps_axis = [t["step"] for t in recs[0]["trace"]][1:]
        for key, ax in (("w1", axes[0]), ("std", axes[1]), ("mean", axes[2])):
            vals = np.array([[np.nan if t[key] is None else t[key] for t in r["trace"][1:]]
                             for r in recs])
            med = np.nanmedian(vals, axis=0)
            lo, hi = np.nanquantile(vals, 0.25, axis=0), np.nanquantile(vals, 0.75, axis=0)
            ax.plot(steps_axis, med, color=colors.get(arm), label=f"{arm} (n={len(recs)})")
            ax.fill_between(steps_axis, lo, hi, color=colors.get(arm), alpha=0.2)
    axes[0].set_yscale("log")
    axes[0].set_title("W1 to N(4, 0.5): median, IQR over seeds")
    axes[1].axhline(TARGET_STD, color="gray", ls="--")
    axes[1].set_title("generated std")
    axes[2].axhline(TARGET_MEAN, color="gray", ls="--")
    axes[2].set_title("generated mean")
    for ax in axes:
        n_window = max(1, int(round(window * steps // every)))
        ax.axvspan(steps - (n_window - 1) * every, steps, color="gray", alpha=0.1)
        ax.set_xlabel("training step")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv):
    del argv
    seeds = list(range(FLAGS.first_seed, FLAGS.first_seed + FLAGS.num_seeds))
    steps, every, n_eval = FLAGS.steps, FLAGS.check_every, FLAGS.eval_samples
    unknown = [a for a in FLAGS.arms if a not in ARMS]
    if unknown:
        raise ValueError(f"Expected arms from {list(ARMS)}. Received: {unknown}")
    if FLAGS.quick:
        seeds, steps, every, n_eval = seeds[:2], 40, 10, 1000
    out = FLAGS.output_dir or os.path.join(sc.RESULTS, "gaussian" + ("_quick" if FLAGS.quick else ""))
    run(FLAGS.arms, seeds, steps, every, n_eval, FLAGS.window, FLAGS.tolerance, out,
        FLAGS.write_card and not FLAGS.quick, sc.command_line())


if __name__ == "__main__":
    define_flags()
    app.run(main)
