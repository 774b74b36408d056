r"""Judges a `.keras` GAN checkpoint: prints `kerasgan.metrics.evaluate`'s report, writes metrics.json.

Default protocol: 5,000 generated images against 5,000 real test images, in the
shipped judge classifier's feature space (FD, KID +- SE, precision/recall,
density/coverage, classes covered, entropy, classifier score). Writes
`<output_dir>/metrics.json` (the report, plus the checkpoint and its step) and
`<output_dir>/samples.png`; `--output_dir` defaults to the checkpoint's folder.

Example (from the repository root):
    python -m tools.evaluate --checkpoint runs/dcgan/checkpoint.keras
    python -m tools.evaluate --checkpoint runs/mlp/checkpoint.keras --dataset=mnist --num_samples=5000
"""

import json
import os

from absl import app, flags

FLAGS = flags.FLAGS


def _define_flags():
    # Defined only when run as a program, so tests can import this module next to others.
    flags.DEFINE_string("checkpoint", None, "A .keras GAN checkpoint (kerasgan.train writes one).")
    flags.DEFINE_string("dataset", "fashion_mnist", "fashion_mnist, mnist, or an IDX directory.")
    flags.DEFINE_string("classifier", None, "A judge .weights.h5 file (default: the shipped judge).")
    flags.DEFINE_string("reference_split", "test", "Real split of the reference (MNIST: its held-out half).")
    flags.DEFINE_integer("num_samples", 5000, "Generated images, and real images in the reference.")
    flags.DEFINE_integer("seed", 0, "Generation seed.")
    flags.DEFINE_integer("grid_samples", 64, "Images in samples.png (0: none).")
    flags.DEFINE_string("output_dir", None, "Where metrics.json and samples.png go (default: the "
                        "checkpoint's folder).")
    flags.mark_flag_as_required("checkpoint")


def evaluate_checkpoint(checkpoint, output_dir=None, dataset="fashion_mnist", classifier=None,
                        reference_split="test", num_samples=5000, seed=0, grid_samples=64):
    """Loads `checkpoint` with `kerasgan.load_gan`, judges it, writes metrics.json (and samples.png).

    Returns the `kerasgan.metrics.EvaluationReport`, with `checkpoint` and `step` added.
    """
    import kerasgan
    from kerasgan.plotting import save_image_grid

    gan = kerasgan.load_gan(checkpoint)
    report = kerasgan.metrics.evaluate(gan, dataset, num_samples=num_samples, seed=seed,
                                       reference_split=reference_split, classifier=classifier)
    optimizer = getattr(gan, "optimizer", None)
    report["checkpoint"] = os.path.abspath(checkpoint)
    report["step"] = int(optimizer.iterations) if optimizer is not None else None
    output_dir = output_dir or os.path.dirname(os.path.abspath(checkpoint))
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "metrics.json"), "w", encoding="utf-8") as f:
        f.write(report.to_json() + "\n")
    if grid_samples:
        save_image_grid(gan.generate(int(grid_samples), seed=seed),
                        os.path.join(output_dir, "samples.png"),
                        title=f"step {report['step']}: FD {report['fd']:.1f}, KID {report['kid']:.4f}")
    return report


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    output_dir = FLAGS.output_dir or os.path.dirname(os.path.abspath(FLAGS.checkpoint))
    report = evaluate_checkpoint(
        FLAGS.checkpoint, output_dir, FLAGS.dataset, FLAGS.classifier, FLAGS.reference_split,
        FLAGS.num_samples, FLAGS.seed, FLAGS.grid_samples)
    print(f"{report['checkpoint']} (step {report['step']})")
    print(report.summary())
    written = "metrics.json" + (" and samples.png" if FLAGS.grid_samples else "")
    print(f"Wrote {written} to {output_dir}")


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _define_flags()
    app.run(main)
