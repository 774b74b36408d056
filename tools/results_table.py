r"""Writes docs/results.md: the measured-results table, generated from zoo/*/results/*.json.

One row per result file (written by `python -m tools.zoo_results`): mean [min-max] over seeds of
the main metrics, the steps each run trained against the steps of the preset's documented
command, Keras' training time, the machine and the date. The full command of each row is in its
result file, which the row links. A row whose file was written before result files carried
provenance (code commit, package versions, resolved config, machine, dates) says so.

"At documented command" compares steps: the documented command is the trainer flag file the
run named (zoo/<preset>/train.flags, or a preset's quickstart.flags), and its
steps are epochs x steps_per_epoch, or epochs x the batches in one pass over the dataset's train
split (cut to whole executions of the preset's steps_per_execution, as the trainer does).
Trainer flags a run added to the flag file (fewer epochs, overrides, another data split) are
listed beside the budget.

Example (from the repository root):
    python -m tools.results_table            # writes docs/results.md
    python -m tools.results_table --check    # exits 1 if docs/results.md is not up to date
"""

import glob
import json
import os
import subprocess
import sys

from absl import app, flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(REPO, "docs", "results.md")
# What a result file written before provenance was recorded says instead of it.
MISSING = "missing: written before provenance was recorded"
# Images in each dataset's train split (the documented commands train on it).
TRAIN_SIZES = {"fashion_mnist": 60000, "mnist": 60000, "celeb_a": 162770}
# The metrics the table shows: title, report key, format.
COLUMNS = (("FD", "fd", "{:.1f}"), ("FD, second judge", "fd_second_judge", "{:.1f}"),
           ("KID", "kid", "{:.3f}"), ("recall", "recall", "{:.2f}"),
           ("coverage", "coverage", "{:.2f}"), ("classes", "classes_covered", "{:.1f}"),
           ("class acc", "conditional_accuracy", "{:.3f}"))
# Trainer flags that set the budget (compared in steps, not listed beside it).
_BUDGET_FLAGS = ("epochs", "steps_per_epoch", "batch_size", "output_dir", "seed", "preset",
                 "resume", "verbose", "backend", "flagfile")

FLAGS = flags.FLAGS


def _define_flags(flag_values=FLAGS):
    flags.DEFINE_bool("check", False, "Exit 1 if the file is not what the result files give.",
                      flag_values=flag_values)
    flags.DEFINE_string("output", OUTPUT, "Markdown file to write.", flag_values=flag_values)


def parse_flagfile(path):
    """`{flag: value}` of an absl flag file (`--name=value` lines; `--name` alone is "true")."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("--"):
                name, _, value = line[2:].partition("=")
                out[name] = value if _ else "true"
    return out


def _preset_config(preset):
    """The preset's registered config (batch size, d_steps, steps_per_execution, ...)."""
    import kerasgan

    return dict(kerasgan.zoo.spec(preset).config)


