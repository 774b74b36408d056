r"""Which recipe should the main job train? Arms at equal training time, judged on Fashion-MNIST.

Each arm is a zoo preset with overrides. Its step budget is fixed by a calibration run (the
training time per step measured over a short run on this machine, times the budget in seconds),
so arms of different cost get equal wall time; the calibrated step count is stored and reused by
every seed. Each seed trains through `python -m kerasgan.train` and is judged with 5,000 samples
against 5,000 real test images (`kerasgan.metrics.evaluate`) on every judge listed; an arm with
EMA is judged with its averaged generator and with the raw one.

Protocol and findings: studies/results/main_job_recipe/PROTOCOL.md and FINDINGS.md.

Example (from the repository root):
    python -m studies.main_job_recipe --arms=cdcgan_w32,cdcgan_w32_ema --seeds=0
    python -m studies.main_job_recipe --table
"""

import json
import os
import re
import resource
import subprocess
import sys
import time

from absl import app, flags

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
OUT = os.path.join(REPO, "studies", "results", "main_job_recipe")
FLAGS = flags.FLAGS

_W32 = ["base_filters=32"]
# name -> (preset, overrides). The protocol lists the same arms.
ARMS = {
    "dcgan": ("dcgan", []),
    "cdcgan": ("cdcgan", []),
    "cdcgan_w32": ("cdcgan", _W32),
    "cdcgan_w48": ("cdcgan", ["base_filters=48"]),
    "dcgan_w32": ("dcgan", _W32),
    "cdcgan_w32_b64": ("cdcgan", _W32 + ["batch_size=64"]),
    "cdcgan_w32_ema": ("cdcgan", _W32 + ["ema_decay=0.999", "ema_start=1000"]),
    "cdcgan_w32_ttur": ("cdcgan", _W32 + [
        "d_optimizer={'class_name': 'Adam', 'config': {'learning_rate': 4e-4, 'beta_1': 0.0, "
        "'beta_2': 0.9}}",
        "g_optimizer={'class_name': 'Adam', 'config': {'learning_rate': 1e-4, 'beta_1': 0.0, "
        "'beta_2': 0.9}}"]),
    "cdcgan_w32_hinge": ("cdcgan", _W32 + ["loss='hinge'"]),
    "cdcgan_w32_diffaug": ("cdcgan", _W32 + ["augment='translation'"]),
    "cdcgan_w32_r1": ("cdcgan", _W32 + ["r1_weight=1.0"]),
    # Added after stage 1 (no arm reached recall 0.45): ProGAN's minibatch standard deviation in D.
    "cdcgan_w32_mbstd": ("cdcgan", _W32 + [
        "discriminator={'name': 'conditional_dcgan', 'num_classes': 10, 'base_filters': 32, "
        "'conditioning': 'projection', 'spectral_norm': False, 'pooling': 'flatten', "
        "'minibatch_std': True}"]),
    # Stage 3 (PROTOCOL.md, "Stage 3"): DiffAugment filling with black, R3GAN's loss and
    # penalties, a generator wider than its discriminator.
    "cdcgan_w32_diffaug_black": ("cdcgan", _W32 + ["augment='translation'", "augment_fill=-1.0"]),
    "cdcgan_w32_r3gan": ("cdcgan", _W32 + ["loss='relativistic'", "d_update='joint'",
                                           "r1_weight=1.0", "r2_weight=1.0"]),
    "cdcgan_g48_d32": ("cdcgan", [
        "generator={'name': 'conditional_dcgan', 'num_classes': 10, 'base_filters': 48, "
        "'conditioning': 'concat+batchnorm'}",
        "discriminator={'name': 'conditional_dcgan', 'num_classes': 10, 'base_filters': 32, "
        "'conditioning': 'projection', 'spectral_norm': False, 'pooling': 'flatten'}"]),
}
# Stage 5 (PROTOCOL.md): MSGAN's mode-seeking term on the main job and on the wider generator.
ARMS["cdcgan_w32_ms"] = ("cdcgan", _W32 + ["mode_seeking_weight=1.0"])
ARMS["cdcgan_g48_d32_ms"] = ("cdcgan", ARMS["cdcgan_g48_d32"][1] + ["mode_seeking_weight=1.0"])


def _define_flags():
    flags.DEFINE_list("arms", [], "Arms to run (see ARMS).")
    flags.DEFINE_list("seeds", ["0"], "Seeds, one run each.")
    flags.DEFINE_float("budget_cpu_seconds", 180.0,
                       "CPU seconds (both cores together) of training per run.")
    flags.DEFINE_integer("calibration_steps", 60,
                         "Extra steps of the longer of the two calibration runs.")
    flags.DEFINE_list("judges", ["fashion_mnist"], "Judges (classifier names) to score with.")
    flags.DEFINE_string("workdir", "runs/main_job_recipe", "Runs go to <workdir>/<arm>/seed<k>.")
    flags.DEFINE_string("backend", "tensorflow", "Keras backend of the runs.")
    flags.DEFINE_string("suffix", "", "Result files are <arm><suffix>.json (e.g. _2200 for a "
                        "fixed-step stage).")
    flags.DEFINE_integer("steps", None, "A fixed step budget for every arm (no calibration).")
    flags.DEFINE_bool("table", False, "Print the table of every arm's result file and exit.")
    flags.DEFINE_bool("rejudge", False,
                      "Add the judges in --judges that a finished run's record lacks, and exit.")


