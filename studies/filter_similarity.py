r"""Do a trained generator's kernels resemble its discriminator's? Filter similarity of a GAN.

The filter-similarity analysis of Karuvally, *A Study into the similarity in generator and
discriminator in GAN architecture* (section 4), on a GAN checkpoint or an untrained preset.

For a generator conv kernel and a discriminator conv kernel (default: G's last
conv vs D's first conv), every 2-D kxk slice is L2-normalised and each G slice
gets its max cosine similarity over all D slices. The histogram is compared
with the same statistic for random Gaussian kernels of the same shapes.
Writes `<output_dir>/filter_similarity.png` and `filter_similarity.json`.

Example:
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.filter_similarity \
        --checkpoint=runs/wgan/checkpoint.keras --output_dir=runs/wgan/filters
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.filter_similarity \
        --preset=wgan --g_layer=g4 --d_layer=d_h0 --output_dir=/tmp/fs   # untrained
"""

import json
import os

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags():
    # Defined only when run as a program, so tests can import this module next to others.
    flags.DEFINE_string("checkpoint", None, "A .keras GAN checkpoint.")
    flags.DEFINE_string("preset", None, "Instead of a checkpoint: an untrained zoo preset.")
    flags.DEFINE_string("g_layer", None, "Generator layer name (default: its last conv layer).")
    flags.DEFINE_string("d_layer", None, "Discriminator layer name (default: its first conv layer).")
    flags.DEFINE_integer("num_random", 10, "Random kernel pairs pooled into the baseline.")
    flags.DEFINE_bool("absolute", False, "Use |cosine| (negatively correlated filters count as similar).")
    flags.DEFINE_integer("seed", 0, "Seed of the random kernels (and of --preset's weights).")
    flags.DEFINE_string("output_dir", None, "Where the PNG and JSON go.")
    flags.mark_flag_as_required("output_dir")


def analyse(gan, output_dir, g_layer=None, d_layer=None, num_random=10, absolute=False, seed=0,
            title=None):
    """Runs the analysis on `gan`; writes the PNG and JSON; returns the JSON dict."""
    import kerasgan

    g_name, g_kernel = kerasgan.metrics.find_conv_kernel(gan.generator, g_layer, which="last")
    d_name, d_kernel = kerasgan.metrics.find_conv_kernel(gan.discriminator, d_layer, which="first")
    res = kerasgan.metrics.filter_similarity(g_kernel, d_kernel, num_random, seed, absolute)
    summary = {"g_layer": g_name, "d_layer": d_name, "g_kernel_shape": list(g_kernel.shape),
               "d_kernel_shape": list(d_kernel.shape), "absolute": absolute,
               "num_random": num_random, "trained": res["trained"], "random": res["random"],
               "bin_edges": res["bin_edges"], "trained_hist": res["trained_hist"],
               "random_hist": res["random_hist"], "trained_values": res["trained_values"]}
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "filter_similarity.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    _plot(res, os.path.join(output_dir, "filter_similarity.png"),
          title or f"G '{g_name}' {tuple(g_kernel.shape)} vs D '{d_name}' {tuple(d_kernel.shape)}")
    return summary


def _plot(res, path, title):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    edges = np.asarray(res["bin_edges"])
    centers, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.bar(centers, res["random_hist"], width=width, alpha=0.5, label=(
        f"random kernels (mean {res['random']['mean']:.3f}, n={res['random']['n']})"))
    ax.bar(centers, res["trained_hist"], width=width, alpha=0.5, label=(
        f"model kernels (mean {res['trained']['mean']:.3f}, n={res['trained']['n']})"))
    ax.set_xlabel("max cosine similarity of a G slice to any D slice")
    ax.set_ylabel("density")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    if bool(FLAGS.checkpoint) == bool(FLAGS.preset):
        raise app.UsageError("Pass exactly one of --checkpoint and --preset.")
    import kerasgan

    gan = kerasgan.load_gan(FLAGS.checkpoint) if FLAGS.checkpoint else kerasgan.zoo.get(
        FLAGS.preset, seed=FLAGS.seed)
    s = analyse(gan, FLAGS.output_dir, FLAGS.g_layer, FLAGS.d_layer, FLAGS.num_random,
                FLAGS.absolute, FLAGS.seed)
    print(json.dumps({k: s[k] for k in ("g_layer", "d_layer", "g_kernel_shape", "d_kernel_shape",
                                        "trained", "random")}, indent=2))


if __name__ == "__main__":
    define_flags()
    app.run(main)
