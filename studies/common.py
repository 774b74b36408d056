"""Shared machinery of the studies: train variants, evaluate, tabulate, write cards.

Not a study itself. Each study trains a few variants (a preset with overrides, or a GAN
built by the study) for the same budget and several seeds, evaluates them with the domain
classifier (`kerasgan.metrics`), and writes JSON, a markdown table and figures under
`studies/results/<study>/`.
"""

import json
import os
import re
import sys
import time

import numpy as np

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
RESULTS = os.path.join(REPO, "studies", "results")

METRIC_COLUMNS = (
    ("entropy_mean", "mean entropy", 3),
    ("entropy_std", "entropy std", 3),
    ("fid", "FID (classifier features)", 1),
    ("classifier_score", "classifier score", 2),
    ("classes_covered", "classes covered (>= 1%)", 1),
    ("coverage_kl", "KL(class hist || uniform)", 3),
)


def define_common_flags(flags, default_steps, default_seeds=("0", "1", "2"), num_samples=1000):
    flags.DEFINE_list("seeds", list(default_seeds), "Seeds (one training run per seed and variant).")
    flags.DEFINE_integer("steps", default_steps, "Training steps (generator updates) per run.")
    flags.DEFINE_integer("num_samples", num_samples, "Generated (and real) images per evaluation.")
    flags.DEFINE_bool("quick", False, "A tiny smoke-test budget (< 2 minutes); writes no card.")
    flags.DEFINE_string("output_dir", None, "Where JSON and figures go (default studies/results/<study>).")
    flags.DEFINE_bool("write_card", True, "Write the table into zoo/<preset>/README.md (or STUDY.md).")
    flags.DEFINE_string("classifier", None, "Explicit domain classifier .keras file.")
    flags.DEFINE_string("classifier_dir", None, "Classifier cache dir (default $KERASGAN_CLASSIFIER_DIR).")
    flags.DEFINE_integer("limit", None, "Train on the first N real images only.")


def command_line():
    """The command that produced a result, as it is typed at the repo root."""
    args = " ".join(sys.argv[1:])
    script = os.path.relpath(os.path.abspath(sys.argv[0]), REPO)
    if script.endswith(".py") and not script.startswith(os.pardir):
        # `python -m studies.symmetry` runs studies/symmetry.py as sys.argv[0].
        program = "-m " + script[:-len(".py")].replace(os.sep, ".")
    else:
        program = script
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return f"KERAS_BACKEND={backend} .venv/bin/python {program} {args}".rstrip()


def get_classifier(dataset, path=None, cache_dir=None):
    import kerasgan

    # $STUDY_WAIT_FOR_FILE: wait until that file exists (e.g. a classifier still training
    # in another process touches it when done), so trained GANs are not evaluated early.
    wait_for = os.environ.get("STUDY_WAIT_FOR_FILE")
    while wait_for and not os.path.exists(wait_for):
        time.sleep(5)

    return kerasgan.metrics.load_classifier(dataset, cache_dir=cache_dir, path=path)


def load_data(preset, gan, config, dataset, seed, limit):
    import kerasgan

    spec = kerasgan.zoo.spec(preset)
    batch = int(config["batch_size"])
    if config.get("real_batches", "reuse") == "split":
        batch *= int(config.get("d_steps", 1))
    del spec
    return kerasgan.data.load(
        dataset, image_shape=gan.image_shape, value_range=tuple(config["value_range"]),
        batch_size=batch, split="train", seed=seed, limit=limit, repeat=True,
    )


def train_variant(preset, seed, steps, dataset=None, limit=None, overrides=None, build=None):
    """Builds `preset` with `overrides`, trains `steps` generator updates; returns (gan, seconds).

    `build(seed)`, when given, builds the compiled GAN instead of `kerasgan.zoo.get` (a study's
    own GAN class); the data still follows `preset`'s config with `overrides`.
    """
    import kerasgan

    spec = kerasgan.zoo.spec(preset)
    overrides = dict(overrides or {})
    config = {**spec.config, **overrides, "seed": int(seed)}
    if build is not None:
        gan = build(int(seed))
    else:
        gan = kerasgan.zoo.get(preset, **{**overrides, "seed": int(seed)})
    start = time.time()
    if steps > 0:
        ds = load_data(preset, gan, config, dataset or spec.dataset, seed, limit)
        gan.fit(ds, epochs=1, steps_per_epoch=int(steps), verbose=0, shuffle=False)
    return gan, time.time() - start


