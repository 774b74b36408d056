"""kerasgan.metrics: the judge classifiers, `evaluate()`, the callback and the evaluate tool.

The scores themselves against hand-computed values: tests/test_scores.py.
"""

import gzip
import json
import math
import os
import struct

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import metrics
from tests.conftest import tiny_mlp_gan


# ------------------------------------------------------------ classifier pipeline (tiny)


def _write_idx(directory, images, labels, split="t10k"):
    os.makedirs(directory, exist_ok=True)
    n, h, w = images.shape
    with gzip.open(os.path.join(directory, f"{split}-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">iiii", 0x00000803, n, h, w) + images.astype("uint8").tobytes())
    with gzip.open(os.path.join(directory, f"{split}-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">ii", 0x00000801, n) + labels.astype("uint8").tobytes())


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """A tiny 'dataset' of 28x28 images whose class is the brightness band; IDX test split."""
    rng = np.random.default_rng(0)
    labels = np.arange(200) % 10
    images = rng.integers(0, 25, size=(200, 28, 28)) + 20 * labels[:, None, None]
    directory = str(tmp_path_factory.mktemp("tiny_idx"))
    _write_idx(directory, images, labels)
    return directory, images.astype("float32")[..., None] / 255.0, labels


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory):
    """A tiny judge with random weights (the pipeline tests need features, not accuracy)."""
    keras.utils.set_random_seed(0)
    model = metrics.build_classifier(kernel_size=3, filters=(4, 4), feature_units=8)
    clf = metrics.DomainClassifier(model, {"dataset": "tiny"})
    path = str(tmp_path_factory.mktemp("clf") / "tiny_classifier.weights.h5")
    metrics.classifier.save_classifier(clf, path)
    return path


@pytest.fixture(scope="module")
def tiny_classifier_b(tmp_path_factory):
    """A second tiny judge: another architecture (5x5 kernels, three conv stages) and seed."""
    keras.utils.set_random_seed(1)
    model = metrics.build_classifier(kernel_size=5, filters=(4, 4, 8), feature_units=6, dropout=0.3)
    clf = metrics.DomainClassifier(model, {"dataset": "tiny"})
    path = str(tmp_path_factory.mktemp("clf_b") / "tiny_b_classifier.weights.h5")
    metrics.classifier.save_classifier(clf, path)
    return path


def test_classifier_save_load_predict(tiny_classifier, tiny_data):
    _, x, _ = tiny_data
    clf = metrics.load_classifier("tiny", path=tiny_classifier)
    assert clf.info["dataset"] == "tiny" and clf.sha256 == metrics.file_sha256(tiny_classifier)
    assert clf.info["architecture"] == {"kernel_size": 3, "filters": [4, 4], "feature_units": 8,
                                        "dropout": 0.5}
    probs, feats = clf.predict(x[:7])
    assert probs.shape == (7, 10) and feats.shape == (7, 8)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    # Other sizes, channels and ranges are converted before prediction.
    rgb = np.repeat(x[:3], 3, axis=-1) * 2 - 1
    big = np.repeat(np.repeat(rgb, 2, axis=1), 2, axis=2)
    p2, _ = clf.predict(big, value_range=(-1, 1))
    assert p2.shape == (3, 10) and np.all(np.isfinite(p2))


def test_three_stage_classifier_round_trip(tiny_classifier_b, tiny_data):
    _, x, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier_b)
    assert clf.info["architecture"] == {"kernel_size": 5, "filters": [4, 4, 8], "feature_units": 6,
                                        "dropout": 0.3}
    assert [layer.name for layer in clf.model.layers if layer.name.startswith("conv")] == [
        "conv1", "conv2", "conv3"]
    assert metrics.judge_name(clf) == "tiny_b"
    keras.utils.set_random_seed(1)  # the same weights as the fixture's
    model = metrics.build_classifier(kernel_size=5, filters=(4, 4, 8), feature_units=6, dropout=0.3)
    np.testing.assert_allclose(clf.predict(x[:5])[1],
                               metrics.DomainClassifier(model).predict(x[:5])[1], rtol=1e-5)
    with pytest.raises(ValueError, match=r"Expected 1 to 4 conv stages .*Received: filters="):
        metrics.build_classifier(filters=(4,) * 5)


def test_train_classifier_records_its_protocol(tiny_data, tmp_path):
    """One epoch on 200 tiny images: the command path, outlier exposure and the metadata."""
    directory, x, y = tiny_data
    _write_idx(directory, (x[..., 0] * 255).round(), y, split="train")
    path = str(tmp_path / "oe_classifier.weights.h5")
    clf = metrics.train_classifier(
        "fashion_mnist", data_dir=directory, path=path, epochs=1, batch_size=50, verbose=0,
        outlier_exposure=0.5, kernel_size=3, filters=(4, 4), feature_units=8, command="test")
    info = json.load(open(metrics.classifier.metadata_path(path)))
    assert info["outlier_examples"] == 100 and info["train_examples"] == 200
    assert info["recipe"]["outlier_exposure"] == 0.5 and info["training_command"] == "test"
    assert info["sha256"] == metrics.file_sha256(path) and info["test_split"] == "test"
    assert info["architecture"]["feature_units"] == 8 and "outlier exposure: 100" in info["protocol"]
    assert info["test_accuracy"] == pytest.approx(clf.accuracy(x, y))
    assert metrics.load_classifier(path=path).sha256 == info["sha256"]
    with pytest.raises(ValueError, match="ending in .weights.h5"):
        metrics.train_classifier("fashion_mnist", data_dir=directory, path=str(tmp_path / "x.keras"))
    # A judge's name picks its recipe, seed and dataset (the second Fashion-MNIST judge here).
    clf_b = metrics.train_classifier("fashion_mnist_b", data_dir=directory, epochs=1, verbose=0,
                                     command="test")
    assert clf_b.info["judge"] == "fashion_mnist_b" and clf_b.info["dataset"] == "fashion_mnist"
    assert clf_b.info["seed"] == 1 and clf_b.info["architecture"] == {
        "kernel_size": 5, "filters": [16, 32, 64], "feature_units": 128, "dropout": 0.3}
    assert "judge" not in clf.info and clf.info["seed"] == 0
    # Outliers: half uniform noise, half constant images.
    out = metrics.classifier.outlier_images(10, seed=0)
    assert out.shape == (10, 28, 28, 1) and out.min() >= 0 and out.max() <= 1
    assert np.all(out[5:].std(axis=(1, 2, 3)) < 1e-6) and np.all(out[:5].std(axis=(1, 2, 3)) > 0.2)


def test_prepare_images():
    x = metrics.prepare_images(np.full((2, 64, 64, 3), 1.0), value_range=(-1, 1))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x, 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="Expected images"):
        metrics.prepare_images(np.zeros((2, 5)))


def test_missing_classifier_names_the_file(tmp_path):
    expected = os.path.join(str(tmp_path), "fashion_mnist_classifier.weights.h5")
    with pytest.raises(FileNotFoundError, match="fashion_mnist_classifier.weights.h5 is missing"):
        metrics.load_classifier("fashion_mnist", directory=str(tmp_path))
    assert metrics.classifier_path("fashion-mnist", str(tmp_path)) == expected


@pytest.mark.parametrize("dataset", ["fashion_mnist", "fashion_mnist_b", "mnist", "mnist_b"])
def test_shipped_judge_matches_its_sha256(dataset):
    path = metrics.classifier_path(dataset)
    with open(metrics.classifier.metadata_path(path)) as f:
        info = json.load(f)
    assert metrics.file_sha256(path) == info["sha256"]
    assert info["size_bytes"] == os.path.getsize(path) < 5_000_000
    assert info["test_accuracy"] >= info["target_accuracy"]
    # Outlier exposure: uniform noise scores near log 10, real test images near 0.
    assert info["uniform_noise_entropy_mean"] > 0.95 * math.log(10) > 10 * info["test_entropy_mean"]
    for key in ("training_command", "protocol", "backend", "versions", "test_examples"):
        assert info[key], key
    clf = metrics.load_classifier(dataset)
    assert clf.sha256 == info["sha256"] and metrics.judge_name(clf) == dataset
    assert clf.info["feature_dim"] == clf.model.get_layer("features").units == info["feature_dim"]
    x, y, split = metrics.real_arrays(clf.dataset, "test", limit=500, with_split=True)
    assert split == info["test_split"]
    assert clf.accuracy(x, y) > info["test_accuracy"] - 0.05


@pytest.mark.parametrize("dataset", ["fashion_mnist", "mnist"])
def test_each_dataset_has_two_independent_judges(dataset):
    """Two judges: another architecture and seed, the same data protocol, each pinned."""
    assert metrics.shipped_judges(dataset.replace("_", "-")) == [dataset, dataset + "_b"]
    a, b = (metrics.load_classifier(name) for name in metrics.shipped_judges(dataset))
    assert a.info["architecture"] != b.info["architecture"] and a.info["seed"] != b.info["seed"]
    assert a.sha256 != b.sha256 and a.dataset == b.dataset == dataset
    for key in ("protocol", "train_examples", "validation_examples", "test_examples", "test_split"):
        assert a.info[key] == b.info[key], key
    assert b.info["architecture"] == {"kernel_size": 5, "filters": [16, 32, 64],
                                      "feature_units": 128, "dropout": 0.3}
    assert b.info["judge"] == dataset + "_b" and b.info["seed"] == 1


def test_tampered_second_judge_is_rejected(tmp_path):
    import shutil

    source = metrics.classifier_path("fashion_mnist_b")
    path = metrics.classifier_path("fashion_mnist_b", str(tmp_path))
    shutil.copy(source, path)
    shutil.copy(metrics.classifier.metadata_path(source), metrics.classifier.metadata_path(path))
    expected = metrics.load_classifier("fashion_mnist_b", directory=str(tmp_path)).sha256
    with open(path, "r+b") as f:  # flip one byte
        f.seek(os.path.getsize(path) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ValueError, match=rf"Expected classifier weights with sha256 {expected} .*"
                                         r"Received: .*fashion_mnist_b_classifier.weights.h5 with "
                                         r"sha256 .*--judge=fashion_mnist_b"):
        metrics.load_classifier("fashion_mnist_b", directory=str(tmp_path))


# The report's numbers are numpy over the judges' features: both datasets run in the JAX pass,
# the shorter one (the judges themselves load, predict and meet their accuracy under both
# backends in test_shipped_judge_matches_its_sha256).
@pytest.mark.backend_neutral("jax")
@pytest.mark.parametrize("dataset", ["fashion_mnist", "mnist"])
def test_both_judges_rank_real_images_above_noise(dataset):
    """Both FDs are reported, finite, and agree: held-out real images far below uniform noise."""
    x, _ = metrics.real_arrays(dataset, "train")
    real = x[-500:]  # validation images: never fit by either judge
    good = metrics.evaluate(real, dataset, num_samples=500)
    bad = metrics.evaluate(metrics.uniform_noise_images(500), dataset, num_samples=500)
    names = [dataset, dataset + "_b"]
    for report in (good, bad):
        assert list(report["judges"]) == names
        first, second = report["judges"].values()
        assert first["fd"] == report["fd"] and report["fd_second_judge"] == second["fd"]
        assert first["sha256"] == metrics.load_classifier(names[0]).sha256
        assert second["sha256"] == metrics.load_classifier(names[1]).sha256
        assert all(np.isfinite(j["fd"]) and np.isfinite(j["real_vs_real"]["fd"])
                   for j in report["judges"].values())
        assert f"second judge: {names[1]}" in str(report)
    for name in names:
        g, b = good["judges"][name], bad["judges"][name]
        assert b["fd"] > 10 * g["fd"], name
        assert g["recall"] > b["recall"] and g["classes_covered"] == 10 > b["classes_covered"], name


def test_mnist_holdout_halves():
    x, y, split = metrics.real_arrays("mnist", "test", with_split=True)
    if split != "holdout_test":
        pytest.skip("the full MNIST train split is present: the standard split applies")
    x_all, y_all = metrics.real_arrays("mnist", "holdout_train")
    assert len(x) == len(x_all) == 5000
    raw, labels = metrics.real_arrays("mnist", "train")  # the first half, for training
    np.testing.assert_array_equal(raw, x_all)
    assert not np.array_equal(x[:10], raw[:10]) and len(labels) == 5000


def test_corrupt_or_incomplete_classifier_is_rejected(tiny_classifier, tmp_path):
    import shutil

    path = str(tmp_path / "copy_classifier.weights.h5")
    shutil.copy(tiny_classifier, path)
    shutil.copy(metrics.classifier.metadata_path(tiny_classifier), metrics.classifier.metadata_path(path))
    assert metrics.load_classifier(path=path).sha256 == metrics.file_sha256(path)
    with open(path, "r+b") as f:  # flip one byte
        f.seek(os.path.getsize(path) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ValueError, match=r"Expected classifier weights with sha256 .*Received: .*copy_classifier.weights.h5 with sha256 .*corrupt or were replaced"):
        metrics.load_classifier(path=path)
    os.remove(metrics.classifier.metadata_path(path))
    with pytest.raises(FileNotFoundError, match="copy_classifier.json is missing"):
        metrics.load_classifier(path=path)
    with pytest.raises(ValueError, match="ending in .weights.h5"):
        metrics.load_classifier(path=str(tmp_path / "model.keras"))


def test_real_reference_and_evaluate_images(tiny_classifier, tiny_data):
    directory, x, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier)
    ref = metrics.real_reference(clf, directory, num_samples=50, seed=0)
    assert ref.fid_floor >= 0 and ref.images.shape == (50, 28, 28, 1)
    assert ref.floor_num_samples == 50 and ref.split == "test"
    m = metrics.evaluate_images(x[:50], clf, ref)
    for key in ("entropy_mean", "entropy_std", "classifier_score", "classes_covered",
                "coverage_kl", "fd", "fd_real_floor", "kid", "kid_se", "precision", "recall",
                "density", "coverage", "low_confidence_fraction"):
        assert np.isfinite(m[key]), key
    assert m["fid"] == m["fd"]
    # 150 of 200 images: the floor uses two disjoint halves of 100.
    big = metrics.real_reference(clf, directory, num_samples=150)
    assert big.num_samples == 150 and big.floor_num_samples == 100
    assert big.metrics["num_samples"] == 100 and big.metrics["kid_subset_size"] == 50
    with pytest.raises(ValueError, match="num_samples <= 200"):
        metrics.real_reference(clf, directory, num_samples=250)