def _trainer(preset, overrides, output_dir, seed, epochs, steps_per_epoch, extra=()):
    command = [sys.executable, "-m", "kerasgan.train", f"--preset={preset}",
               "--dataset=fashion_mnist", f"--epochs={epochs}",
               f"--steps_per_epoch={steps_per_epoch}", f"--seed={seed}",
               f"--output_dir={output_dir}", "--verbose=2", "--num_samples=100", *extra]
    command += [f"--override={o}" for o in overrides]
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "train.log"), "a") as log:
        subprocess.run(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=True,
                       env=dict(os.environ, KERAS_BACKEND=FLAGS.backend))
    with open(os.path.join(output_dir, "train.log")) as f:
        return f.read(), " ".join(["python"] + command[1:])


_EPOCH = re.compile(r"^\s*(\d+)/\1 - (\d+(?:\.\d+)?)(m?s) - ", re.MULTILINE)


def epoch_seconds(log_text):
    """Keras' per-epoch wall times ("40/40 - 3s - ...") of a verbose=2 fit log, in order."""
    return [float(v) / (1000.0 if unit == "ms" else 1.0) for _, v, unit in _EPOCH.findall(log_text)]


def _cpu_seconds_of(preset, overrides, out, steps):
    """CPU seconds (user + system) of a whole trainer process that runs `steps` steps."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _trainer(preset, overrides, out, 0, 1, steps)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def calibrate(arm):
    """Steps that fill the budget: CPU seconds per step, from two runs that differ only in length.

    CPU time, not wall time: it barely moves when other processes share the cores, so arms
    calibrated at different moments get comparable budgets. Start-up and compilation cost the
    same in both runs and cancel.
    """
    path = os.path.join(OUT, "calibration.json")
    table = json.load(open(path)) if os.path.exists(path) else {}
    if arm in table:
        return table[arm]["steps"]
    preset, overrides = ARMS[arm]
    short, long_ = 10, 10 + FLAGS.calibration_steps
    out = os.path.join(REPO, FLAGS.workdir, "calibration", arm)
    cpu_short = _cpu_seconds_of(preset, overrides, os.path.join(out, "short"), short)
    cpu_long = _cpu_seconds_of(preset, overrides, os.path.join(out, "long"), long_)
    per_step = (cpu_long - cpu_short) / (long_ - short)
    steps = max(100, int(round(FLAGS.budget_cpu_seconds / per_step / 100.0)) * 100)
    table[arm] = {"steps": steps, "cpu_seconds_per_step": per_step,
                  "budget_cpu_seconds": FLAGS.budget_cpu_seconds,
                  "load_average": os.getloadavg()}
    os.makedirs(OUT, exist_ok=True)
    with open(path, "w") as f:
        json.dump(table, f, indent=2)
    return steps


def judge(gan, use_ema):
    import kerasgan

    reports = {}
    images = gan.generate(5000, seed=0, use_ema=use_ema)
    for name in FLAGS.judges:
        clf = (kerasgan.metrics.load_classifier(path=name) if name.endswith(".h5")
               else kerasgan.metrics.load_classifier(name))
        r = kerasgan.metrics.evaluate(images, "fashion_mnist", num_samples=5000, classifier=clf,
                                      real_row=False)
        reports[name] = {k: r[k] for k in ("fd", "kid", "precision", "recall", "density",
                                           "coverage", "classes_covered", "class_histogram")}
        reports[name]["min_class_fraction"] = min(r["class_histogram"])
        reports[name]["judge_sha256"] = clf.sha256
    return reports


def run_arm(arm, seed, steps):
    import kerasgan
    from kerasgan.utils import provenance

    preset, overrides = ARMS[arm]
    out = os.path.join(REPO, FLAGS.workdir, arm + FLAGS.suffix, f"seed{seed}")
    epochs = 10
    started = time.time()
    log, command = _trainer(preset, overrides, out, seed, epochs, steps // epochs, ["--resume"])
    gan = kerasgan.load_gan(os.path.join(out, "checkpoint.keras"))
    record = {"seed": int(seed), "steps": int(gan.optimizer.iterations),
              "train_seconds_keras": round(sum(epoch_seconds(log)[-epochs:]), 1),
              "wall_seconds": round(time.time() - started, 1), "command": command,
              "judges": judge(gan, use_ema=None)}
    if gan.ema_decay is not None:
        record["judges_raw_generator"] = judge(gan, use_ema=False)
    record["provenance"] = provenance.collect(
        config={"arm": arm, "preset": preset, "overrides": overrides, "steps": steps,
                "gan": {k: v for k, v in gan.get_config().items()
                        if k not in ("generator", "discriminator")}},
        steps=record["steps"], command=command, train_seconds=record["train_seconds_keras"],
        wall_seconds=record["wall_seconds"],
        judge_sha256=[r["judge_sha256"] for r in record["judges"].values()])
    return record


def rejudge():
    """Scores every finished run of every arm with the judges its record lacks."""
    import kerasgan

    for arm in ARMS:
        result = _load(arm)
        if not result:
            continue
        for run in result["runs"]:
            missing = [j for j in FLAGS.judges if j not in run["judges"]]
            if not missing:
                continue
            out = os.path.join(REPO, FLAGS.workdir, arm + FLAGS.suffix, f"seed{run['seed']}")
            gan = kerasgan.load_gan(os.path.join(out, "checkpoint.keras"))
            judges, FLAGS.judges = FLAGS.judges, missing
            try:
                run["judges"].update(judge(gan, use_ema=None))
                if "judges_raw_generator" in run:
                    run["judges_raw_generator"].update(judge(gan, use_ema=False))
            finally:
                FLAGS.judges = judges
        with open(os.path.join(OUT, f"{arm}{FLAGS.suffix}.json"), "w") as f:
            json.dump(result, f, indent=2, default=float)
        print(f"{arm}: judged by {', '.join(FLAGS.judges)}", flush=True)


def _load(arm):
    path = os.path.join(OUT, f"{arm}{FLAGS.suffix}.json")
    return json.load(open(path)) if os.path.exists(path) else None


def table():
    second = FLAGS.judges[1] if len(FLAGS.judges) > 1 else None
    lines = ["| arm | steps | seeds | train s / run | FD | recall | precision | min class share |"
             + (f" FD ({second}) |" if second else ""),
             "|---|---|---|---|---|---|---|---|" + ("---|" if second else "")]
    for arm in ARMS:
        r = _load(arm)
        if not r:
            continue
        for key, label in (("judges", ""), ("judges_raw_generator", " (raw G)")):
            runs = [run for run in r["runs"] if key in run]
            if not runs:
                continue
            judge_name = FLAGS.judges[0]

            def mean(metric, judge_name=judge_name):
                return sum(run[key][judge_name][metric] for run in runs) / len(runs)

            def spread(metric):
                values = [run[key][judge_name][metric] for run in runs]
                return "" if len(values) < 2 else f" [{min(values):.2f}-{max(values):.2f}]"
            t = sum(run["train_seconds_keras"] for run in runs) / len(runs)
            lines.append(f"| {arm}{label} | {runs[0]['steps']:,} | {len(runs)} | {t:.0f} | "
                         f"{mean('fd'):.1f}{spread('fd')} | {mean('recall'):.3f}{spread('recall')} | "
                         f"{mean('precision'):.3f} | {mean('min_class_fraction'):.3f} |"
                         + (f" {mean('fd', second):.1f} |"
                            if second and all(second in run[key] for run in runs) else
                            (" n/a |" if second else "")))
    return "\n".join(lines)


def main(argv):
    del argv
    if FLAGS.table:
        print(table())
        return
    if FLAGS.rejudge:
        rejudge()
        return
    os.makedirs(OUT, exist_ok=True)
    for arm in FLAGS.arms:
        if arm not in ARMS:
            raise app.UsageError(f"Expected a known arm. Received: {arm!r}. Known: {list(ARMS)}.")
    # Every arm is calibrated before any trains, back to back on the same quiet machine.
    budgets = {arm: FLAGS.steps or calibrate(arm) for arm in FLAGS.arms}
    for arm in FLAGS.arms:
        steps = budgets[arm]
        result = _load(arm) or {"arm": arm, "preset": ARMS[arm][0], "overrides": ARMS[arm][1],
                                "steps": steps, "runs": []}
        done = {run["seed"] for run in result["runs"]}
        for seed in FLAGS.seeds:
            if int(seed) in done:
                continue
            result["runs"].append(run_arm(arm, int(seed), steps))
            result["runs"].sort(key=lambda run: run["seed"])
            with open(os.path.join(OUT, f"{arm}{FLAGS.suffix}.json"), "w") as f:
                json.dump(result, f, indent=2, default=float)
            j = result["runs"][-1]["judges"][FLAGS.judges[0]]
            print(f"{arm} seed {seed}: steps {steps}, FD {j['fd']:.1f}, recall {j['recall']:.3f}",
                  flush=True)
    print(table())


if __name__ == "__main__":
    _define_flags()
    app.run(main)