def documented_steps(flag_values, preset, config=None):
    """Training steps (generator updates) of a trainer command given as `{flag: value}`."""
    epochs = int(flag_values.get("epochs", 1))
    if flag_values.get("steps_per_epoch"):
        return epochs * int(flag_values["steps_per_epoch"])
    dataset = flag_values.get("dataset")
    if dataset not in TRAIN_SIZES:
        return None
    config = _preset_config(preset) if config is None else config
    batch = int(flag_values.get("batch_size") or config["batch_size"])
    if config.get("real_batches") == "split":
        batch *= int(config.get("d_steps", 1))
    spe = int(config.get("steps_per_execution", 1) or 1)
    return epochs * max(spe, TRAIN_SIZES[dataset] // batch // spe * spe)


def _arguments(result):
    """(trainer flag file, [extra trainer flags]) of a result file's recorded arguments."""
    flagfile, extra = None, []
    for token in result.get("arguments", "").split():
        if token.startswith("--flagfile_for_trainer="):
            flagfile = token.split("=", 1)[1]
        elif token.startswith("--trainer_flag="):
            extra.append(token.split("=", 1)[1])
    return flagfile or f"zoo/{result['preset']}/train.flags", extra


def budget(result, config=None):
    """The budget cell: steps run, at or below the documented command, and added flags."""
    steps = sorted({int(run["steps"]) for run in result["runs"]})
    ran = f"{steps[0]:,}" if len(steps) == 1 else f"{steps[0]:,}-{steps[-1]:,}"
    flagfile, extra = _arguments(result)
    path = os.path.join(REPO, flagfile)
    documented = None
    if os.path.exists(path):
        documented = documented_steps(parse_flagfile(path), result["preset"], config)
    if documented is None:
        cell = f"{ran} steps"
    elif steps[0] >= documented:
        cell = f"{ran} steps, at documented command"
    else:
        cell = f"{ran} steps, below it (step {steps[0]:,} of {documented:,})"
    if os.path.basename(flagfile) != "train.flags":
        cell += f" (`{os.path.basename(flagfile)}`)"
    added = [f for f in extra if f.lstrip("-").split("=", 1)[0] not in _BUDGET_FLAGS]
    if added:
        cell += "; " + " ".join(f"`{f}`" for f in added)
    return cell


def has_provenance(result):
    """True if every run of a result file carries the provenance fields."""
    from kerasgan.utils import provenance

    return all(isinstance(run.get("provenance"), dict)
               and all(field in run["provenance"] for field in provenance.FIELDS)
               for run in result["runs"])


def git_history_available():
    """True in a git checkout with its full history (the dates of old result files come from it)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=REPO,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "false"


def _first_commit_date(path):
    """Date of the first commit that holds `path` (None outside git)."""
    try:
        out = subprocess.run(["git", "log", "--reverse", "--format=%ad", "--date=short", "--",
                              path], cwd=REPO, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.split()
    return lines[0] if out.returncode == 0 and lines else None


def _machine(result, path):
    """"CPU (vector extensions), N cores; date" of a result file."""
    if has_provenance(result):
        prov = result["runs"][0]["provenance"]
        machine, date = prov["machine"], prov["date_utc"][:10]
    else:
        machine, date = result.get("machine", {}), _first_commit_date(path)
        date = f"committed {date}" if date else "date not recorded"
    text = f"{_cpu(machine)}, {machine.get('cores', '?')} cores; {date}"
    sittings = [s for run in result["runs"] for s in run.get("sittings", [])]
    if len(sittings) > len(result["runs"]):
        # A run trained in several sittings: say how many, and on which machines.
        trained_on = sorted({_cpu(s["machine"]) for s in sittings if "machine" in s})
        unrecorded = sum(s["last_step"] - s["first_step"] for s in sittings if s.get("unrecorded"))
        text += (f"; trained in {len(sittings)} sittings on {', '.join(trained_on)}"
                 + (f" ({unrecorded:,} steps on an unrecorded machine)" if unrecorded else ""))
    return text


def _cpu(machine):
    """"CPU family N (ISA)" of a provenance machine record."""
    vector = machine.get("vector_extensions") or []
    isa = "AVX-512" if "avx512f" in vector else "AVX2" if "avx2" in vector else None
    cpu = machine.get("cpu", "unknown CPU").replace("(R)", "")
    if machine.get("cpu_family"):
        cpu += f" family {machine['cpu_family']}"
    return f"{cpu}{f' ({isa})' if isa else ''}"


def _summary(result, key):
    values = [run.get("report", {}).get(key) for run in result["runs"]]
    if any(v is None for v in values):
        return None
    return min(values), sum(values) / len(values), max(values)


def row(path, config=None):
    """The table row of one result file."""
    with open(path, encoding="utf-8") as f:
        result = json.load(f)
    rel = os.path.relpath(path, REPO)
    name = f"[{result['name']}](../{rel})" + ("" if has_provenance(result) else " †")
    cells = []
    for _, key, fmt in COLUMNS:
        s = _summary(result, key)
        cells.append("n/a" if s is None else
                     f"{fmt.format(s[1])} [{fmt.format(s[0])}-{fmt.format(s[2])}]")
    # Runs resumed across sittings: the seconds their sittings' checkpoints hold.
    train = [float(run.get("train_seconds_sittings") or run.get("train_seconds_keras", 0.0))
             for run in result["runs"]]
    seconds = f"{sum(train) / len(train):.0f} [{min(train):.0f}-{max(train):.0f}]"
    return (f"| {result['preset']} | {name} | {len(result['runs'])} | {budget(result, config)} | "
            + " | ".join(cells) + f" | {seconds} | {_machine(result, rel)} |")


def markdown(paths=None):
    """The whole docs/results.md text for the result files `paths` (default: every one)."""
    if paths is None:
        paths = sorted(glob.glob(os.path.join(REPO, "zoo", "*", "results", "*.json")))
    head = ("| preset | run | seeds | budget | " + " | ".join(c[0] for c in COLUMNS)
            + " | train s / run | machine; date |")
    lines = [_INTRO, head, "|" + "---|" * (6 + len(COLUMNS))]
    lines += [row(p) for p in paths]
    return "\n".join(lines) + "\n" + _NOTES


_INTRO = """# Measured results

<!-- Generated by `python -m tools.results_table` from zoo/*/results/*.json: do not edit. -->

Every row is one result file, `zoo/<preset>/results/<run>.json` (linked), written by
`python -m tools.zoo_results`: each seed trained through `python -m kerasgan.train`, then judged
by `kerasgan.metrics.evaluate` on 5,000 generated vs 5,000 real test images with the shipped
judges of the dataset (Fashion-MNIST, or MNIST for mnist_mlp, wgan and shared_wgan): FD on both,
the other columns on the first. Cells are mean [min-max] over the seeds. The file holds the exact command, every seed's full report
(precision, density and more), Keras' training time per epoch and the load average.
"""

_NOTES = """
- **budget**: the steps each run trained, against the steps of the documented command (the
  preset's trainer flag file, `zoo/<preset>/train.flags`, or the named one); flags the run added
  to that file are listed.
- **†**: the file was written before result files recorded provenance (code commit, package
  versions, resolved config, machine, judge checksum); its date is the date it was committed.
- **train s / run**: Keras' training time per run, or for a run trained in several sittings
  (resumed from its checkpoints, possibly on other machines; `sittings.json` of the run) the
  seconds of training its sittings' checkpoints hold; a speed only where the machine was
  otherwise idle (each result file records the load average before and after every run).
- FDs compare only within one judge (its sha256 is in every report): Fashion-MNIST rows with
  Fashion-MNIST rows, MNIST rows with MNIST rows, first judge with first judge. "n/a" under the
  second judge: the run was judged before its dataset had one (Fashion-MNIST's came on
  2026-12-05, MNIST's on 2026-12-06). Real vs real: FD 0.77 (Fashion-MNIST), 5.4
  (MNIST, 2,500 vs 2,500).
- MNIST rows trained on the first 5,000 MNIST test images (`--split=test --limit=5000`; only the
  test split is on the measuring machine) and are judged against the other 5,000.
"""


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    text = markdown()
    if FLAGS.check:
        current = ""
        if os.path.exists(FLAGS.output):
            with open(FLAGS.output, encoding="utf-8") as f:
                current = f.read()
        if current != text:
            print(f"{os.path.relpath(FLAGS.output, REPO)} is out of date: run "
                  "python -m tools.results_table", file=sys.stderr)
            sys.exit(1)
        return
    from kerasgan.utils.io import atomic_write_text

    os.makedirs(os.path.dirname(os.path.abspath(FLAGS.output)), exist_ok=True)
    atomic_write_text(FLAGS.output, text)
    print(f"Wrote {os.path.relpath(FLAGS.output, REPO)}")


if __name__ == "__main__":
    _define_flags()
    app.run(main)
