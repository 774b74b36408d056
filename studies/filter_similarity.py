r"""Do a trained generator's kernels resemble its discriminator's? Filter similarity of a GAN.

The filter-similarity analysis of Karuvally, *A Study into the similarity in generator and
discriminator in GAN architecture* (section 4), on a GAN checkpoint or an untrained preset.

For a generator conv kernel and a discriminator conv kernel (default: G's last
conv vs D's first conv), every 2-D kxk slice is L2-normalised and each G slice
gets its max cosine similarity over all D slices. The histogram is compared
with the same statistic for random Gaussian kernels of the same shapes.
Writes `<output_dir>/filter_similarity.png` and `filter_similarity.json`.

`--study` runs the pre-registered protocol of
`studies/results/filter_similarity/dcgan/PROTOCOL.md`: trained checkpoints against
the same preset at initialisation (the null, many seeds), for the image-facing
pair (G's last conv vs D's first) and the paper's control pair (G's second-last
vs D's first), with the protocol's decision rule. Writes `results.json`,
`FINDINGS.md` and `filter_similarity.png`.

Example:
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.filter_similarity \
        --checkpoint=runs/wgan/checkpoint.keras --output_dir=runs/wgan/filters
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.filter_similarity \
        --preset=wgan --g_layer=g4 --d_layer=d_h0 --output_dir=/tmp/fs   # untrained
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.filter_similarity --study \
        --checkpoints=a.keras,b.keras,c.keras --preset=dcgan --output_dir=/tmp/fs_study
"""

import json
import os

from absl import app, flags

from studies import filter_metrics

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
    flags.DEFINE_bool("study", False, "Run the pre-registered protocol (trained vs initialisation).")
    flags.DEFINE_list("checkpoints", [], "--study: the trained .keras GAN checkpoints.")
    flags.DEFINE_integer("null_seeds", 20, "--study: seeds of the untrained preset (the null).")
    flags.mark_flag_as_required("output_dir")


def _provenance(command, config, gan=None):
    """`kerasgan.utils.provenance.collect`'s record; `steps`: `gan`'s generator updates."""
    import keras

    from kerasgan.utils import provenance

    steps = None
    if gan is not None and getattr(gan, "g_optimizer", None) is not None:
        steps = int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations))
    return provenance.collect(config=config, steps=steps, command=command)


def _sha256(path):
    import hashlib

    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def analyse(gan, output_dir, g_layer=None, d_layer=None, num_random=10, absolute=False, seed=0,
            title=None, command=None, source=None):
    """Runs the analysis on `gan`; writes the PNG and JSON (with `source`, what `gan` was loaded
    from, in its provenance); returns the JSON dict."""
    g_name, g_kernel = filter_metrics.find_conv_kernel(gan.generator, g_layer, which="last")
    d_name, d_kernel = filter_metrics.find_conv_kernel(gan.discriminator, d_layer, which="first")
    res = filter_metrics.filter_similarity(g_kernel, d_kernel, num_random, seed, absolute)
    summary = {"g_layer": g_name, "d_layer": d_name, "g_kernel_shape": list(g_kernel.shape),
               "d_kernel_shape": list(d_kernel.shape), "absolute": absolute,
               "num_random": num_random, "trained": res["trained"], "random": res["random"],
               "bin_edges": res["bin_edges"], "trained_hist": res["trained_hist"],
               "random_hist": res["random_hist"], "trained_values": res["trained_values"]}
    config = {"source": source, "g_layer": g_layer, "d_layer": d_layer, "num_random": num_random,
              "absolute": absolute, "seed": seed}
    if source and os.path.isfile(source):
        config["source_sha256"] = _sha256(source)
    summary["provenance"] = _provenance(command, config, gan)
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


# The protocol's layer pairs: (G conv index, D conv index) among each network's conv layers.
PAIRS = {"image_facing": (-1, 0), "control": (-2, 0)}
MARGIN = 0.05  # the protocol's smallest median difference that counts