def test_real_vs_real_row_uses_disjoint_samples(tiny_classifier, tiny_data, monkeypatch):
    """With fewer than 2N real images, B is compared with the part of A it does not overlap."""
    directory, _, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier)
    seen = []
    original = metrics.scores.precision_recall_density_coverage
    monkeypatch.setattr(metrics.scores, "precision_recall_density_coverage",
                        lambda real, fake, **k: seen.append((real, fake)) or original(real, fake, **k))
    metrics.real_reference(clf, directory, num_samples=150, seed=7)
    (real, fake), = seen
    assert real.shape == fake.shape == (100, 8)
    assert ((real[:, None] - fake[None]) ** 2).sum(-1).min() > 0  # no image in both


def test_real_features_are_cached(tiny_classifier, tiny_data, monkeypatch):
    directory, x, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier)
    assert metrics.load_classifier(path=tiny_classifier) is clf  # loaded once per process
    metrics.real_reference(clf, directory, num_samples=60, seed=3)
    calls = []
    original = clf.predict
    monkeypatch.setattr(clf, "predict", lambda *a, **k: calls.append(1) or original(*a, **k))
    again = metrics.real_reference(clf, directory, num_samples=60, seed=3)
    assert calls == [] and again.features.shape == (60, 8)
    metrics.real_reference(clf, directory, num_samples=60, seed=4)
    assert len(calls) == 2  # a new reference: samples A and B


