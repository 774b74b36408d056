r"""How confident is a classifier on samples of a GAN whose generator shares the critic's kernel?

The entropy table of Karuvally, *A Study into the similarity in generator and discriminator in
GAN architecture*, on Fashion-MNIST: dataset, untrained G, wgan, shared_wgan, uniform noise.

For each row: mean and population std of the classifier's per-sample softmax
entropy (natural log), classifier-feature FID against a real sample (with the
real-vs-real floor), classifier score and mode coverage; `--num_samples`
images per row (1000 by default), every trained row over `--seeds`.

Full budget (the study's 30-minute target; --steps picks another):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.entropy_table --steps=200 --hidden=16
Quick smoke test (< 2 min, no card):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.entropy_table --quick

`--verdict` applies the pre-registered rule of `studies/results/entropy_table/PROTOCOL.md` to the
two presets' zoo result files (`zoo/<preset>/results/<--result_name>.json`, written by
`python -m tools.zoo_results` on held-out MNIST), adds the untrained-generator and noise rows,
and writes `FINDINGS.md` (and `samples_<name>.png` when the runs' checkpoints are present).
"""

import json
import math
import os
import statistics

from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS

KEY = "entropy_table"


def define_flags():
    sc.define_common_flags(flags, default_steps=200)
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset for training and evaluation.")
    flags.DEFINE_integer("hidden", None, "Filters h of both presets (default: the presets' 64).")
    flags.DEFINE_bool("verdict", False, "Judge the protocol's runs from the zoo result files.")
    flags.DEFINE_string("result_name", "entropy_h16", "--verdict: the zoo result name of both arms.")


# The protocol's constants (PROTOCOL.md): equivalence margin and "well below the ceiling".
MARGIN_NATS = 0.1
BELOW_CEILING_NATS = 1.0
# PROTOCOL_paper_scale.md: the seed-to-seed standard deviation of a run's mean entropy, borrowed
# from the h = 16 study (the larger of its two arms), for the rule on one run per arm.
SEED_SD_NATS = 0.028


def verdict(baseline, shared, untrained, margin=MARGIN_NATS, below=BELOW_CEILING_NATS):
    """The protocol's rule on per-seed mean entropies (nats) of the two arms and of untrained G.

    Returns (verdict, reason). Inconclusive unless every trained seed is at or below `below` and
    both arms' means are below the untrained generator's. Then: holds when the shared arm's mean
    exceeds the baseline's by at most `margin`; does not hold when it exceeds it by more and every
    shared seed is above every baseline seed; else inconclusive.
    """
    if max(baseline + shared) > below:
        return "inconclusive", f"a trained seed is above {below} nats (not well below the ceiling)"
    if max(statistics.mean(baseline), statistics.mean(shared)) >= statistics.mean(untrained):
        return "inconclusive", "an arm's mean entropy is not below the untrained generator's"
    d = statistics.mean(shared) - statistics.mean(baseline)
    if d <= margin:
        return "holds", f"shared - baseline = {d:+.3f} nats, within the {margin} margin"
    if min(shared) > max(baseline):
        return "does not hold", (f"shared - baseline = {d:+.3f} nats > {margin}, every shared "
                                 "seed above every baseline seed")
    return "inconclusive", f"shared - baseline = {d:+.3f} nats > {margin}, but the seeds overlap"


def verdict_one_run_each(baseline, shared, untrained, seed_sd=SEED_SD_NATS, margin=MARGIN_NATS,
                         below=BELOW_CEILING_NATS):
    """PROTOCOL_paper_scale.md's rule for one run per arm.

    `baseline`, `shared`: `(mean entropy, bootstrap standard error)` of each arm's run;
    `untrained`: the untrained generator's mean entropies. The difference d = shared - baseline
    gets the half-width 1.96 sqrt(se_b^2 + se_s^2 + 2 seed_sd^2). Returns (verdict, reason).
    """
    (e_b, se_b), (e_s, se_s) = baseline, shared
    if max(e_b, e_s) > below:
        return "inconclusive", f"a run is above {below} nats (not well below the ceiling)"
    if max(e_b, e_s) >= statistics.mean(untrained):
        return "inconclusive", "an arm's mean entropy is not below the untrained generator's"
    d = e_s - e_b
    w = 1.96 * math.sqrt(se_b ** 2 + se_s ** 2 + 2 * seed_sd ** 2)
    interval = f"shared - baseline = {d:+.3f} nats, 95% interval [{d - w:+.3f}, {d + w:+.3f}]"
    if d + w <= margin:
        return "holds", f"{interval}, below the {margin} margin"
    if d - w > margin:
        return "does not hold", f"{interval}, above the {margin} margin"
    return "inconclusive", f"{interval} reaches across the {margin} margin"


