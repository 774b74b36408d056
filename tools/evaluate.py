r"""Judges a `.keras` GAN checkpoint or shipped weights: prints `kerasgan.metrics.evaluate`'s report.

Default protocol: 5,000 generated images against 5,000 real test images, in the
shipped judge classifier's feature space (FD, KID +- SE, precision/recall,
density/coverage, classes covered, entropy, classifier score), and in every
further shipped judge's (the dataset's second judge, "fashion_mnist_b" or "mnist_b":
`judges` and `fd_second_judge` in the report). Writes
`<output_dir>/metrics.json` (the report, plus the checkpoint and its step) and
`<output_dir>/samples.png`; `--output_dir` defaults to the checkpoint's folder,
or to `runs/evaluate/<preset>-<weights>` for shipped weights
(`--preset=... --weights=...`, i.e. `kerasgan.zoo.get(preset, weights=...)`).
A second call replaces the files an earlier one wrote there; any other `metrics.json` or
`samples.png` in the way is refused before judging, unless `--overwrite`.

Example (from the repository root):
    python -m tools.evaluate --checkpoint runs/dcgan/checkpoint.keras
    python -m tools.evaluate --checkpoint runs/mlp/checkpoint.keras --dataset=mnist --num_samples=5000
    python -m tools.evaluate --preset=l1_unbounded --weights=fashion_mnist
"""

import json
import os

from absl import app, flags

FLAGS = flags.FLAGS


def _define_flags():
    # Defined only when run as a program, so tests can import this module next to others.
    flags.DEFINE_string("checkpoint", None, "A .keras GAN checkpoint (kerasgan.train writes one).")
    flags.DEFINE_string("preset", None, "Judge a preset's shipped weights instead (with --weights).")
    flags.DEFINE_string("weights", None, "The shipped weights' name, e.g. fashion_mnist (with --preset).")
    flags.DEFINE_string("dataset", "fashion_mnist", "fashion_mnist, mnist, or an IDX directory.")
    flags.DEFINE_string("classifier", None, "A judge .weights.h5 file (default: the shipped judge).")
    flags.DEFINE_list("judges", None, "Further judges beside the first (names such as "
                      "fashion_mnist_b, or .weights.h5 files). Default: the dataset's other "
                      "shipped judges when --classifier is not given, else none; --judges= for "
                      "none.")
    flags.DEFINE_string("reference_split", "test", "Real split of the reference (MNIST: its held-out half).")
    flags.DEFINE_integer("num_samples", 5000, "Generated images, and real images in the reference.")
    flags.DEFINE_integer("seed", 0, "Generation seed.")
    flags.DEFINE_integer("grid_samples", 64, "Images in samples.png (0: none).")
    flags.DEFINE_string("output_dir", None, "Where metrics.json and samples.png go (default: the "
                        "checkpoint's folder, or runs/evaluate/<preset>-<weights>).")
    flags.DEFINE_bool("overwrite", False, "Replace a metrics.json or samples.png in --output_dir "
                      "that this tool did not write (its own earlier files are always replaced).")

    @flags.multi_flags_validator(
        ["checkpoint", "preset", "weights"],
        message="Expected either --checkpoint=<file.keras> or --preset=<name> --weights=<name>. "
                "Pass one of the two.")
    def _one_source(values):
        by_preset = values["preset"] is not None and values["weights"] is not None
        by_checkpoint = values["checkpoint"] is not None and values["preset"] is None \
            and values["weights"] is None
        return by_preset != by_checkpoint


def check_outputs(output_dir, grid_samples=64, overwrite=False):
    """Raises FileExistsError, before any judging, when `output_dir` holds a metrics.json or
    samples.png that this tool did not write (unless `overwrite`).

    Its own: a metrics.json holding a report, and a samples.png that is a kerasgan grid or lies
    beside such a report (grids written before they carried their software text)."""
    if overwrite:
        return
    from kerasgan.plotting import written_by_kerasgan

    metrics = os.path.join(output_dir, "metrics.json")
    samples = os.path.join(output_dir, "samples.png")
    report = os.path.lexists(metrics) and _is_report(metrics)
    theirs = []
    if os.path.lexists(metrics) and not report:
        theirs.append(metrics)
    if grid_samples and os.path.lexists(samples) and not (report or written_by_kerasgan(samples)):
        theirs.append(samples)
    if theirs:
        raise FileExistsError(
            f"Expected no files in '{output_dir}' other than an earlier evaluation's. Received: "
            f"{', '.join(repr(os.path.basename(p)) for p in theirs)}, not written by "
            "tools.evaluate; nothing was judged or written. Pass --overwrite to replace them, "
            "or another --output_dir.")


def _is_report(path):
    """Whether `path` is a metrics.json this tool wrote (a report with its judge protocol)."""
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and isinstance(report.get("protocol"), dict) \
        and "judge" in report["protocol"]