def test_evaluate_report(tiny_classifier, tiny_data):
    directory, x, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier)
    report = metrics.evaluate(x[:80], directory, num_samples=80, classifier=clf)
    assert isinstance(report, metrics.EvaluationReport)
    p = report["protocol"]
    assert (p["num_generated"], p["num_real"], p["reference_split"]) == (80, 80, "test")
    assert p["floor_num_samples"] == 80 and p["generation_seed"] is None
    assert p["judge"]["sha256"] == metrics.file_sha256(tiny_classifier)
    assert p["min_confidence"] == 0.5 and p["kid_subset_size"] == 40 and p["kid_subsets"] == 100
    assert (p["precision_recall_k"], p["density_coverage_k"]) == (3, 5)
    for key in ("fd", "fd_real_floor", "kid", "kid_se", "precision", "recall", "density", "coverage",
                "classes_covered", "class_histogram", "entropy_mean", "entropy_std",
                "classifier_score", "low_confidence_fraction"):
        assert key in report and key in report["real_vs_real"], key
    assert "fid" not in report
    assert json.loads(report.to_json())["protocol"]["num_real"] == 80
    text = str(report)
    assert "80 generated vs 80 real" in text and "KID" in text and "classes covered" in text
    # A path to the judge works too, and so does a GAN (its generate() in [0, 1]).
    gan = tiny_mlp_gan(image_shape=(28, 28, 1))
    from_gan = metrics.evaluate(gan, directory, num_samples=40, seed=1, classifier=tiny_classifier,
                                real_row=False)
    assert from_gan["protocol"]["num_generated"] == 40 and from_gan["protocol"]["generation_seed"] == 1
    assert from_gan["protocol"]["source"] == "GAN.generate" and "real_vs_real" not in from_gan
    np.testing.assert_allclose(from_gan["fd"], metrics.evaluate(
        gan.generate(40, seed=1), directory, num_samples=40, classifier=clf, real_row=False)["fd"])


