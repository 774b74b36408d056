"""kerasgan.metrics' scores against hand-computed values: entropy, classifier score, Frechet
distance, mode coverage, precision/recall, density/coverage, KID, conditional accuracy.

Pure NumPy on small arrays (no judge network), so the TensorFlow pass runs them.
"""

import math

import numpy as np
import pytest

from kerasgan import metrics

# The subject does not depend on the Keras backend.
pytestmark = pytest.mark.backend_neutral

# ----------------------------------------------------------------------------- scores


def test_entropy_uniform_is_log10_and_one_hot_is_zero():
    h = metrics.entropy(np.full((3, 10), 0.1))
    np.testing.assert_allclose(h, math.log(10), rtol=1e-12)
    assert metrics.entropy_stats(np.eye(10)) == {"entropy_mean": 0.0, "entropy_std": 0.0,
                                                 "entropy_mean_se": 0.0,
                                                 "entropy_mean_ci95": [0.0, 0.0]}


def test_entropy_stats_hand_computed():
    # Rows: uniform over 2 classes (log 2), one-hot (0), uniform over 4 (log 4).
    p = np.zeros((3, 10))
    p[0, :2] = 0.5
    p[1, 3] = 1.0
    p[2, :4] = 0.25
    values = np.array([math.log(2), 0.0, math.log(4)])
    stats = metrics.entropy_stats(p)
    assert stats["entropy_mean"] == pytest.approx(values.mean())
    # Population std (ddof=0), as in the seed 003 table.
    assert stats["entropy_std"] == pytest.approx(math.sqrt(((values - values.mean()) ** 2).mean()))


def test_entropy_mean_interval_is_the_bootstrap_of_the_samples():
    # Half the samples one-hot (0 nats), half uniform over 10 classes (ln 10): mean ln(10) / 2,
    # population std ln(10) / 2, so the mean's standard error is about that / sqrt(n).
    n = 400
    p = np.zeros((n, 10))
    p[: n // 2, 0] = 1.0
    p[n // 2:] = 0.1
    stats = metrics.entropy_stats(p, resamples=4000, seed=1)
    se = math.log(10) / 2 / math.sqrt(n)
    assert stats["entropy_mean_se"] == pytest.approx(se, rel=0.1)
    low, high = stats["entropy_mean_ci95"]
    assert low < stats["entropy_mean"] < high
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert metrics.entropy_stats(p, resamples=4000, seed=1) == stats  # seeded
    assert "entropy_mean_ci95" not in metrics.entropy_stats(p, resamples=0)


def test_entropy_rejects_logits():
    with pytest.raises(ValueError, match="softmax"):
        metrics.entropy(np.array([[2.0, -1.0, 0.5]]))


@pytest.mark.parametrize("k", [1, 3, 10])
def test_classifier_score_of_confident_predictions_over_k_classes_is_k(k):
    p = np.zeros((10 * k, 10))
    p[np.arange(10 * k), np.arange(10 * k) % k] = 1.0
    assert metrics.classifier_score(p) == pytest.approx(k, rel=1e-9)


def test_classifier_score_hand_computed():
    # Two samples: [0.9, 0.1] and [0.1, 0.9]; marginal [0.5, 0.5]; KL each = 0.9 ln 1.8 + 0.1 ln 0.2.
    p = np.array([[0.9, 0.1], [0.1, 0.9]])
    kl = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    assert metrics.classifier_score(p) == pytest.approx(math.exp(kl))


def test_frechet_distance_of_identical_features_is_zero(rng):
    f = rng.normal(size=(400, 6))
    assert metrics.frechet_distance(f, f) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_closed_form_diagonal():
    # N(0, I) vs N(1, 4I) in 2-D: ||mu||^2 = 2, tr = 2 + 8, 2 tr(sqrt(4I)) = 8  ->  4.
    d = metrics.frechet_distance_from_statistics(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))
    assert d == pytest.approx(4.0)


def test_frechet_distance_closed_form_non_commuting(rng):
    scipy_linalg = pytest.importorskip("scipy.linalg")
    a, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    s1, s2 = a @ a.T + 0.1 * np.eye(3), b @ b.T + 0.1 * np.eye(3)
    mu1, mu2 = rng.normal(size=3), rng.normal(size=3)
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2)
                - 2 * np.trace(scipy_linalg.sqrtm(s1 @ s2)).real)
    assert metrics.frechet_distance_from_statistics(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-7)


def test_frechet_distance_from_samples_matches_statistics(rng):
    f1, f2 = rng.normal(size=(300, 4)), rng.normal(1.0, 2.0, size=(200, 4))
    mu1, s1 = f1.mean(0), np.cov(f1, rowvar=False)
    mu2, s2 = f2.mean(0), np.cov(f2, rowvar=False)
    assert metrics.frechet_distance(f1, f2) == pytest.approx(
        metrics.frechet_distance_from_statistics(mu1, s1, mu2, s2))


