r"""Trains a preset at its documented command for several seeds, judges each run, writes the result file.

Each seed trains through `python -m kerasgan.train` (checkpoint every epoch; a run that was
interrupted resumes where it stopped, a finished one is only judged), then
`kerasgan.metrics.evaluate` judges it (default protocol: 5,000 generated vs 5,000 real test
images, the shipped judge). The result file holds every seed's report, the mean and spread of the
main metrics, the steps, the training time Keras measured per epoch, the load average, the exact
commands, the sittings that trained each run (`sittings.json`: machine, code and steps per
process, for runs resumed across machines), and each run's provenance (`kerasgan.utils.provenance`: code commit and tree state,
package versions, backend, the resolved config, the judge's sha256, the machine, wall and training
seconds, the steps actually run). Writing a result file regenerates docs/results.md
(`python -m tools.results_table`); `--table` prints that table. An existing result file of the
same name is refused before any training, unless `--overwrite`.

Example (from the repository root):
    python -m tools.zoo_results --preset=dcgan --flagfile_for_trainer=zoo/dcgan/quickstart.flags \
        --seeds=0,1,2 --name=quickstart
    python -m tools.zoo_results --table
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time

from absl import app, flags

from tools import results_table
from tools.outputs import refuse_existing

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGS = flags.FLAGS
# The metrics summarized over seeds in a result file: title, report key, format.
COLUMNS = (("FD", "fd", "{:.1f}"), ("KID", "kid", "{:.3f}"), ("precision", "precision", "{:.2f}"),
           ("recall", "recall", "{:.2f}"), ("density", "density", "{:.2f}"),
           ("coverage", "coverage", "{:.2f}"), ("classes", "classes_covered", "{:.1f}"),
           ("class acc", "conditional_accuracy", "{:.3f}"))
_EPOCH_SECONDS = re.compile(r"^\s*\d+/\d+ - (\d+(?:\.\d+)?)(m?s) - ", re.MULTILINE)


def _define_flags(flag_values=FLAGS):
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("preset", None, "Preset to train and judge.", **fv)
    flags.DEFINE_string("flagfile_for_trainer", None,
                        "Trainer flag file (default zoo/<preset>/train.flags).", **fv)
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds, one run each.", **fv)
    flags.DEFINE_string("name", "train", "Result name: zoo/<preset>/results/<name>.json.", **fv)
    flags.DEFINE_string("workdir", "runs/zoo_results",
                        "Runs go to <workdir>/<preset>/<name>/seed<k>.", **fv)
    flags.DEFINE_string("backend", "tensorflow", "Keras backend of the runs.", **fv)
    flags.DEFINE_string("dataset", "fashion_mnist", "Judge / reference dataset.", **fv)
    flags.DEFINE_integer("num_samples", 5000,
                         "Generated images, and real images in the reference.", **fv)
    flags.DEFINE_multi_string("trainer_flag", [],
                              "Extra trainer flags, e.g. --trainer_flag=--epochs=2.", **fv)
    flags.DEFINE_bool("overwrite", False, "Replace an existing zoo/<preset>/results/<name>.json "
                      "(otherwise refused before training).", **fv)
    flags.DEFINE_bool("table", False,
                      "Print the results table (docs/results.md) of every zoo/*/results/*.json "
                      "and exit.", **fv)


def keras_train_seconds(log_text):
    """Sum of Keras' per-epoch wall times ("100/100 - 87s - ...") in a verbose=2 fit log."""
    total = 0.0
    for value, unit in _EPOCH_SECONDS.findall(log_text):
        total += float(value) / (1000.0 if unit == "ms" else 1.0)
    return total


def summarize(values):
    """`{"mean", "min", "max", "n"}` of a list of numbers."""
    return {"mean": statistics.fmean(values), "min": min(values), "max": max(values), "n": len(values)}