def test_evaluate_reports_every_judge(tiny_classifier, tiny_classifier_b, tiny_data, monkeypatch):
    directory, x, _ = tiny_data
    report = metrics.evaluate(x[:80], directory, num_samples=80, classifier=tiny_classifier,
                              judges=[tiny_classifier_b])
    assert list(report["judges"]) == ["tiny", "tiny_b"]
    first, second = report["judges"].values()
    # The first judge's entry repeats the top-level metrics; the top level is unchanged.
    assert first["fd"] == report["fd"] and first["kid"] == report["kid"]
    assert first["sha256"] == report["protocol"]["judge"]["sha256"]
    assert second["sha256"] == metrics.file_sha256(tiny_classifier_b) and second["feature_dim"] == 6
    assert report["fd_second_judge"] == second["fd"] != report["fd"]
    for key in ("fd", "fd_real_floor", "kid", "kid_se", "precision", "recall", "classes_covered"):
        assert np.isfinite(second[key]) and np.isfinite(second["real_vs_real"][key]), key
    assert json.loads(report.to_json())["judges"]["tiny_b"]["fd"] == pytest.approx(second["fd"])
    text = str(report)
    assert "second judge: tiny_b, tiny_b_classifier.weights.h5 sha256" in text
    assert f"FD              {second['fd']:.2f}" in text
    # The second judge measures as it would alone, from its own cached real features.
    alone = metrics.evaluate(x[:80], directory, num_samples=80, classifier=tiny_classifier_b)
    assert alone["fd"] == pytest.approx(second["fd"])
    assert alone["kid"] == pytest.approx(second["kid"])
    assert list(alone["judges"]) == ["tiny_b"] and "fd_second_judge" not in alone
    clf_b = metrics.load_classifier(path=tiny_classifier_b)
    calls = []
    original = clf_b.predict
    monkeypatch.setattr(clf_b, "predict", lambda *a, **k: calls.append(1) or original(*a, **k))
    again = metrics.evaluate(x[:80], directory, num_samples=80, classifier=tiny_classifier,
                             judges=clf_b, real_row=False)
    assert calls == [1] and again["fd_second_judge"] == pytest.approx(second["fd"])
    assert "real_vs_real" not in again["judges"]["tiny_b"]
    with pytest.raises(ValueError, match=r"Expected a dataset's name\. Received: "
                                         r"dataset='fashion_mnist_b', a judge of 'fashion_mnist'"):
        metrics.evaluate(x[:10], "fashion_mnist_b")


