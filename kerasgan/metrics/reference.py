"""The real data generated samples are measured against: sample A's judge features, the
real-vs-real floor from a disjoint sample B, and the metrics of judge outputs against them."""

import dataclasses
from typing import Optional

import numpy as np

from kerasgan.metrics import scores
from kerasgan.metrics.judges import load_classifier
from kerasgan.metrics.real_data import real_arrays

PR_K = 3
DC_K = 5
KID_SUBSET_SIZE = 1000
KID_SUBSETS = 100


@dataclasses.dataclass
class RealReference:
    """Real-data features that generated samples are compared against.

    Attributes:
        dataset: Dataset name.
        split: The split actually read (e.g. "test", or "holdout_test" for MNIST).
        num_samples: Size of real sample A (the reference).
        seed: Which random real samples.
        mu, sigma: Feature mean and covariance of sample A.
        features, probs: Judge features and softmax probabilities of sample A.
        fid_floor: Frechet distance between a disjoint real sample B and A (the
            best a generator can expect); B has `floor_num_samples` images.
        floor_num_samples: Size of B (and of the A part it is compared with when
            the split holds fewer than `2 * num_samples` images).
        metrics: The real-vs-real row: sample B measured like a generated one,
            against A (or its first `floor_num_samples` images, disjoint from B).
        images: Sample A, `(n, 28, 28, 1)` in [0, 1] (None unless kept).
        cache: Per-reference cache (k-NN radii, KID's real terms).
    """

    dataset: str
    num_samples: int
    mu: np.ndarray
    sigma: np.ndarray
    fid_floor: float
    metrics: dict
    images: Optional[np.ndarray] = None
    split: str = "test"
    seed: int = 0
    features: Optional[np.ndarray] = None
    probs: Optional[np.ndarray] = None
    floor_num_samples: int = 0
    classifier_sha256: Optional[str] = None
    cache: dict = dataclasses.field(default_factory=dict, repr=False)

    def radii(self, k):
        """k-NN radii of sample A's features (computed once)."""
        if ("radii", k) not in self.cache:
            ks = tuple(sorted({k, PR_K, DC_K} & set(range(1, len(self.features)))))
            for key, value in scores.knn_radii(self.features, ks).items():
                self.cache[("radii", key)] = value
        return self.cache[("radii", k)]