def aggregate(rows, keys=None):
    """`{key: {"mean", "std", "values"}}` over per-seed metric dicts (population std)."""
    keys = keys or [k for k, v in rows[0].items() if isinstance(v, (int, float))]
    out = {}
    for k in keys:
        vals = [float(r[k]) for r in rows if k in r]
        if vals:
            out[k] = {"mean": float(np.mean(vals)), "std": float(np.std(vals)), "values": vals}
    return out


def fmt(stat, digits):
    if stat is None:
        return "-"
    if len(stat["values"]) == 1:
        return f"{stat['mean']:.{digits}f}"
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def markdown_table(results, columns=METRIC_COLUMNS, label="samples from"):
    """`results`: list of (label, aggregate dict). Cells: mean ± std over seeds."""
    head = "| " + label + " | " + " | ".join(c[1] for c in columns) + " |"
    sep = "|---" * (len(columns) + 1) + "|"
    lines = [head, sep]
    for name, agg in results:
        cells = [fmt(agg.get(key), digits) for key, _, digits in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_result_files(presets, name, command, repo=REPO, where=""):
    """`{preset: result}` from `zoo/<preset>/results/<name>.json` of `tools.zoo_results`.

    `command(preset)`: the command that writes a missing file, named in the error (with
    `where`, e.g. the protocol that states it).
    """
    arms = {}
    for preset in presets:
        path = os.path.join(repo, "zoo", preset, "results", f"{name}.json")
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"Expected the result file {path}. Received: no such file. Run "
                f"`{command(preset)}` first{where}.")
        with open(path, encoding="utf-8") as f:
            arms[preset] = json.load(f)
    return arms


def save_json(obj, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, default=_json_default)
        f.write("\n")
    return path


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    return str(o)


def save_side_by_side(grids, path, title=None):
    """One panel per label: `grids` maps label -> images `(N, H, W, C)` in [0, 1]."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from kerasgan.plotting import image_grid

    labels = list(grids)
    fig, axes = plt.subplots(1, len(labels), figsize=(3.2 * len(labels), 3.6))
    axes = np.atleast_1d(axes)
    for ax, label in zip(axes, labels):
        grid = image_grid(grids[label][:36], columns=6)
        ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1,
                  interpolation="nearest")
        ax.set_title(label, fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def card_path(preset):
    """zoo/<preset>/README.md when the preset card exists, else zoo/<preset>/STUDY.md."""
    readme = os.path.join(REPO, "zoo", preset, "README.md")
    return readme if os.path.exists(readme) else os.path.join(REPO, "zoo", preset, "STUDY.md")


def write_card_section(preset, key, markdown):
    """Writes (or replaces) one study's block in the preset card's "Measured" section."""
    path = card_path(preset)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else (
        f"# {preset}: measured results\n\n"
        "Written by the studies (`python -m studies.<name>`; the preset card did not exist yet).\n"
    )
    start, end = f"<!-- study:{key} -->", f"<!-- /study:{key} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        if not re.search(r"^## Measured\s*$", text, flags=re.M):
            text = text.rstrip() + "\n\n## Measured\n"
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def images_per_step(preset, overrides=None):
    """Real images one training step (generator update) consumes with `preset`'s config."""
    import kerasgan

    config = {**kerasgan.zoo.spec(preset).config, **(overrides or {})}
    n = int(config["batch_size"])
    if config.get("real_batches", "reuse") == "split":
        n *= int(config.get("d_steps", 1))
    return n


def budget_note(steps, seeds, seconds, images_per_step=None, train_size=60000, wall_seconds=None,
                extra=""):
    """One sentence stating the training budget: steps, epochs, seeds and measured times."""
    per_run = np.mean(seconds) if seconds else 0.0
    epochs = ""
    if images_per_step:
        epochs = (f" = {steps * images_per_step:,} real images = "
                  f"{steps * images_per_step / train_size:.2f} epochs of the {train_size:,}-image "
                  f"training split")
    wall = f"; the whole study took {wall_seconds / 60:.1f} min" if wall_seconds else ""
    return (
        f"Budget: {steps} training steps (generator updates) per run{epochs}; seeds "
        f"{', '.join(map(str, seeds))}; mean training time {per_run:.0f} s per run{wall} "
        f"(TensorFlow backend, 2 CPU cores). {extra}".strip()
    )


