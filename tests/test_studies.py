"""The studies package: a quick study end to end, its shared helpers, the annealed-noise GAN."""

import importlib
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from absl import flags

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDIES = ("common", "symmetry", "annealed_noise", "l1_unbounded", "gaussian", "entropy_table",
           "filter_similarity", "classifier_entropy_check", "cdcgan_conditioning", "cdcgan_pooling")


# `python -m studies.gaussian ARGS`, run twice in one process as two invocations (runpy runs the
# module afresh each time, as `python -m` does); keeps the first invocation's results.json.
_TWICE = r"""
import os, runpy, shutil, sys

args, first = sys.argv[1:-1], sys.argv[-1]
for invocation in range(2):
    sys.argv = ["studies.gaussian", *args]
    try:
        runpy.run_module("studies.gaussian", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        if e.code:
            raise
    if invocation == 0:
        shutil.copy(os.path.join(os.path.dirname(first), "results.json"), first)
"""


# The study's tooling end to end (its backend is the pass's), with --slow: the tests below cover
# its arms, distances and statistics by default.
@pytest.mark.backend_neutral("jax")
@pytest.mark.slow
def test_gaussian_study_quick(tmp_path):
    # The synthetic study: no classifier or image data needed, so it runs anywhere. Its --quick
    # budget is 2 seeds x 40 steps per arm; two arms (one per preset) drive every step of the
    # tooling, and the other arms' overrides are data trained in tests/test_gaussian_shared.py.
    arms = ["baseline", "shared_d"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    cmd = [sys.executable, "-c", _TWICE, "--quick", f"--output_dir={tmp_path}", "--nowrite_card",
           "--arms=" + ",".join(arms), str(tmp_path / "first.json")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(tmp_path / "first.json") as f:
        result = json.load(f)
    assert set(result["runs"]) == {f"{a}/seed{s}" for a in arms for s in (0, 1)}
    for rec in result["runs"].values():
        # Full trajectories: every run reaches the fixed step count, checked every 10 steps.
        assert [t["step"] for t in rec["trace"]] == list(range(0, 41, 10))
        assert all(t["w1"] is None or t["w1"] >= 0 for t in rec["trace"])
        assert set(rec["metrics"]) >= {"late_w1", "early_w1", "late_ks", "first_crossing"}
    summary = result["summary"]
    assert set(summary["per_arm"]) == set(arms)
    assert summary["machine"]["cpu"] and summary["train_seconds"] > 0
    assert "| baseline | 2 |" in summary["arm_table"]
    assert "shared_d vs baseline" in summary["comparison_table"]
    assert " -m studies.gaussian --quick" in result["command"]
    assert os.path.getsize(tmp_path / "convergence.png") > 0
    # Finished runs are skipped on a rerun: nothing is trained again.
    with open(tmp_path / "results.json") as f:
        again = json.load(f)
    assert again["runs"] == result["runs"]
    assert [i["runs_trained"] for i in again["invocations"]] == [4, 0]

@pytest.mark.backend_neutral  # presets and overrides as data
def test_every_gaussian_arm_builds_its_preset():
    from studies import gaussian

    import kerasgan

    from kerasgan.zoo import config

    for arm, (preset, overrides) in gaussian.ARMS.items():
        kerasgan.zoo.get(preset, seed=0, **overrides)
        recipe = config.apply_overrides(preset, kerasgan.zoo.spec(preset).recipe, overrides)
        for key, value in overrides.items():
            assert config.flat_view(recipe)[key] == value, (arm, key)



def test_gaussian_study_distances_and_statistics():
    from studies import gaussian

    target = gaussian.Target(2000)
    exact = target.distances(target.quantiles)
    assert exact["w1"] == pytest.approx(0.0, abs=1e-12) and exact["ks"] <= 1.0 / 2000 + 1e-9
    shifted = target.distances(target.quantiles + 0.3)
    assert shifted["w1"] == pytest.approx(0.3, rel=1e-9) and shifted["mean"] == pytest.approx(4.3, abs=1e-3)
    assert target.distances(np.full(2000, np.nan))["w1"] is None
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 30), rng.normal(1.5, 1, 30)
    _, p, prob = gaussian.mann_whitney(a, b)
    assert p < 1e-3 and prob > 0.8
    _, p_same, _ = gaussian.mann_whitney(a, a)
    assert p_same == pytest.approx(1.0)
    d, lo, hi = gaussian.bootstrap_median_diff(a, b, resamples=2000)
    assert lo < d < hi < 0
    assert gaussian.verdict(lo, hi) == "lower (better)"
    trace = [{"step": s, "mean": 4.0, "std": 0.5 if s >= 30 else 1.0, "w1": 1.0 / (s + 1), "ks": 0.1}
             for s in range(0, 101, 10)]
    m = gaussian.run_metrics(trace, 100, 0.2, 0.1)
    assert m["first_crossing"] == 30
    assert m["late_w1"] == pytest.approx(np.mean([1 / 91, 1 / 101]))
    assert m["early_w1"] == pytest.approx(np.mean([1 / 11, 1 / 21]))


def test_every_study_imports_without_defining_flags():
    from absl import app  # noqa: F401  (absl's own flags, defined when it is first imported)

    before = set(flags.FLAGS)
    for name in STUDIES:
        module = importlib.import_module(f"studies.{name}")
        assert module.__doc__, name
    assert set(flags.FLAGS) == before


def test_study_common_card_section_is_replaced(tmp_path, monkeypatch):
    from studies import common as sc

    monkeypatch.setattr(sc, "REPO", str(tmp_path))
    card = tmp_path / "zoo" / "p" / "README.md"
    card.parent.mkdir(parents=True)
    card.write_text("# p\n\nText.\n")
    sc.write_card_section("p", "k", "table one")
    sc.write_card_section("p", "k", "table two")
    text = card.read_text()
    assert text.count("## Measured") == 1 and "table two" in text and "table one" not in text
    assert sc.card_path("other").endswith(os.path.join("other", "STUDY.md"))
    assert sc.RESULTS.endswith(os.path.join("studies", "results"))


_TINY = dict(g_widths=(16,), d_widths=(16,), latent_dim=8, image_shape=(8, 8, 1),
             steps_per_execution=1, batch_size=4)


@pytest.fixture
def annealed():
    from studies.annealed_noise import annealed_gan

    return annealed_gan("mnist_mlp", 0, anneal_steps=4, **_TINY)


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def test_annealed_noise_gan_mixes_real_and_noise(annealed):
    gan = annealed
    randomness = gan.draw_randomness(4)
    noise = _np(randomness["noise0"])
    assert noise.shape == (4, 8, 8, 1)
    low, high = gan.output_range
    assert noise.min() >= low and noise.max() <= high and noise.std() > 0.1
    real = np.full((4, 8, 8, 1), 0.25, "float32")
    for step, t in ((0, 0.0), (1, 0.25), (2, 0.5), (4, 1.0), (9, 1.0)):
        gan.optimizer.iterations.assign(step)
        fake = _np(gan.discriminator_fake(keras.ops.convert_to_tensor(real), 0, randomness))
        np.testing.assert_allclose(fake, real * t + noise * (1 - t), atol=1e-6, err_msg=str(step))


def test_annealed_noise_gan_trains_and_saves(annealed, tmp_path, monkeypatch):
    from studies.annealed_noise import AnnealedNoiseGAN

    gan = annealed
    calls = []
    original = AnnealedNoiseGAN.discriminator_fake

    def spy(self, real, d_step, randomness):
        calls.append(d_step)
        return original(self, real, d_step, randomness)

    monkeypatch.setattr(AnnealedNoiseGAN, "discriminator_fake", spy)
    d_before = [_np(v) for v in gan.discriminator.trainable_variables]
    g_before = [_np(v) for v in gan.generator.trainable_variables]
    x = np.random.default_rng(0).uniform(0, 1, (8, 8, 8, 1)).astype("float32")
    history = gan.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert calls, "fit() did not take D's fake batch from discriminator_fake"
    assert np.isfinite(history.history["d_loss"][-1]) and np.isfinite(history.history["g_loss"][-1])
    assert int(_np(gan.optimizer.iterations)) == 2
    assert any(not np.array_equal(b, _np(v)) for b, v in zip(d_before, gan.discriminator.trainable_variables))
    assert any(not np.array_equal(b, _np(v)) for b, v in zip(g_before, gan.generator.trainable_variables))

    assert gan.get_config()["anneal_steps"] == 4
    path = str(tmp_path / "annealed.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is AnnealedNoiseGAN and loaded.anneal_steps == 4
    np.testing.assert_allclose(loaded.generate(3, seed=1), gan.generate(3, seed=1), atol=1e-6)
    assert loaded.get_compile_config()["loss"] == gan.get_compile_config()["loss"]


def test_annealed_noise_gan_rejects_bad_anneal_steps():
    import kerasgan
    from studies.annealed_noise import AnnealedNoiseGAN, gan_kwargs

    base = kerasgan.zoo.get("mnist_mlp", seed=0, **_TINY)
    with pytest.raises(ValueError, match=r"Expected anneal_steps to be a positive integer\. "
                                         r"Received: anneal_steps=0"):
        AnnealedNoiseGAN(base.generator, base.discriminator, anneal_steps=0, **gan_kwargs(base))


def test_filter_similarity_study_verdicts(tmp_path):
    # The pre-registered rule on tiny dcgans: a "trained" model whose image-facing G kernel copies
    # D's first kernel is more alike than every initialisation (claim A holds); untouched models
    # sit inside the null (here: one of the null's own seeds, so claim A does not hold).
    import kerasgan
    from studies import filter_similarity as fs

    small = {"base_filters": 4}
    paths = []
    for seed, copy in ((100, True), (101, True), (102, True), (2, False)):
        gan = kerasgan.zoo.get("dcgan", seed=seed, **small)
        if copy:
            d_kernel = keras.ops.convert_to_numpy(gan.discriminator.get_layer("down_0").kernel)
            gan.generator.get_layer("to_image").kernel.assign(d_kernel[:, :, :, :4])
        path = str(tmp_path / f"gan{seed}.keras")
        gan.save(path)
        paths.append(path)
    r = fs.study(paths[:3], "dcgan", str(tmp_path / "copied"), null_seeds=5, num_random=2,
                 overrides=small, command="test")
    image, control = r["pairs"]["image_facing"], r["pairs"]["control"]
    assert (image["g_layer"], image["d_layer"]) == ("to_image", "down_0")
    assert control["g_layer"] == "up_1" and control["g_kernel_shape"] == [4, 4, 4, 8]
    assert image["trained_mean"]["min"] == pytest.approx(1.0)
    assert image["verdict"] == "holds" and image["trained_above_null_max"] == 3
    assert 0.0 < image["null_mean"]["max"] < 0.9
    assert len(r["pairs"]["image_facing"]["null"]) == 5
    record = json.loads((tmp_path / "copied" / "results.json").read_text())["provenance"]
    assert record["command"] == "test" and sorted(record["config"]["checkpoints"]) == paths[:3]
    assert all(len(sha) == 64 for sha in record["config"]["checkpoints"].values())
    findings = (tmp_path / "copied" / "FINDINGS.md").read_text()
    assert "| holds |" in findings and "`to_image` (4, 4, 1, 4)" in findings
    assert os.path.getsize(tmp_path / "copied" / "filter_similarity.png") > 0
    untouched = fs.study(paths[3:], "dcgan", str(tmp_path / "untouched"), null_seeds=5,
                         num_random=2, overrides=small)
    assert untouched["pairs"]["image_facing"]["verdict"] == "does not hold"
    # The rule itself, on hand-made numbers.
    null = [0.30, 0.32, 0.35]
    assert fs.verdict([0.50, 0.55, 0.60], null, "more_alike") == "holds"
    assert fs.verdict([0.36, 0.37, 0.38], null, "more_alike") == "inconclusive"  # above, < margin
    assert fs.verdict([0.31, 0.33, 0.50], null, "more_alike") == "does not hold"
    assert fs.verdict([0.31, 0.33, 0.50], null, "not_more_alike") == "holds"
    assert fs.verdict([0.50, 0.55, 0.60], null, "not_more_alike") == "does not hold"
    assert fs.verdict([0.20, 0.25, 0.33], null, "not_more_alike") == "inconclusive"


def test_l1_study_verdict_rule_and_findings(tmp_path):
    from studies import l1_unbounded as l1

    def reports(fds, classes):
        return [{"fd": f, "classes_covered": c, "recall": 0.1, "coverage": 0.2}
                for f, c in zip(fds, classes)]

    collapsed, varied = reports([200, 210, 220], [1, 1, 2]), reports([90, 100, 120], [9, 10, 8])
    assert l1.verdict(collapsed, varied) == "holds"
    assert l1.verdict(varied, collapsed) == "does not hold"  # the sigmoid arm is the better one
    assert l1.verdict(collapsed, reports([150, 160, 230], [6, 7, 5])) == "inconclusive"
    both = reports([150, 160, 170], [2, 3, 2])
    # Both collapsed: the one-epoch protocol's letter said "does not hold", the two-epoch one says
    # the budget trained neither arm.
    assert l1.verdict(collapsed, both, both_collapsed="does not hold") == "does not hold"
    assert l1.verdict(collapsed, both) == "inconclusive"
    # Two-epoch rule: the sigmoid arm trains (>= 5 classes), the unbounded one collapses.
    assert l1.verdict(reports([150, 170, 250], [6, 5, 7]), reports([160, 180, 190], [2, 3, 1])) == "does not hold"
    assert l1.protocol_files("epoch1") == ("PROTOCOL.md", "FINDINGS.md", "does not hold")
    assert l1.protocol_files("epoch2") == ("PROTOCOL_epoch2.md", "FINDINGS_epoch2.md", "inconclusive")
    for preset, reps in (("l1", collapsed), ("l1_unbounded", varied)):
        os.makedirs(tmp_path / "zoo" / preset / "results")
        with open(tmp_path / "zoo" / preset / "results" / "epoch1.json", "w") as f:
            json.dump({"arguments": f"--preset={preset} --name=epoch1",
                       "runs": [{"steps": 1200, "report": r} for r in reps]}, f)
    verdict, text = l1.findings("epoch1", repo=str(tmp_path))
    assert verdict == "holds" and "**holds** (at 1,200 steps)" in text
    assert "(protocol: PROTOCOL.md)" in text
    assert "| `l1_unbounded` | 3 | 1,200 | 90.0, 100.0, 120.0 | 103.3 [90.0-120.0] |" in text
    with pytest.raises(FileNotFoundError, match="Expected the result file"):
        l1.findings("missing", repo=str(tmp_path))


def test_entropy_table_verdict_rule_and_findings(tmp_path):
    from studies import entropy_table as et

    untrained = [1.9, 2.0, 2.1]
    assert et.verdict([0.30, 0.35, 0.40], [0.32, 0.40, 0.45], untrained)[0] == "holds"  # +0.04
    assert et.verdict([0.30, 0.35, 0.40], [0.10, 0.12, 0.15], untrained)[0] == "holds"  # better
    assert et.verdict([0.30, 0.35, 0.40], [0.50, 0.55, 0.60], untrained)[0] == "does not hold"
    # Worse by more than the margin, but one shared seed below a baseline seed.
    assert et.verdict([0.30, 0.35, 0.60], [0.50, 0.55, 0.90], untrained)[0] == "inconclusive"
    # A seed at the ceiling's side of 1.0 nats, or no better than untrained: no verdict.
    verdict, reason = et.verdict([0.30, 0.35, 1.20], [0.32, 0.40, 0.45], untrained)
    assert verdict == "inconclusive" and "above 1.0 nats" in reason
    assert et.verdict([0.8, 0.9, 0.9], [0.8, 0.9, 0.9], [0.5, 0.6, 0.7])[0] == "inconclusive"

    def report(e, fd, classes=10):
        return {"entropy_mean": e, "entropy_std": 0.3, "fd": fd, "classes_covered": classes,
                "real_vs_real": {"entropy_mean": 0.02, "entropy_std": 0.1, "fd": 5.4,
                                 "classes_covered": 10}}

    arms = {"wgan": [report(0.30, 300), report(0.35, 320), report(0.40, 340)],
            "shared_wgan": [report(0.32, 250), report(0.40, 260), report(0.45, 280)]}
    for preset, reps in arms.items():
        os.makedirs(tmp_path / "zoo" / preset / "results")
        with open(tmp_path / "zoo" / preset / "results" / "e.json", "w") as f:
            json.dump({"arguments": f"--preset={preset} --name=e",
                       "runs": [{"seed": i, "steps": 2000, "report": r} for i, r in enumerate(reps)]}, f)
    verdict, text = et.findings("e", [report(e, 900) for e in untrained], report(2.3, 2000, 1),
                                repo=str(tmp_path))
    assert verdict == "holds" and "**holds** at 2,000 steps (shared - baseline = +0.040 nats" in text
    assert "| `shared_wgan` (2,000 steps) | 3 | 0.320, 0.400, 0.450 | 0.390 [0.320-0.450] |" in text
    assert "| untrained G (wgan init) | 3 | 1.900, 2.000, 2.100 | 2.000 [1.900-2.100] |" in text
    assert "every shared seed has a lower FD than every baseline seed" in text
    with pytest.raises(FileNotFoundError, match="Expected the result file"):
        et.findings("missing", [], {}, repo=str(tmp_path))


def test_entropy_table_rule_for_one_run_per_arm(tmp_path):
    from studies import entropy_table as et

    untrained = [2.3]
    # Half-width 1.96 * sqrt(2 * 0.005^2 + 2 * 0.028^2) = 0.0789 nats.
    holds = et.verdict_one_run_each((0.30, 0.005), (0.32, 0.005), untrained)
    assert holds[0] == "holds" and "[-0.059, +0.099]" in holds[1]
    assert et.verdict_one_run_each((0.30, 0.005), (0.33, 0.005), untrained)[0] == "inconclusive"
    assert et.verdict_one_run_each((0.30, 0.005), (0.50, 0.005), untrained)[0] == "does not hold"
    assert et.verdict_one_run_each((0.30, 0.005), (0.15, 0.005), untrained)[0] == "holds"
    assert et.verdict_one_run_each((0.30, 0.005), (1.10, 0.005), untrained)[0] == "inconclusive"
    assert et.verdict_one_run_each((0.30, 0.005), (0.32, 0.005), [0.31])[0] == "inconclusive"

    def report(e, ci):
        return {"entropy_mean": e, "entropy_mean_se": 0.005, "entropy_mean_ci95": ci,
                "entropy_std": 0.3, "fd": 40.0, "classes_covered": 10,
                "real_vs_real": {"entropy_mean": 0.02, "entropy_std": 0.1, "fd": 5.4,
                                 "classes_covered": 10}}

    for preset, r in (("wgan", report(0.30, [0.29, 0.31])), ("shared_wgan", report(0.32, [0.31, 0.33]))):
        os.makedirs(tmp_path / "zoo" / preset / "results")
        with open(tmp_path / "zoo" / preset / "results" / "train.json", "w") as f:
            json.dump({"arguments": f"--preset={preset} --name=train",
                       "runs": [{"seed": 0, "steps": 10940, "report": r}]}, f)
    verdict, text = et.findings("train", [report(2.3, [2.3, 2.3])], report(2.3, [2.3, 2.3]),
                                repo=str(tmp_path))
    assert verdict == "holds" and "(protocol: PROTOCOL_paper_scale.md)" in text
    assert "| `shared_wgan` (10,940 steps) | 1 | 0.320 (0.310-0.330) |" in text
    assert "FD 40.0 (baseline) vs 40.0 (shared), one run per arm" in text