def metrics_from_outputs(probs, feats, reference, min_fraction, min_confidence, pr_k=PR_K,
                         dc_k=DC_K, kid_subset_size=KID_SUBSET_SIZE, kid_subsets=KID_SUBSETS):
    """The metrics of judge outputs (`probs`, `feats`), against `reference` when given.

    The dict `kerasgan.metrics.evaluate_images` returns; see there.
    """
    out = {"num_samples": int(len(probs))}
    out.update(scores.entropy_stats(probs))
    out["classifier_score"] = scores.classifier_score(probs)
    out.update(scores.mode_coverage(probs, min_fraction=min_fraction, min_confidence=min_confidence))
    if reference is not None:
        mu, sigma = scores.feature_statistics(feats)
        fd = scores.frechet_distance_from_statistics(mu, sigma, reference.mu, reference.sigma)
        out.update(fd=fd, fd_real_floor=float(reference.fid_floor))
        # Subsets of at most half the smaller set, so that they differ (1,000 of 5,000 by default).
        subset = min(int(kid_subset_size), max(2, min(len(feats), len(reference.features)) // 2))
        out.update(scores.kernel_inception_distance(
            reference.features, feats, subset_size=subset, num_subsets=kid_subsets,
            cache=reference.cache))
        radii = {k: reference.radii(k) for k in {pr_k, dc_k} if k < len(reference.features)}
        if pr_k < len(feats) and len(radii) == len({pr_k, dc_k}):
            out.update(scores.precision_recall_density_coverage(
                reference.features, feats, pr_k=pr_k, dc_k=dc_k, real_radii=radii))
        out.update(precision_recall_k=pr_k, density_coverage_k=dc_k)
        # Names used before the report existed (same values).
        out.update(fid=fd, fid_real_floor=float(reference.fid_floor),
                   fid_reference_samples=int(reference.num_samples))
    return out


_REAL_CACHE = {}


def _real_outputs(classifier, dataset, split, data_dir, n, seed):
    """Sample A/B images and judge outputs of a real split, cached per process."""
    key = (classifier.sha256 or id(classifier), str(dataset), split, data_dir, n, seed)
    if key not in _REAL_CACHE:
        images, _, used_split = real_arrays(dataset, split, data_dir=data_dir, with_split=True)
        if n > len(images) or n < 2:
            raise ValueError(
                f"Expected 2 <= num_samples <= {len(images)} (the {dataset!r} {used_split!r} split's "
                f"size). Received: num_samples={n}")
        order = np.random.default_rng(seed).permutation(len(images))
        n_floor = min(n, len(images) // 2)
        a = images[order[:n]]
        b = images[order[len(images) - n_floor :]]
        probs_a, feats_a = classifier.predict(a)
        probs_b, feats_b = classifier.predict(b)
        if len(_REAL_CACHE) >= 8:
            _REAL_CACHE.pop(next(iter(_REAL_CACHE)))
        _REAL_CACHE[key] = (used_split, a, probs_a, feats_a, probs_b, feats_b, n_floor, {})
    return _REAL_CACHE[key]


def real_reference(classifier, dataset=None, num_samples=1000, seed=0, split="test",
                   min_fraction=scores.DEFAULT_MIN_FRACTION, data_dir=None, keep_images=True,
                   min_confidence=scores.DEFAULT_MIN_CONFIDENCE, real_row=True):
    """Judge features of a random real sample A, and the real-vs-real floor from a disjoint sample B.

    The test split is used (the judge never trained on it); for MNIST with only
    its test split present, the judge's held-out half (`"holdout_test"`,
    5,000 images). B has `num_samples` images when the split holds twice that,
    else half the split (`floor_num_samples` says which); the floor's A side
    is then A's first `floor_num_samples` images. Features are cached per
    process, so a second reference of the same data costs nothing.

    Args:
        classifier: A `kerasgan.metrics.DomainClassifier`, or a dataset name
            (its shipped judge).
        dataset: Dataset name or IDX directory; default `classifier.dataset`.
        num_samples: Images in sample A.
        seed: Which random samples.
        split: Split to draw from.
        min_fraction, min_confidence: Class coverage thresholds (see
            `kerasgan.metrics.mode_coverage`).
        data_dir: Directory holding the dataset's IDX files.
        keep_images: Keep sample A's images on the result (for sample grids).
        real_row: Measure sample B against A like a generated sample (the
            `metrics` row; FD, KID, precision/recall, density/coverage).

    Example:
    >>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
    >>> ref = kerasgan.metrics.real_reference(clf, num_samples=5000)
    >>> ref.fid_floor, ref.metrics["precision"]

    Reference: Heusel et al., GANs Trained by a Two Time-Scale Update Rule
    Converge to a Local Nash Equilibrium, 2017.
    """
    if isinstance(classifier, str):
        classifier = load_classifier(classifier)
    dataset = dataset or classifier.dataset
    n = int(num_samples)
    used_split, a, probs_a, feats_a, probs_b, feats_b, n_floor, cache = _real_outputs(
        classifier, dataset, split, data_dir, n, seed)
    mu, sigma = scores.feature_statistics(feats_a)
    if n_floor == n:
        floor = scores.frechet_distance_from_statistics(*scores.feature_statistics(feats_b), mu, sigma)
    else:
        floor = scores.frechet_distance(feats_b, feats_a[:n_floor])
    ref = RealReference(str(dataset), n, mu, sigma, floor, {}, a if keep_images else None,
                        split=used_split, seed=int(seed), features=feats_a, probs=probs_a,
                        floor_num_samples=int(n_floor), classifier_sha256=classifier.sha256,
                        cache=cache)
    if real_row:
        row_key = ("real_row", float(min_fraction), float(min_confidence))
        if row_key not in cache:
            row_ref = ref
            if n_floor < n:  # B against the disjoint part of A, at B's size
                part = feats_a[:n_floor]
                row_ref = RealReference(str(dataset), n_floor, *scores.feature_statistics(part), floor,
                                        {}, split=used_split, seed=int(seed), features=part,
                                        floor_num_samples=int(n_floor),
                                        cache=cache.setdefault("floor_reference", {}))
            cache[row_key] = metrics_from_outputs(probs_b, feats_b, row_ref, min_fraction,
                                                  min_confidence)
        ref.metrics = dict(cache[row_key])
    else:
        ref.metrics = metrics_from_outputs(probs_b, feats_b, None, min_fraction, min_confidence)
        ref.metrics.update(fd=floor, fid=floor, fd_real_floor=floor, fid_real_floor=floor)
    return ref
