r"""Does sharing a layer with the discriminator speed up the generator? A 1-D Gaussian test.

The synthetic experiment of Karuvally, *A Study into the similarity in generator and
discriminator in GAN architecture* (section 5): steps until G matches N(4, 0.5), for a
generator that shares a layer of the discriminator against the baseline. Trains
`gaussian_1d` (baseline) and `gaussian_1d_shared` on samples of N(4, 0.5) and checks the
generated mean and std every `--check_every` steps (10,000 samples); a run "converges" at
the first check where |mean - 4| <= tol and |std - 0.5| <= tol
(`--tolerance`, 0.1). Runs that never get there within `--max_steps` count as
not converged (reported as such, not as max_steps).

Full budget (856 s here):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.gaussian --max_steps=2000 --check_every=50 --seeds=0,1,2
Quick:
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.gaussian --quick
"""

import os
import time

import numpy as np
from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds.")
    flags.DEFINE_integer("max_steps", 2000, "Training steps per run at most.")
    flags.DEFINE_integer("check_every", 50, "Steps between checks of the generated mean/std.")
    flags.DEFINE_float("tolerance", 0.1, "Allowed |mean - 4| and |std - 0.5|.")
    flags.DEFINE_bool("quick", False, "Tiny budget (< 1 minute); writes no card.")
    flags.DEFINE_string("output_dir", None, "Output dir (default studies/results/gaussian).")
    flags.DEFINE_bool("write_card", True, "Write the table into the preset cards.")

KEY = "gaussian_convergence"
PRESETS = ("gaussian_1d", "gaussian_1d_shared")


def converge(preset, seed, max_steps, check_every, tol):
    """Trains until the generated mean and std are within `tol`; returns the record."""
    import kerasgan
    from kerasgan.zoo import toy

    gan = kerasgan.zoo.get(preset, seed=int(seed))
    batch = int(kerasgan.zoo.spec(preset).batch_size)
    rng_seed = 10_000 * int(seed)
    trace, hit, step = [], None, 0
    start = time.time()
    while step < max_steps:
        n = min(check_every, max_steps - step)
        x = toy.gaussian_samples(n * batch, seed=rng_seed + step)
        gan.fit(x, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        step += n
        stats = toy.sample_stats(gan, 10_000, seed=1)
        trace.append({"step": step, **stats})
        if hit is None and abs(stats["mean"] - toy.MEAN) <= tol and abs(stats["std"] - toy.STD) <= tol:
            hit = step
            break
    return {"preset": preset, "seed": int(seed), "steps_to_converge": hit,
            "final": trace[-1], "trace": trace, "seconds": time.time() - start}


def run(seeds, max_steps, check_every, tol, output_dir, write_card, command):
    records = {p: [converge(p, s, max_steps, check_every, tol) for s in seeds] for p in PRESETS}
    lines = ["| preset | steps to converge, per seed | converged | median steps (converged runs) |"
             " final mean | final std |", "|---|---|---|---|---|---|"]
    for p, recs in records.items():
        hits = [r["steps_to_converge"] for r in recs]
        ok = [h for h in hits if h is not None]
        med = f"{np.median(ok):.0f}" if ok else "-"
        cells = ", ".join(str(h) if h is not None else f">{max_steps}" for h in hits)
        fm = ", ".join(f"{r['final']['mean']:.3f}" for r in recs)
        fs = ", ".join(f"{r['final']['std']:.3f}" for r in recs)
        lines.append(f"| {p} | {cells} | {len(ok)}/{len(hits)} | {med} | {fm} | {fs} |")
    md = "\n".join(lines)
    os.makedirs(output_dir, exist_ok=True)
    _plot(records, tol, os.path.join(output_dir, "convergence.png"))
    sc.save_json({"study": KEY, "seeds": seeds, "max_steps": max_steps, "check_every": check_every,
                  "tolerance": tol, "command": command, "records": records, "table_markdown": md},
                 os.path.join(output_dir, "results.json"))
    secs = [r["seconds"] for recs in records.values() for r in recs]
    text = (
        f"### Shared layer vs baseline on a 1-D Gaussian (`python -m studies.gaussian`)\n\n"
        f"Command: `{command}`\n\n"
        f"Budget: at most {max_steps} steps per run, checked every {check_every} steps "
        f"(10,000 generated samples per check), seeds {', '.join(map(str, seeds))}; "
        f"{np.sum(secs):.0f} s in all on 2 shared CPU cores. Converged = |mean - 4| <= {tol} and "
        f"|std - 0.5| <= {tol}; \"final\" is the last check (the converging one, or step {max_steps}).\n\n"
        f"{md}\n\nTrace: `{os.path.relpath(os.path.join(output_dir, 'convergence.png'), sc.REPO)}`.\n"
    )
    if write_card:
        for p in PRESETS:
            sc.write_card_section(p, KEY, text)
    print(md)
    return records


def _plot(records, tol, path):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    colors = {"gaussian_1d": "tab:blue", "gaussian_1d_shared": "tab:orange"}
    for p, recs in records.items():
        for i, r in enumerate(recs):
            steps = [t["step"] for t in r["trace"]]
            axes[0].plot(steps, [t["mean"] for t in r["trace"]], color=colors[p],
                         label=p if i == 0 else None, alpha=0.8)
            axes[1].plot(steps, [t["std"] for t in r["trace"]], color=colors[p], alpha=0.8)
    for ax, target, name in ((axes[0], 4.0, "generated mean"), (axes[1], 0.5, "generated std")):
        ax.axhspan(target - tol, target + tol, color="gray", alpha=0.2)
        ax.set_xlabel("training step")
        ax.set_title(name)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv):
    del argv
    seeds = [int(s) for s in FLAGS.seeds]
    max_steps, every = FLAGS.max_steps, FLAGS.check_every
    if FLAGS.quick:
        seeds, max_steps, every = seeds[:1], 20, 10
    out = FLAGS.output_dir or os.path.join(sc.RESULTS, "gaussian" + ("_quick" if FLAGS.quick else ""))
    run(seeds, max_steps, every, FLAGS.tolerance, out, FLAGS.write_card and not FLAGS.quick,
        sc.command_line())


if __name__ == "__main__":
    define_flags()
    app.run(main)