def test_mode_coverage_hand_computed():
    # 100 samples over 10 classes: 50 in class 0, 50 in class 1 -> 2 covered, KL = ln 5.
    labels = np.array([0] * 50 + [1] * 50)
    cov = metrics.mode_coverage(labels, num_classes=10)
    assert cov["classes_covered"] == 2
    assert cov["coverage_kl"] == pytest.approx(math.log(5))
    assert cov["class_histogram"][:2] == [0.5, 0.5]
    uniform = metrics.mode_coverage(np.arange(100) % 10, num_classes=10)
    assert uniform["classes_covered"] == 10 and uniform["coverage_kl"] == pytest.approx(0.0)
    collapsed = metrics.mode_coverage(np.eye(10)[[3] * 20])  # probabilities -> argmax
    assert collapsed["classes_covered"] == 1
    assert collapsed["coverage_kl"] == pytest.approx(math.log(10))


def test_mode_coverage_threshold():
    # Class 2 holds 1 of 200 samples (0.5%): below the default 1% threshold.
    labels = np.array([0] * 100 + [1] * 99 + [2])
    assert metrics.mode_coverage(labels, 10)["classes_covered"] == 2
    assert metrics.mode_coverage(labels, 10, min_fraction=0.005)["classes_covered"] == 3


def test_mode_coverage_counts_only_confident_samples():
    # 100 samples: 40 confident class 0 (p=0.9), 30 unsure class 1 (p=0.4 vs 0.3/0.3), 30 confident
    # class 2 (p=0.5, exactly at the threshold: counts).
    p = np.zeros((100, 3))
    p[:40] = [0.9, 0.05, 0.05]
    p[40:70] = [0.3, 0.4, 0.3]
    p[70:] = [0.25, 0.25, 0.5]
    cov = metrics.mode_coverage(p, min_confidence=0.5)
    assert cov["classes_covered"] == 2  # classes 0 and 2; class 1 only has unsure samples
    assert cov["low_confidence_fraction"] == pytest.approx(0.3)
    assert cov["class_histogram"] == pytest.approx([0.4, 0.3, 0.3])
    assert cov["confident_class_histogram"] == pytest.approx([0.4, 0.0, 0.3])
    assert cov["min_confidence"] == 0.5 and cov["min_fraction"] == 0.01
    # Without a threshold every argmax counts; with 0.95 nothing does.
    assert metrics.mode_coverage(p, min_confidence=0.0)["classes_covered"] == 3
    none = metrics.mode_coverage(p, min_confidence=0.95)
    assert none["classes_covered"] == 0 and none["low_confidence_fraction"] == 1.0
    # 40% of samples in class 0: covered at min_fraction 0.4, not at 0.41.
    assert metrics.mode_coverage(p, min_fraction=0.41)["classes_covered"] == 0
    assert metrics.mode_coverage(p, min_fraction=0.4)["classes_covered"] == 1


# ------------------------------------------------- precision/recall, density/coverage, KID


def test_knn_radii_hand_computed():
    f = np.array([[0.0], [1.0], [3.0], [7.0]])
    # Neighbour distances: 0 -> 1, 3, 7; 1 -> 1, 2, 6; 3 -> 2, 3, 4; 7 -> 4, 6, 7.
    np.testing.assert_allclose(metrics.knn_radii(f, 1), [1, 1, 2, 4])
    np.testing.assert_allclose(metrics.knn_radii(f, 2), [3, 2, 3, 6])
    both = metrics.knn_radii(f, (1, 3))
    np.testing.assert_allclose(both[3], [7, 6, 4, 7])
    np.testing.assert_allclose(both[1], [1, 1, 2, 4])
    with pytest.raises(ValueError, match="1 <= k < num_samples"):
        metrics.knn_radii(f, 4)


def test_precision_recall_density_coverage_hand_computed():
    # 1-D, k=1 for everything. Real 0, 1, 3, 7 (radii 1, 1, 2, 4: balls [-1,1], [0,2], [1,5], [3,11]).
    # Fake 0.5, 4, 20 (radii 3.5, 3.5, 16: balls [-3,4], [0.5,7.5], [4,36]).
    real = np.array([[0.0], [1.0], [3.0], [7.0]])
    fake = np.array([[0.5], [4.0], [20.0]])
    out = metrics.precision_recall_density_coverage(real, fake, pr_k=1, dc_k=1)
    # Precision: 0.5 in [-1,1]; 4 in [1,5]; 20 in none -> 2/3.
    assert out["precision"] == pytest.approx(2 / 3)
    # Recall: 0, 1, 3 in [-3,4]; 7 in [0.5,7.5] -> 4/4.
    assert out["recall"] == pytest.approx(1.0)
    # Density (open balls): 0.5 lies in real balls of 0 and 1 (2), 4 in the balls of 3 and 7 (2),
    # 20 in none -> (2 + 2 + 0) / (1 * 3).
    assert out["density"] == pytest.approx(4 / 3)
    # Coverage: every real ball holds a fake -> 1.
    assert out["coverage"] == pytest.approx(1.0)
    # A fake exactly on a real ball's edge counts for precision (closed) but not density (open).
    edge = metrics.precision_recall_density_coverage(real, np.array([[-1.0], [11.0]]), pr_k=1, dc_k=1)
    assert edge["precision"] == 1.0 and edge["density"] == 0.0 and edge["coverage"] == 0.0


