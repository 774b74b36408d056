r"""How confident is a classifier on samples of a GAN whose generator shares the critic's kernel?

The entropy table of Karuvally, *A Study into the similarity in generator and discriminator in
GAN architecture*, on Fashion-MNIST: dataset, untrained G, wgan, shared_wgan, uniform noise.

For each row: mean and population std of the classifier's per-sample softmax
entropy (natural log), classifier-feature FID against a real sample (with the
real-vs-real floor), classifier score and mode coverage; `--num_samples`
images per row (1000 by default), every trained row over `--seeds`.

Full budget (the issue's 30-minute target is the user's to pick with --steps):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.entropy_table --steps=200 --hidden=16
Quick smoke test (< 2 min, no card):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.entropy_table --quick
"""

import os

from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS

KEY = "entropy_table"


def define_flags():
    sc.define_common_flags(flags, default_steps=200)
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset for training and evaluation.")
    flags.DEFINE_integer("hidden", None, "Filters h of both presets (default: the presets' 64).")


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
    fig = sc.save_side_by_side(
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
    width = (f"Both presets at hidden width h = {hidden} (SPEC: 64), the only change, so that "
             "three seeds of both fit the 30-minute budget." if hidden is not None else "")
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