def train_and_judge(preset, seed, run_dir, trainer_flagfile, backend, extra):
    """Trains (or resumes) one seed's run and judges it; returns its record (with provenance)."""
    import kerasgan
    from kerasgan.utils import provenance

    os.makedirs(run_dir, exist_ok=True)
    command = [sys.executable, "-m", "kerasgan.train", f"--flagfile={trainer_flagfile}",
               f"--preset={preset}", f"--seed={seed}", f"--output_dir={run_dir}",
               f"--backend={backend}", "--resume", "--verbose=2", *extra]
    log_path = os.path.join(run_dir, "train.log")
    load_before = os.getloadavg()
    started = time.time()
    with open(log_path, "a") as log:
        subprocess.run(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=True,
                       env=dict(os.environ, KERAS_BACKEND=backend))
    with open(log_path) as f:
        log_text = f.read()
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    gan = kerasgan.load_gan(checkpoint)
    report = kerasgan.metrics.evaluate(gan, FLAGS.dataset, num_samples=FLAGS.num_samples, seed=0)
    steps, train_seconds = int(gan.optimizer.iterations), round(keras_train_seconds(log_text), 1)
    from kerasgan.train import sittings as sittings_lib

    sittings = sittings_lib.read(run_dir)  # each process that trained the run, and its machine
    wall_seconds = round(time.time() - started, 1)
    command_text = " ".join(["python"] + command[1:])
    rerun = f"python -m tools.zoo_results {recorded_arguments(FLAGS, trainer_flagfile)}"
    return {
        "seed": int(seed),
        "steps": steps,
        "train_seconds_keras": train_seconds,
        "wall_seconds_this_call": wall_seconds,
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "checkpoint": os.path.relpath(checkpoint, REPO),
        "sittings": sittings,
        "train_seconds_sittings": round(sum(x.get("train_seconds", 0.0) for x in sittings), 1),
        "command": command_text,
        "report": dict(report),
        "provenance": provenance.collect(
            config={"trainer": _run_config(run_dir), "trainer_command": command_text,
                    "judge": {"dataset": FLAGS.dataset, "num_samples": FLAGS.num_samples,
                              "seed": 0}},
            steps=steps, command=rerun,
            train_seconds=train_seconds, wall_seconds=wall_seconds,
            judge_sha256=dict(report).get("protocol", {}).get("judge", {}).get("sha256"),
            exclude=run_dir),
    }


def _run_config(run_dir):
    """The resolved config the trainer recorded for a run (its config.json), or None."""
    path = os.path.join(run_dir, "config.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def recorded_arguments(flag_values, trainer_flagfile):
    """The arguments that rerun this result: the run's flags and the judge's non-default ones."""
    f = flag_values
    return " ".join([f"--preset={f.preset}", f"--flagfile_for_trainer={trainer_flagfile}",
                     f"--seeds={','.join(f.seeds)}", f"--name={f.name}", f"--backend={f.backend}"]
                    + [f"--{k}={getattr(f, k)}" for k in ("dataset", "num_samples")
                       if getattr(f, k) != f[k].default]
                    + [f"--trainer_flag={t}" for t in f.trainer_flag])


def _summary_of(runs, key):
    """The summary of report `key` over `runs`; None where a run lacks it (e.g. class accuracy
    of an unconditional preset)."""
    values = [run.get("report", {}).get(key) for run in runs]
    return None if any(v is None for v in values) else summarize(values)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    if FLAGS.table:
        print(results_table.markdown())
        return
    if not FLAGS.preset:
        raise app.UsageError("Expected --preset=<name> (or --table).")
    os.environ.setdefault("KERAS_BACKEND", FLAGS.backend)
    trainer_flagfile = FLAGS.flagfile_for_trainer or f"zoo/{FLAGS.preset}/train.flags"
    out = os.path.join(REPO, "zoo", FLAGS.preset, "results", f"{FLAGS.name}.json")
    refuse_existing(out, FLAGS.overwrite)
    runs = []
    for seed in FLAGS.seeds:
        run_dir = os.path.join(REPO, FLAGS.workdir, FLAGS.preset, FLAGS.name, f"seed{seed}")
        runs.append(train_and_judge(FLAGS.preset, int(seed), run_dir, trainer_flagfile,
                                    FLAGS.backend, FLAGS.trainer_flag))
        print(f"seed {seed}: steps {runs[-1]['steps']}, FD {runs[-1]['report']['fd']:.2f}, "
              f"classes {runs[-1]['report']['classes_covered']}", flush=True)
    summary = {key: _summary_of(runs, key) for _, key, _ in COLUMNS}
    summary["train_seconds_keras"] = summarize([r["train_seconds_keras"] for r in runs])
    arguments = recorded_arguments(FLAGS, trainer_flagfile)
    result = {"preset": FLAGS.preset, "name": FLAGS.name, "backend": FLAGS.backend,
              "machine": runs[0]["provenance"]["machine"], "arguments": arguments,
              "summary": summary, "runs": runs, "protocol": runs[0]["report"]["protocol"]}
    from kerasgan.utils.io import atomic_write_text

    os.makedirs(os.path.dirname(out), exist_ok=True)
    atomic_write_text(out, json.dumps(result, indent=2, default=float))
    print(f"Wrote {os.path.relpath(out, REPO)}")
    atomic_write_text(results_table.OUTPUT, results_table.markdown())
    print(f"Wrote {os.path.relpath(results_table.OUTPUT, REPO)}")
    print(results_table.row(out))


if __name__ == "__main__":
    _define_flags()
    app.run(main)
