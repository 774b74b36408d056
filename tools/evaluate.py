r"""Evaluates a `.keras` GAN checkpoint with the offline domain-classifier metrics.

Writes `<output_dir>/metrics.json` (entropy mean/std, classifier score, FID with
the real-vs-real floor, mode coverage; plus the same metrics of real data and of
uniform-noise images for scale) and `<output_dir>/samples.png`.

Example:
    KERAS_BACKEND=tensorflow .venv/bin/python tools/evaluate.py \
        --checkpoint=runs/dcgan/checkpoint.keras --dataset=fashion_mnist --output_dir=runs/dcgan/eval
"""

import json
import os
import sys

from absl import app, flags

FLAGS = flags.FLAGS


def _define_flags():
    # Defined only when run as a script, so tests can import this module next to others.
    flags.DEFINE_string("checkpoint", None, "A .keras GAN checkpoint (kerasgan.train writes one).")
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset name or IDX directory of the real data.")
    flags.DEFINE_string("classifier_dataset", None, "Classifier to use (default: --dataset).")
    flags.DEFINE_string("classifier", None, "Explicit classifier .weights.h5 file (default: the shipped judge).")
    flags.DEFINE_string("split", "test", "Real split for the FID reference and floor.")
    flags.DEFINE_integer("num_samples", 1000, "Generated images (and real images per real sample).")
    flags.DEFINE_integer("seed", 0, "Noise seed.")
    flags.DEFINE_integer("grid_samples", 64, "Images in the sample grid.")
    flags.DEFINE_string("output_dir", None, "Where metrics.json and samples.png go.")
    flags.DEFINE_bool("baselines", True, "Also report the real data and uniform-noise rows.")
    flags.mark_flags_as_required(["checkpoint", "output_dir"])



def evaluate_checkpoint(checkpoint, output_dir, dataset="fashion_mnist", classifier=None,
                        classifier_dataset=None,
                        split="test", num_samples=1000, seed=0, grid_samples=64, baselines=True):
    """Loads `checkpoint`, computes the metrics, writes metrics.json and samples.png; returns the dict."""
    import kerasgan
    from kerasgan.plotting import save_image_grid

    gan = kerasgan.metrics.load_gan(checkpoint)
    clf = kerasgan.metrics.load_classifier(
        classifier_dataset or dataset, path=classifier)
    ref = kerasgan.metrics.real_reference(clf, dataset, num_samples=num_samples, seed=0, split=split)
    images = gan.generate(int(num_samples), seed=seed)
    result = {
        "checkpoint": os.path.abspath(checkpoint),
        "step": int(gan.optimizer.iterations) if getattr(gan, "optimizer", None) is not None else None,
        "dataset": dataset,
        "classifier": clf.info,
        "seed": seed,
        "generated": kerasgan.metrics.evaluate_images(images, clf, ref),
    }
    if baselines:
        result["real"] = ref.metrics
        result["uniform_noise"] = kerasgan.metrics.evaluate_images(
            kerasgan.metrics.uniform_noise_images(num_samples, seed=seed), clf, ref)
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    g = result["generated"]
    save_image_grid(images[:grid_samples], os.path.join(output_dir, "samples.png"),
                    title=f"step {result['step']}: FID {g['fid']:.1f}, entropy {g['entropy_mean']:.2f}")
    return result


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    r = evaluate_checkpoint(
        FLAGS.checkpoint, FLAGS.output_dir, FLAGS.dataset, FLAGS.classifier,
        FLAGS.classifier_dataset, FLAGS.split, FLAGS.num_samples,
        FLAGS.seed, FLAGS.grid_samples, FLAGS.baselines)
    g = {k: v for k, v in r["generated"].items() if k != "class_histogram"}
    print(json.dumps(g, indent=2))
    print(f"Wrote {os.path.join(FLAGS.output_dir, 'metrics.json')} and samples.png")


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _define_flags()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    app.run(main)