def evaluate_checkpoint(checkpoint, output_dir=None, dataset="fashion_mnist", classifier=None,
                        reference_split="test", num_samples=5000, seed=0, grid_samples=64,
                        judges=None, overwrite=False):
    """Loads `checkpoint` with `kerasgan.load_gan`, judges it, writes metrics.json (and samples.png).

    `judges`: further judges beside the first (see `kerasgan.metrics.evaluate`;
    default: the dataset's other shipped judges unless `classifier` is given).
    `overwrite`: replace files in `output_dir` that this tool did not write (`check_outputs`).
    Returns the `kerasgan.metrics.EvaluationReport`, with `checkpoint` and `step` added.
    """
    import kerasgan

    output_dir = output_dir or os.path.dirname(os.path.abspath(checkpoint))
    check_outputs(output_dir, grid_samples, overwrite)
    gan = kerasgan.load_gan(checkpoint)
    optimizer = getattr(gan, "optimizer", None)
    step = int(optimizer.iterations) if optimizer is not None else None
    return _judge(gan, {"checkpoint": os.path.abspath(checkpoint), "step": step}, output_dir,
                  dataset, classifier, reference_split, num_samples, seed, grid_samples, judges)


def evaluate_weights(preset, weights, output_dir=None, dataset="fashion_mnist", classifier=None,
                     reference_split="test", num_samples=5000, seed=0, grid_samples=64,
                     judges=None, overwrite=False):
    """Judges `kerasgan.zoo.get(preset, weights=weights)`; writes metrics.json (and samples.png).

    `overwrite`: as in `evaluate_checkpoint`.
    Returns the `kerasgan.metrics.EvaluationReport`, with `preset`, `weights` and `file` added.
    """
    import kerasgan

    output_dir = output_dir or os.path.join("runs", "evaluate", f"{preset}-{weights}")
    check_outputs(output_dir, grid_samples, overwrite)
    gan = kerasgan.zoo.get(preset, weights=weights)
    item = kerasgan.zoo.spec(preset).weights[weights]
    return _judge(gan, {"preset": preset, "weights": weights, "file": item["file"],
                        "sha256": item["sha256"], "step": None}, output_dir,
                  dataset, classifier, reference_split, num_samples, seed, grid_samples, judges)


def fd_line(report):
    """The FD measured by every judge, e.g. `FD 53.81 (fashion_mnist), 66.85 (fashion_mnist_b)`."""
    judges = report.get("judges") or {report["protocol"]["judge"]["file"]: {"fd": report["fd"]}}
    return "FD " + ", ".join(f"{j['fd']:.2f} ({name})" for name, j in judges.items())


def _judge(gan, about, output_dir, dataset, classifier, reference_split, num_samples, seed,
           grid_samples, judges=None):
    import kerasgan
    from kerasgan.plotting import save_image_grid
    from kerasgan.utils.io import atomic_write_text

    report = kerasgan.metrics.evaluate(gan, dataset, num_samples=num_samples, seed=seed,
                                       reference_split=reference_split, classifier=classifier,
                                       judges=judges)
    for key, value in about.items():
        report[key] = value
    atomic_write_text(os.path.join(output_dir, "metrics.json"), report.to_json() + "\n")
    if grid_samples:
        save_image_grid(gan.generate(int(grid_samples), seed=seed),
                        os.path.join(output_dir, "samples.png"),
                        title=(f"step {report['step']}: " if report["step"] is not None else "")
                        + f"FD {report['fd']:.1f}" + (
                            f" (second judge {report['fd_second_judge']:.1f})"
                            if report.get("fd_second_judge") is not None else "")
                        + f", KID {report['kid']:.4f}")
    return report


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    judged = dict(dataset=FLAGS.dataset, classifier=FLAGS.classifier,
                  reference_split=FLAGS.reference_split, num_samples=FLAGS.num_samples,
                  seed=FLAGS.seed, grid_samples=FLAGS.grid_samples, judges=FLAGS.judges,
                  overwrite=FLAGS.overwrite)
    if FLAGS.checkpoint is not None:
        output_dir = FLAGS.output_dir or os.path.dirname(os.path.abspath(FLAGS.checkpoint))
        report = evaluate_checkpoint(FLAGS.checkpoint, output_dir, **judged)
        print(f"{report['checkpoint']} (step {report['step']})")
    else:
        output_dir = FLAGS.output_dir or os.path.join("runs", "evaluate",
                                                      f"{FLAGS.preset}-{FLAGS.weights}")
        report = evaluate_weights(FLAGS.preset, FLAGS.weights, output_dir, **judged)
        print(f"{FLAGS.preset}, weights={FLAGS.weights} ({report['file']})")
    print(report.summary())
    print(fd_line(report))
    written = "metrics.json" + (" and samples.png" if FLAGS.grid_samples else "")
    print(f"Wrote {written} to {output_dir}")


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _define_flags()
    app.run(main)