# ------------------------------------------------------------------- callback and tools


def test_callback_logs_into_history_and_tensorboard(tiny_classifier, tiny_data, tmp_path):
    directory, x, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier)
    ref = metrics.real_reference(clf, directory, num_samples=40, seed=0)
    gan = tiny_mlp_gan(image_shape=(28, 28, 1))
    gan.compile()
    cb = metrics.ClassifierMetrics(clf, ref, num_samples=40, every=2, log_dir=str(tmp_path / "tb"))
    history = gan.fit(x[:64], batch_size=32, epochs=4, verbose=0, callbacks=[cb])
    # Evaluated at epochs 2 and 4 only; History keeps one value per evaluated epoch.
    assert [e for e, _ in cb.results] == [2, 4]
    assert len(history.history["eval_fd"]) == 2 and len(history.history["eval_kid"]) == 2
    assert all(np.isfinite(v) for v in history.history["eval_entropy_mean"])
    assert "eval_classes_covered" in history.history and "eval_precision" in history.history
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(tmp_path / "tb"))


def test_callback_without_tensorboard(tiny_classifier, tiny_data, tmp_path):
    directory, x, _ = tiny_data
    clf = metrics.load_classifier(path=tiny_classifier)
    ref = metrics.real_reference(clf, directory, num_samples=20, seed=0)
    gan = tiny_mlp_gan(image_shape=(28, 28, 1))
    gan.compile()
    cb = metrics.ClassifierMetrics(clf, ref, num_samples=20, log_dir=None)
    history = gan.fit(x[:32], batch_size=32, epochs=1, verbose=0, callbacks=[cb])
    assert len(history.history["eval_fd"]) == 1


