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
           "filter_similarity", "classifier_entropy_check")


def test_gaussian_study_quick(tmp_path):
    # The synthetic study: no classifier or image data needed, so it runs anywhere.
    # Its --quick budget is 20 steps; the process (mostly the framework's import) takes ~30-40 s.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, "-m", "studies.gaussian", "--quick", f"--output_dir={tmp_path}",
         "--nowrite_card"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=170,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(tmp_path / "results.json") as f:
        result = json.load(f)
    assert set(result["records"]) == {"gaussian_1d", "gaussian_1d_shared"}
    for recs in result["records"].values():
        assert recs[0]["trace"][-1]["step"] <= 20
    assert "| gaussian_1d |" in result["table_markdown"]
    assert " -m studies.gaussian --quick" in result["command"]
    assert os.path.getsize(tmp_path / "convergence.png") > 0


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