def _with_interval(report):
    """A run's mean entropy, with its bootstrap 95% interval where the report has one."""
    text = f"{report['entropy_mean']:.3f}"
    if report.get("entropy_mean_ci95"):
        low, high = report["entropy_mean_ci95"]
        text += f" ({low:.3f}-{high:.3f})"
    return text


def _spread(values, fmt):
    return (f"{fmt.format(statistics.mean(values))} [{fmt.format(min(values))}-"
            f"{fmt.format(max(values))}]")


def findings(name, untrained_reports, noise_report, repo=sc.REPO):
    """Reads both arms' result files; returns (verdict, FINDINGS.md text).

    `untrained_reports`: judge reports of the untrained generator, one per seed;
    `noise_report`: the judge's report on uniform-noise images.
    """
    arms = sc.load_result_files(
        ("wgan", "shared_wgan"), name, repo=repo,
        command=lambda preset: f"python -m tools.zoo_results --preset={preset} ... --name={name}",
        where=" (studies/results/entropy_table/PROTOCOL.md)")
    reports = {p: [run["report"] for run in r["runs"]] for p, r in arms.items()}
    entropy = {p: [x["entropy_mean"] for x in reps] for p, reps in reports.items()}
    untrained = [x["entropy_mean"] for x in untrained_reports]
    one_run_each = all(len(reps) == 1 for reps in reports.values())
    if one_run_each:  # PROTOCOL_paper_scale.md
        result, reason = verdict_one_run_each(
            *[(reports[p][0]["entropy_mean"], reports[p][0]["entropy_mean_se"])
              for p in ("wgan", "shared_wgan")], untrained)
    else:
        result, reason = verdict(entropy["wgan"], entropy["shared_wgan"], untrained)
    real = reports["wgan"][0]["real_vs_real"]
    steps = arms["wgan"]["runs"][0]["steps"]
    lines = [
        "# Findings: classifier entropy of Shared-WGAN vs its baseline on held-out MNIST "
        f"(protocol: {'PROTOCOL_paper_scale.md' if one_run_each else 'PROTOCOL.md'})", "",
        f"Verdict on \"the shared WGAN reaches the baseline's entropy (similar quality)\": "
        f"**{result}** at {steps:,} steps ({reason}).", "",
        "Mean over seeds [min-max]; entropy in nats (ceiling ln 10 = 2.303), 5,000 samples per "
        "seed against the judge's held-out 5,000 MNIST test images; in parentheses a run's "
        "bootstrap 95% interval over its samples.", "",
        "| samples from | seeds | mean entropy per seed | mean entropy | entropy std | FD | "
        "classes covered |",
        "|---|---|---|---|---|---|---|",
        f"| the dataset (held-out half, 2,500 vs 2,500) | - | - | {real['entropy_mean']:.3f} | "
        f"{real['entropy_std']:.3f} | {real.get('fd', float('nan')):.1f} | "
        f"{real['classes_covered']} |",
    ]
    rows = [("untrained G (wgan init)", untrained_reports)] + [
        (f"`{p}` ({steps:,} steps)", reports[p]) for p in ("wgan", "shared_wgan")]
    for label, reps in rows:
        e = [x["entropy_mean"] for x in reps]
        lines.append(
            f"| {label} | {len(reps)} | {', '.join(_with_interval(x) for x in reps)} | "
            f"{_spread(e, '{:.3f}')} | {_spread([x['entropy_std'] for x in reps], '{:.3f}')} | "
            f"{_spread([x['fd'] for x in reps], '{:.1f}')} | "
            f"{_spread([x['classes_covered'] for x in reps], '{:.1f}')} |")
    lines.append(f"| uniform noise images | - | - | {noise_report['entropy_mean']:.3f} | "
                 f"{noise_report['entropy_std']:.3f} | {noise_report['fd']:.1f} | "
                 f"{noise_report['classes_covered']} |")
    fd = {p: [x["fd"] for x in reps] for p, reps in reports.items()}
    if one_run_each:
        fd_order = (f"FD {fd['wgan'][0]:.1f} (baseline) vs {fd['shared_wgan'][0]:.1f} (shared), "
                    "one run per arm: how much FD moves from seed to seed is not measured here")
    elif max(fd["shared_wgan"]) < min(fd["wgan"]):
        fd_order = "every shared seed has a lower FD than every baseline seed"
    elif max(fd["wgan"]) < min(fd["shared_wgan"]):
        fd_order = "every baseline seed has a lower FD than every shared seed"
    else:
        fd_order = "the arms' FDs overlap"
    lines += ["", f"Secondary (descriptive, FD): {fd_order}.", "",
              "Commands (result files `zoo/<arm>/results/" + name + ".json`, machine in each):", ""]
    lines += [f"- `python -m tools.zoo_results {r['arguments']}`" for r in arms.values()]
    lines += [f"- `python -m studies.entropy_table --verdict --result_name={name}` (this file, "
              "the untrained and noise rows)"]
    return result, "\n".join(lines) + "\n"