def pair_statistics(gan, pairs=None):
    """Per layer pair: the layers, shapes, mean signed and |cos| statistics, fraction above 0.9."""
    out = {}
    for pair, (g_index, d_index) in (pairs or PAIRS).items():
        g_name, g_kernel = filter_metrics.find_conv_kernel(gan.generator, which=g_index)
        d_name, d_kernel = filter_metrics.find_conv_kernel(gan.discriminator, which=d_index)
        signed = filter_metrics.max_cosine_similarity(g_kernel, d_kernel)
        unsigned = filter_metrics.max_cosine_similarity(g_kernel, d_kernel, absolute=True)
        out[pair] = {"g_layer": g_name, "d_layer": d_name, "g_kernel_shape": list(g_kernel.shape),
                     "d_kernel_shape": list(d_kernel.shape), "mean": float(signed.mean()),
                     "abs_mean": float(unsigned.mean()),
                     "fraction_above_0.9": float((signed > 0.9).mean()), "n": int(signed.size),
                     "values": signed}
    return out


def verdict(trained, null, claim):
    """The protocol's decision rule for one pair: `claim` is "more_alike" or "not_more_alike"."""
    import numpy as np

    trained, null = np.asarray(trained), np.asarray(null)
    above = int((trained > null.max()).sum())
    outside = int(((trained > null.max()) | (trained < null.min())).sum())
    diff = float(np.median(trained) - np.median(null))
    all_above = above == trained.size and diff >= MARGIN
    if claim == "more_alike":
        return "holds" if all_above else ("does not hold" if above <= 1 else "inconclusive")
    return "holds" if outside <= 1 else ("does not hold" if all_above else "inconclusive")


def study(checkpoints, preset, output_dir, null_seeds=20, num_random=10, seed=0, overrides=None,
          command=None):
    """Trained checkpoints vs the preset at initialisation; writes and returns the results."""
    import numpy as np

    import kerasgan

    claims = {"image_facing": "more_alike", "control": "not_more_alike"}
    trained = {}
    for path in checkpoints:
        stats = pair_statistics(kerasgan.load_gan(path))
        trained[path] = stats
    null = {s: pair_statistics(kerasgan.zoo.get(preset, seed=s, **(overrides or {})))
            for s in range(int(null_seeds))}
    rng = np.random.default_rng(seed)
    first = next(iter(null.values()))
    results = {"protocol": "studies/results/filter_similarity/dcgan/PROTOCOL.md",
               "preset": preset, "overrides": overrides or {}, "checkpoints": list(checkpoints),
               "null_seeds": int(null_seeds), "num_random": int(num_random), "margin": MARGIN,
               "command": command, "pairs": {},
               "provenance": _provenance(command, {
                   "checkpoints": {c: _sha256(c) for c in checkpoints}, "preset": preset,
                   "overrides": overrides or {}, "null_seeds": int(null_seeds),
                   "num_random": int(num_random), "seed": seed})}
    edges = np.linspace(-1.0, 1.0, 41)
    for pair, claim in claims.items():
        g_shape, d_shape = first[pair]["g_kernel_shape"], first[pair]["d_kernel_shape"]
        gaussian = np.concatenate([filter_metrics.max_cosine_similarity(
            rng.standard_normal(g_shape), rng.standard_normal(d_shape)) for _ in range(num_random)])
        t_means = [trained[c][pair]["mean"] for c in checkpoints]
        n_means = [null[s][pair]["mean"] for s in null]

        def spread(v):
            v = np.asarray(v, dtype="float64")
            return {"median": float(np.median(v)), "min": float(v.min()), "max": float(v.max()),
                    "mean": float(v.mean())}

        def hist(arrays):
            return np.histogram(np.concatenate(arrays), edges, density=True)[0].tolist()

        results["pairs"][pair] = {
            "claim": claim, "g_layer": first[pair]["g_layer"], "d_layer": first[pair]["d_layer"],
            "g_kernel_shape": g_shape, "d_kernel_shape": d_shape,
            "trained": {c: {k: v for k, v in trained[c][pair].items() if k != "values"}
                        for c in checkpoints},
            "null": {str(s): {k: v for k, v in null[s][pair].items() if k != "values"}
                     for s in null},
            "trained_mean": spread(t_means), "null_mean": spread(n_means),
            "trained_abs_mean": spread([trained[c][pair]["abs_mean"] for c in checkpoints]),
            "null_abs_mean": spread([null[s][pair]["abs_mean"] for s in null]),
            "gaussian_mean": float(gaussian.mean()),
            "median_difference": float(np.median(t_means) - np.median(n_means)),
            "trained_above_null_max": int(sum(t > max(n_means) for t in t_means)),
            "verdict": verdict(t_means, n_means, claim) if checkpoints else "no trained model",
            "bin_edges": edges.tolist(),
            "trained_hist": hist([trained[c][pair]["values"] for c in checkpoints]) if checkpoints
            else [],
            "null_hist": hist([null[s][pair]["values"] for s in null]),
            "gaussian_hist": np.histogram(gaussian, edges, density=True)[0].tolist(),
        }
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    with open(os.path.join(output_dir, "FINDINGS.md"), "w", encoding="utf-8") as f:
        f.write(findings_markdown(results))
    _plot_study(results, os.path.join(output_dir, "filter_similarity.png"))
    return results