def compare_variants(key, title, variants, cards, seeds, steps, num_samples, dataset, output_dir,
                     classifier_path=None, classifier_dir=None, limit=None, write_card=True,
                     command=None, extra_note="", include_dataset_row=True):
    """Trains each (label, preset, overrides[, build]) variant `steps` steps per seed; tabulates.

    `build(seed) -> compiled GAN` replaces `kerasgan.zoo.get(preset, **overrides)` for a
    variant that trains a study's own GAN class.

    Writes `<output_dir>/results.json`, `<output_dir>/samples.png` (seed 0 grids side by
    side) and, with `write_card`, the table into each preset card named in `cards`.
    """
    import kerasgan

    study_start = time.time()
    # Train everything first, then load the classifier (it may still be training elsewhere).
    trained = {}
    for label, preset, overrides, *build in variants:
        for seed in seeds:
            gan, secs = train_variant(preset, seed, steps, dataset, limit, overrides,
                                      build[0] if build else None)
            trained[label, seed] = (gan, secs)
            _save_checkpoint(gan, key, label, seed)
            print(f"trained {label} seed {seed} in {secs:.0f} s", flush=True)
    clf = get_classifier(dataset, classifier_path, classifier_dir)
    ref = kerasgan.metrics.real_reference(clf, dataset, num_samples=num_samples, seed=0)
    rows, grids, seconds = {}, {}, []
    if include_dataset_row:
        rows["the dataset (test split)"] = [ref.metrics]
    for label, *_ in variants:
        rows[label] = []
        for seed in seeds:
            gan, secs = trained[label, seed]
            seconds.append(secs)
            m = kerasgan.metrics.evaluate_gan(gan, clf, ref, num_samples=num_samples, seed=1000 + seed)
            m.update(seed=seed, steps=steps, train_seconds=secs)
            rows[label].append(m)
            if seed == seeds[0]:
                grids[label] = gan.generate(64, seed=0)
            print(f"{label} seed {seed}: FID {m['fid']:.2f}, covered {m['classes_covered']}, "
                  f"entropy {m['entropy_mean']:.3f} ({secs:.0f} s)", flush=True)
    table = [(label, aggregate(r)) for label, r in rows.items()]
    md = markdown_table(table, label="variant")
    os.makedirs(output_dir, exist_ok=True)
    save_side_by_side(grids, os.path.join(output_dir, "samples.png"),
                      title=f"{dataset}, {steps} steps, seed {seeds[0]}")
    result = {"study": key, "dataset": dataset, "steps": steps, "seeds": seeds,
              "num_samples": num_samples, "classifier": clf.info, "fid_real_floor": ref.fid_floor,
              "command": command, "variants": [_variant_record(v) for v in variants],
              "rows": rows, "table_markdown": md}
    per_step = {images_per_step(v[1], v[2]) for v in variants}
    note = budget_note(steps, seeds, seconds, per_step.pop() if len(per_step) == 1 else None,
                       wall_seconds=time.time() - study_start)
    result["budget_note"] = note
    save_json(result, os.path.join(output_dir, "results.json"))
    rel = os.path.relpath(os.path.join(output_dir, "samples.png"), REPO)
    text = (
        f"### {title}\n\nCommand: `{command}`\n\n{note} {num_samples} generated samples per run; "
        f"FID against {num_samples} real test images (real-vs-real floor {ref.fid_floor:.2f}). "
        f"Classifier test accuracy {clf.info.get('test_accuracy', float('nan')):.4f}. "
        f"Mean ± std over seeds. {extra_note}\n\n{md}\n\nSamples (seed {seeds[0]}, side by side): "
        f"`{rel}`.\n"
    )
    if write_card:
        for preset in cards:
            write_card_section(preset, key, text)
    print(md)
    result["card_text"] = text
    return result


def _variant_record(variant):
    """`[label, preset, overrides]`, plus the builder's name for a study-built GAN."""
    label, preset, overrides, *build = variant
    return [label, preset, overrides] + [
        getattr(getattr(b, "func", b), "__qualname__", type(b).__name__) for b in build]


def variant_main(key, title, variants, cards, flags_values, extra_note=""):
    """`main()` body shared by the variant-comparison studies."""
    f = flags_values
    seeds = [int(s) for s in f.seeds]
    steps, n, limit = f.steps, f.num_samples, f.limit
    if f.quick:
        seeds, steps, n, limit = seeds[:1], 2, 200, limit or 1024
    out = f.output_dir or os.path.join(RESULTS, key + ("_quick" if f.quick else ""))
    return compare_variants(key, title, variants, cards, seeds, steps, n, f.dataset, out,
                            f.classifier, f.classifier_dir, limit, f.write_card and not f.quick,
                            command_line(), extra_note)


def _save_checkpoint(gan, key, label, seed):
    """Keeps seed checkpoints under $STUDY_CHECKPOINT_DIR (if set) for `studies.filter_similarity`."""
    directory = os.environ.get("STUDY_CHECKPOINT_DIR")
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")
    gan.save(os.path.join(directory, f"{key}_{safe}_seed{seed}.keras"))