def test_precision_recall_density_coverage_limits(rng):
    real = rng.normal(size=(300, 5))
    far = metrics.precision_recall_density_coverage(real, real + 100.0)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}
    same = metrics.precision_recall_density_coverage(real, rng.normal(size=(300, 5)))
    assert 0.5 < same["precision"] <= 1 and 0.5 < same["recall"] <= 1 and same["coverage"] > 0.8
    # A collapsed generator (every sample at one real point) is precise but recalls nothing.
    collapsed = metrics.precision_recall_density_coverage(real, np.repeat(real[:1], 50, axis=0))
    assert collapsed["precision"] == 1.0 and collapsed["recall"] < 0.05
    radii = metrics.knn_radii(real, (3, 5))
    assert metrics.precision_recall_density_coverage(real, real[::-1] + 0.1, real_radii=radii) == (
        metrics.precision_recall_density_coverage(real, real[::-1] + 0.1))


def test_mmd2_unbiased_hand_computed():
    # d = 1, kernel (a b + 1)^3. x = {0, 1}: k(0, 1) = 1 -> 2 / (2 * 1) = 1.
    # y = {2, 3}: k(2, 3) = 7^3 = 343. Cross: k(0,2) = k(0,3) = 1, k(1,2) = 27, k(1,3) = 64 -> 93 / 4.
    x, y = np.array([[0.0], [1.0]]), np.array([[2.0], [3.0]])
    assert metrics.mmd2_unbiased(x, y, metrics.polynomial_kernel) == pytest.approx(1 + 343 - 2 * 93 / 4)
    # With subsets as large as both sets, every subset is the whole set: KID is that value, SE 0.
    kid = metrics.kernel_inception_distance(x, y, subset_size=2, num_subsets=3)
    assert kid["kid"] == pytest.approx(297.5) and kid["kid_se"] == pytest.approx(0.0)
    assert (kid["kid_subset_size"], kid["kid_subsets"]) == (2, 3)


def test_kid_matches_explicit_double_loop(rng):
    x, y = rng.normal(size=(6, 3)), rng.normal(0.5, 1.0, size=(5, 3))

    def k(a, b):
        return (float(np.dot(a, b)) / 3 + 1) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(a, b) for a in x for b in y) / (m * n)
    assert metrics.mmd2_unbiased(x, y, metrics.polynomial_kernel) == pytest.approx(xx + yy - 2 * xy)


def test_kid_mean_and_standard_error(rng):
    real, fake = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    same = metrics.kernel_inception_distance(real, fake, subset_size=100, num_subsets=20)
    shifted = metrics.kernel_inception_distance(real, fake + 1.0, subset_size=100, num_subsets=20)
    assert abs(same["kid"]) < 3 * same["kid_std"] / math.sqrt(20) + 1e-3
    assert shifted["kid"] > 20 * max(same["kid_se"], 1e-4)
    assert shifted["kid_se"] == pytest.approx(shifted["kid_std"] / math.sqrt(20))
    # The real subsets' terms can be cached with the real features: same numbers.
    cache = {}
    first = metrics.kernel_inception_distance(real, fake + 1.0, 100, 20, cache=cache)
    assert cache and metrics.kernel_inception_distance(real, fake + 1.0, 100, 20, cache=cache) == first
    assert first == shifted


# ----------------------------------------------------------------- conditional accuracy


class _FixedJudge:
    """A stand-in judge whose softmax is given per image (tests the bookkeeping only)."""

    def __init__(self, probs):
        self.probs = np.asarray(probs, "float64")

    def predict(self, images, value_range=(0.0, 1.0)):
        return self.probs, np.zeros((len(self.probs), 2))


def test_conditional_accuracy_hand_computed():
    # Requested 0,1,2,0,1,2; the judge says 0,1,1,0,0,2 -> hits T,T,F,T,F,T.
    said = [0, 1, 1, 0, 0, 2]
    judge = _FixedJudge(np.eye(3)[said])
    out = metrics.conditional_accuracy(np.zeros((6, 4, 4, 1)), [0, 1, 2, 0, 1, 2], judge)
    assert out["conditional_accuracy"] == pytest.approx(4 / 6)
    assert out["per_class_accuracy"] == [1.0, 0.5, 0.5]


def test_conditional_accuracy_class_without_samples_and_length_check():
    judge = _FixedJudge(np.eye(3)[[2, 2]])
    out = metrics.conditional_accuracy(np.zeros((2, 4, 4, 1)), [2, 0], judge)
    assert out["per_class_accuracy"] == [0.0, None, 1.0]
    with pytest.raises(ValueError, match="one requested label per image"):
        metrics.conditional_accuracy(np.zeros((2, 4, 4, 1)), [2], judge)