def findings_markdown(results):
    """The findings table of a `study()` result."""
    words = {"image_facing": "G's last layer is more like D's first after training (figure 2)",
             "control": "G's second-last layer is not (figure 1, control)"}
    lines = [
        "# Findings: filter similarity of a trained DCGAN (protocol: PROTOCOL.md)", "",
        f"{len(results['checkpoints'])} trained `{results['preset']}` checkpoints vs the same "
        f"network at initialisation ({results['null_seeds']} seeds). Statistic: mean over G "
        "slices of the max cosine similarity to any D slice (signed; |cos| in brackets). "
        "Median [min-max] over models.", "",
        f"Command: `{results['command']}`", "",
        "| claim | pair | verdict | trained | initialisation (null) | difference of medians | "
        "N(0,1) kernels |",
        "|---|---|---|---|---|---|---|",
    ]
    for pair, r in results["pairs"].items():
        t, n = r["trained_mean"], r["null_mean"]
        ta, na = r["trained_abs_mean"], r["null_abs_mean"]
        lines.append(
            f"| {words.get(pair, pair)} | `{r['g_layer']}` {tuple(r['g_kernel_shape'])} vs "
            f"`{r['d_layer']}` {tuple(r['d_kernel_shape'])} | {r['verdict']} | "
            f"{t['median']:.3f} [{t['min']:.3f}-{t['max']:.3f}] (abs {ta['median']:.3f}) | "
            f"{n['median']:.3f} [{n['min']:.3f}-{n['max']:.3f}] (abs {na['median']:.3f}) | "
            f"{r['median_difference']:+.3f} | {r['gaussian_mean']:.3f} |")
    return "\n".join(lines) + "\n"


def _plot_study(results, path):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    pairs = list(results["pairs"].items())
    fig, axes = plt.subplots(1, len(pairs), figsize=(6 * len(pairs), 3.6), squeeze=False)
    for ax, (pair, r) in zip(axes[0], pairs):
        edges = np.asarray(r["bin_edges"])
        centers, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
        for key, label in (("null_hist", "initialisation"), ("gaussian_hist", "N(0,1) kernels"),
                           ("trained_hist", "trained")):
            if r[key]:
                ax.bar(centers, r[key], width=width, alpha=0.45, label=label)
        ax.set_title(f"{pair}: G '{r['g_layer']}' vs D '{r['d_layer']}' ({r['verdict']})",
                     fontsize=9)
        ax.set_xlabel("max cosine similarity of a G slice to any D slice")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    if FLAGS.study:
        if not FLAGS.checkpoints or not FLAGS.preset:
            raise app.UsageError("--study needs --checkpoints=a.keras,... and --preset (the null).")
        from studies import common

        r = study(FLAGS.checkpoints, FLAGS.preset, FLAGS.output_dir, FLAGS.null_seeds,
                  FLAGS.num_random, FLAGS.seed, command=common.command_line())
        print(findings_markdown(r))
        return
    if bool(FLAGS.checkpoint) == bool(FLAGS.preset):
        raise app.UsageError("Pass exactly one of --checkpoint and --preset.")
    import kerasgan

    gan = kerasgan.load_gan(FLAGS.checkpoint) if FLAGS.checkpoint else kerasgan.zoo.get(
        FLAGS.preset, seed=FLAGS.seed)
    from studies import common

    s = analyse(gan, FLAGS.output_dir, FLAGS.g_layer, FLAGS.d_layer, FLAGS.num_random,
                FLAGS.absolute, FLAGS.seed, command=common.command_line(),
                source=FLAGS.checkpoint or f"zoo preset {FLAGS.preset!r}, seed {FLAGS.seed}")
    print(json.dumps({k: s[k] for k in ("g_layer", "d_layer", "g_kernel_shape", "d_kernel_shape",
                                        "trained", "random")}, indent=2))


if __name__ == "__main__":
    define_flags()
    app.run(main)