def _verdict_main(name):
    """Judges the untrained generator and noise, writes the findings (FINDINGS.md for the h = 16
    study's runs, FINDINGS_<name>.md for others) and the runs' grids."""
    import kerasgan
    from kerasgan.plotting import save_image_grid

    out_dir = os.path.join(sc.RESULTS, KEY)
    with open(os.path.join(sc.REPO, "zoo", "wgan", "results", f"{name}.json"), encoding="utf-8") as f:
        baseline = json.load(f)
    hidden = None
    for arg in baseline["arguments"].split():
        if "hidden=" in arg:
            hidden = int(arg.rsplit("=", 1)[1])
    overrides = {} if hidden is None else {"hidden": hidden}
    untrained = []
    for run in baseline["runs"]:
        gan = kerasgan.zoo.get("wgan", seed=int(run["seed"]), **overrides)
        untrained.append(kerasgan.metrics.evaluate(gan, "mnist"))
    noise = kerasgan.metrics.evaluate(kerasgan.metrics.uniform_noise_images(5000, seed=0), "mnist")
    result, text = findings(name, untrained, noise)
    grids = {}
    for preset in ("wgan", "shared_wgan"):
        with open(os.path.join(sc.REPO, "zoo", preset, "results", f"{name}.json"), encoding="utf-8") as f:
            run = json.load(f)["runs"][0]
        path = run.get("checkpoint")
        if path and os.path.isfile(path):
            grids[preset] = kerasgan.load_gan(path).generate(64, seed=0)
    if len(grids) == 2:
        grid_path = os.path.join(out_dir, f"samples_{name}.png")
        sc.save_side_by_side(grids, grid_path, title=f"held-out MNIST, {name}, seed 0")
        for preset, images in grids.items():
            save_image_grid(images, os.path.join(sc.REPO, "zoo", preset, f"samples_{name}_seed0.png"),
                            title=f"{preset}, {name}, seed 0")
        text += f"\nSamples (seed 0): `{os.path.relpath(grid_path, sc.REPO)}`.\n"
    # One findings file per result name: the h = 16 study's stays FINDINGS.md.
    findings_name = "FINDINGS.md" if name == "entropy_h16" else f"FINDINGS_{name}.md"
    with open(os.path.join(out_dir, findings_name), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    return result


def run(seeds, steps, num_samples, dataset, output_dir, classifier_path=None, classifier_dir=None,
        limit=None, write_card=True, command=None, hidden=None):
    import time

    import kerasgan
    from kerasgan.plotting import save_image_grid

    plan = (("untrained G (wgan init)", "wgan", 0), ("baseline wgan", "wgan", steps),
            ("shared_wgan", "shared_wgan", steps))
    study_start = time.time()
    overrides = {} if hidden is None else {"hidden": int(hidden)}
    # Train first, then load the classifier (it may still be training elsewhere).
    trained = {}
    for preset_label, preset, n_steps in plan:
        for seed in seeds:
            trained[preset_label, seed] = sc.train_variant(preset, seed, n_steps, dataset, limit,
                                                           overrides)
            sc._save_checkpoint(trained[preset_label, seed][0], KEY, preset_label, seed)
            print(f"trained {preset_label} seed {seed} in {trained[preset_label, seed][1]:.0f} s",
                  flush=True)
    clf = sc.get_classifier(dataset, classifier_path, classifier_dir)
    ref = kerasgan.metrics.real_reference(clf, dataset, num_samples=num_samples, seed=0)
    rows = {"the dataset (test split)": [ref.metrics]}
    noise = kerasgan.metrics.evaluate_images(
        kerasgan.metrics.uniform_noise_images(num_samples, seed=0), clf, ref)
    per_seed, seconds, grids = {}, [], {}
    for preset_label, preset, n_steps in plan:
        rows[preset_label] = []
        for seed in seeds:
            gan, secs = trained[preset_label, seed]
            if n_steps:
                seconds.append(secs)
            m = kerasgan.metrics.evaluate_gan(gan, clf, ref, num_samples=num_samples, seed=1000 + seed)
            m.update(seed=seed, steps=n_steps, train_seconds=secs)
            rows[preset_label].append(m)
            if seed == seeds[0]:
                grids[preset_label] = gan.generate(64, seed=0)
            print(f"{preset_label} seed {seed}: entropy {m['entropy_mean']:.3f} ± "
                  f"{m['entropy_std']:.3f}, FID {m['fid']:.2f} ({secs:.0f} s)", flush=True)
    rows["uniform noise images"] = [noise]
    per_seed = rows
    table = [(label, sc.aggregate(r)) for label, r in rows.items()]
    md = sc.markdown_table(table)
    os.makedirs(output_dir, exist_ok=True)
    grids["the dataset"] = ref.images[:64]
    sc.save_side_by_side(
        {k: grids[k] for k in ("the dataset", "untrained G (wgan init)", "baseline wgan", "shared_wgan")},
        os.path.join(output_dir, "samples.png"), title=f"{dataset}, {steps} steps, seed {seeds[0]}")
    for label in ("baseline wgan", "shared_wgan") if write_card else ():
        # The cards' own grids; quick runs (write_card=False) leave them alone.
        preset = "wgan" if label == "baseline wgan" else "shared_wgan"
        save_image_grid(grids[label], os.path.join(sc.REPO, "zoo", preset, f"samples_{KEY}.png"),
                        title=f"{preset} on {dataset}, {steps} steps, seed {seeds[0]}")
    result = {"study": KEY, "dataset": dataset, "steps": steps, "seeds": seeds,
              "num_samples": num_samples, "classifier": clf.info, "fid_real_floor": ref.fid_floor,
              "command": command, "rows": per_seed, "table_markdown": md}
    width = (f"Both presets at hidden width h = {hidden} (documented: 64), the only change, so "
             "that three seeds of both fit the 30-minute budget." if hidden is not None else "")
    note = sc.budget_note(steps, seeds, seconds, sc.images_per_step("wgan", overrides),
                          wall_seconds=time.time() - study_start, extra=width)
    result["budget_note"] = note
    sc.save_json(result, os.path.join(output_dir, "results.json"))
    text = (
        f"### Classifier entropy of samples on {dataset} (`python -m studies.entropy_table`)\n\n"
        f"Command: `{command}`\n\n{note} {num_samples} samples per row; FID against "
        f"{num_samples} real test images (real-vs-real floor {ref.fid_floor:.2f}). Classifier: "
        f"{clf.info.get('dataset')} domain classifier, test accuracy "
        f"{clf.info.get('test_accuracy', float('nan')):.4f}. Mean ± std over seeds "
        f"(the dataset and noise rows are single measurements).\n\n{md}\n\n"
        f"Samples (seed {seeds[0]}): "
        f"`{os.path.relpath(os.path.join(output_dir, 'samples.png'), sc.REPO)}`.\n"
    )
    if write_card:
        for preset in ("wgan", "shared_wgan"):
            sc.write_card_section(preset, KEY, text)
    print(md)
    return result


def main(argv):
    del argv
    if FLAGS.verdict:
        _verdict_main(FLAGS.result_name)
        return
    seeds = [int(s) for s in FLAGS.seeds]
    steps, n, limit = FLAGS.steps, FLAGS.num_samples, FLAGS.limit
    if FLAGS.quick:
        seeds, steps, n, limit = seeds[:1], 2, 200, limit or 1024
    out = FLAGS.output_dir or os.path.join(sc.RESULTS, KEY + ("_quick" if FLAGS.quick else ""))
    run(seeds, steps, n, FLAGS.dataset, out, FLAGS.classifier, FLAGS.classifier_dir, limit,
        FLAGS.write_card and not FLAGS.quick, sc.command_line(), FLAGS.hidden)


if __name__ == "__main__":
    define_flags()
    app.run(main)