def test_evaluate_tool_on_tiny_checkpoint(tiny_classifier, tiny_classifier_b, tiny_data, tmp_path):
    from tools import evaluate

    directory, x, _ = tiny_data
    gan = tiny_mlp_gan(image_shape=(28, 28, 1))
    gan.compile()
    gan.fit(x[:32], batch_size=32, epochs=1, verbose=0)
    ckpt = str(tmp_path / "gan.keras")
    gan.save(ckpt)
    report = evaluate.evaluate_checkpoint(ckpt, dataset=directory, classifier=tiny_classifier,
                                          num_samples=30, grid_samples=16,
                                          judges=[tiny_classifier_b])
    with open(tmp_path / "metrics.json") as f:  # beside the checkpoint by default
        saved = json.load(f)
    assert saved["protocol"]["num_generated"] == 30 and saved["protocol"]["num_real"] == 30
    assert np.isfinite(saved["fd"]) and np.isfinite(saved["kid"]) and "real_vs_real" in saved
    assert report["step"] == saved["step"] == 1 and saved["checkpoint"] == ckpt
    # Both judges' FDs are in the file and on screen.
    assert list(saved["judges"]) == ["tiny", "tiny_b"] and np.isfinite(saved["fd_second_judge"])
    assert saved["judges"]["tiny_b"]["sha256"] == metrics.file_sha256(tiny_classifier_b)
    assert evaluate.fd_line(report) == (f"FD {report['fd']:.2f} (tiny), "
                                        f"{report['fd_second_judge']:.2f} (tiny_b)")
    assert os.path.getsize(tmp_path / "samples.png") > 0
    assert not hasattr(evaluate, "load_gan") and "load_gan" not in vars(metrics.evaluation)


def test_evaluate_tool_on_shipped_weights(tiny_classifier, tiny_data, tmp_path, monkeypatch):
    from tools import evaluate
    from kerasgan.zoo import weights as weights_lib

    directory, _, _ = tiny_data
    tiny = {"image_shape": (28, 28, 1), "g_widths": (8,), "d_widths": (8,), "latent_dim": 4}
    gan = kerasgan.zoo.get("mnist_mlp", seed=0, **tiny)
    path = tmp_path / "mnist_mlp-tiny.generator.npz"
    digest = weights_lib.save_generator(gan, str(path), storage="float32")
    monkeypatch.setattr(weights_lib, "WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setitem(kerasgan.zoo.spec("mnist_mlp").weights, "tiny", {
        "file": path.name, "sha256": digest, "overrides": tiny, "description": "test"})
    out = tmp_path / "judged"
    report = evaluate.evaluate_weights("mnist_mlp", "tiny", str(out), dataset=directory,
                                       classifier=tiny_classifier, num_samples=30, grid_samples=4)
    with open(out / "metrics.json") as f:
        saved = json.load(f)
    assert (saved["preset"], saved["weights"], saved["file"], saved["sha256"]) == (
        "mnist_mlp", "tiny", path.name, digest)
    assert saved["step"] is None and saved["protocol"]["num_generated"] == 30
    # The same generator judged directly gives the same distance.
    direct = metrics.evaluate(gan, directory, num_samples=30, seed=0, classifier=tiny_classifier)
    np.testing.assert_allclose(report["fd"], direct["fd"], rtol=1e-5)
    assert os.path.getsize(out / "samples.png") > 0


# -------------------------------------------------------------- real classifier (slow)


@pytest.mark.slow
def test_protocol_with_shipped_fashion_mnist_judge():
    """Real vs real sits at the floor, uniform noise far from it (run: pytest -m slow).

    The Fashion-MNIST recipe trains with outlier exposure; without it the
    classifier called noise "bag" with entropy 0.431 (see BUILD_NOTES.md).
    """
    noise = metrics.evaluate(metrics.uniform_noise_images(1000), "fashion_mnist", num_samples=1000)
    real = noise["real_vs_real"]
    assert real["entropy_mean"] < 0.5 and real["classes_covered"] == 10
    assert noise["entropy_mean"] > 0.9 * math.log(10) and noise["classes_covered"] == 0
    assert noise["fd"] > 10 * noise["fd_real_floor"]
    assert noise["kid"] > 100 * max(real["kid"], 1e-4) and noise["recall"] < 0.05 < real["recall"]


