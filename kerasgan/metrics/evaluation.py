"""One call from images (or a GAN) to every judge metric, with the real-vs-real floor and protocol."""

import dataclasses
import json
from typing import Optional

import numpy as np

from kerasgan.metrics import scores
from kerasgan.metrics.classifier import (
    INPUT_SHAPE,
    JUDGES,
    DomainClassifier,
    _canonical,
    judge_name,
    load_classifier,
    real_arrays,
    shipped_judges,
)

DEFAULT_NUM_SAMPLES = 5000
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


def uniform_noise_images(num_samples, shape=INPUT_SHAPE, seed=0):
    """Images of i.i.d. U(0, 1) pixels (a garbage baseline for every metric).

    Example:
    >>> x = kerasgan.metrics.uniform_noise_images(1000, seed=0)
    """
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, (int(num_samples),) + tuple(shape)).astype("float32")


def _metrics_from_outputs(probs, feats, reference, min_fraction, min_confidence, pr_k=PR_K,
                          dc_k=DC_K, kid_subset_size=KID_SUBSET_SIZE, kid_subsets=KID_SUBSETS):
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
            cache[row_key] = _metrics_from_outputs(probs_b, feats_b, row_ref, min_fraction,
                                                   min_confidence)
        ref.metrics = dict(cache[row_key])
    else:
        ref.metrics = _metrics_from_outputs(probs_b, feats_b, None, min_fraction, min_confidence)
        ref.metrics.update(fd=floor, fid=floor, fd_real_floor=floor, fid_real_floor=floor)
    return ref


def evaluate_images(images, classifier, reference=None, value_range=(0.0, 1.0),
                    min_fraction=scores.DEFAULT_MIN_FRACTION,
                    min_confidence=scores.DEFAULT_MIN_CONFIDENCE):
    """Every judge metric of a batch of images, as a flat dict.

    Args:
        images: `(N, H, W, C)` images (see `kerasgan.metrics.prepare_images`).
        classifier: A `kerasgan.metrics.DomainClassifier`.
        reference: A `RealReference`; without it only the classifier-output
            metrics (entropy, classifier score, class coverage) are computed.
        value_range: Range of `images`' values.
        min_fraction, min_confidence: Class coverage thresholds.

    Returns:
        A dict: `num_samples`, `entropy_mean`, `entropy_std`,
        `classifier_score`, the `mode_coverage` keys, and with a reference
        `fd`, `fd_real_floor`, `kid`, `kid_se`, `kid_std`, `kid_subset_size`,
        `kid_subsets`, `precision`, `recall`, `density`, `coverage`,
        `precision_recall_k`, `density_coverage_k` (plus `fid`,
        `fid_real_floor`, `fid_reference_samples`: earlier names of the FD).

    Example:
    >>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
    >>> ref = kerasgan.metrics.real_reference(clf, num_samples=1000)
    >>> kerasgan.metrics.evaluate_images(gan.generate(1000, seed=0), clf, ref)

    Reference: Heusel et al., 2017 (Frechet distance); Binkowski et al., 2018
    (KID); Kynkaanniemi et al., 2019 (precision/recall); Naeem et al., 2020
    (density/coverage); Salimans et al., 2016 (classifier score).
    """
    probs, feats = classifier.predict(images, value_range=value_range)
    return _metrics_from_outputs(probs, feats, reference, min_fraction, min_confidence)


def evaluate_gan(gan, classifier, reference=None, num_samples=1000, seed=0,
                 min_fraction=scores.DEFAULT_MIN_FRACTION,
                 min_confidence=scores.DEFAULT_MIN_CONFIDENCE):
    """`evaluate_images` on `num_samples` images from `gan.generate` (in [0, 1]).

    Example:
    >>> kerasgan.metrics.evaluate_gan(gan, kerasgan.metrics.load_classifier("fashion_mnist"))
    """
    images = gan.generate(int(num_samples), seed=seed)
    return evaluate_images(images, classifier, reference, min_fraction=min_fraction,
                           min_confidence=min_confidence)


def conditional_accuracy(images, requested, classifier, value_range=(0.0, 1.0)):
    """How often the judge assigns a conditional GAN's samples to the class they were asked for.

    Args:
        images: Generated images `(N, H, W, C)` in `value_range`.
        requested: The class id each image was generated for, `(N,)`.
        classifier: A `DomainClassifier` (the judge).

    Returns:
        `{"conditional_accuracy": overall, "per_class_accuracy": [one per class]}`;
        a class with no samples gets None.

    Example:
    >>> kerasgan.metrics.conditional_accuracy(gan.generate(100, labels=7), [7] * 100, clf)
    """
    requested = np.asarray(requested).reshape(-1)
    if len(requested) != len(images):
        raise ValueError(f"Expected one requested label per image ({len(images)}). "
                         f"Received: {len(requested)} labels.")
    probs, _ = classifier.predict(images, value_range)
    hits = probs.argmax(axis=1) == requested
    per_class = [float(hits[requested == c].mean()) if np.any(requested == c) else None
                 for c in range(probs.shape[1])]
    return {"conditional_accuracy": float(hits.mean()), "per_class_accuracy": per_class}


# The metrics each judge's entry of `report["judges"]` holds (and its `real_vs_real`).
JUDGE_KEYS = ("fd", "fd_real_floor", "kid", "kid_se", "precision", "recall", "density", "coverage",
              "classes_covered", "num_classes", "low_confidence_fraction", "entropy_mean",
              "classifier_score")


class EvaluationReport(dict):
    """The result of `kerasgan.metrics.evaluate`: a JSON-serialisable dict with a text summary.

    Keys: the metrics of the generated images (`fd`, `fd_real_floor`, `kid`,
    `kid_se`, `kid_std`, `precision`, `recall`, `density`, `coverage`,
    `classes_covered`, `num_classes`, `low_confidence_fraction`,
    `class_histogram`, `confident_class_histogram`, `coverage_kl`,
    `entropy_mean`, `entropy_std`, `classifier_score`, ...), `real_vs_real`
    (the same metrics of a disjoint real sample: the best to expect) and
    `protocol` (sample sizes, reference split and seed, thresholds, the judge's
    file, sha256 and accuracy): all measured by the first judge. `judges` maps
    every judge's name (the first judge first) to its file, sha256, accuracy
    and the `JUDGE_KEYS` metrics, plus its `real_vs_real`; `fd_second_judge` is
    the FD measured by the second judge (present when there is one, as for
    Fashion-MNIST).
    """

    def to_json(self, **kwargs):
        """The report as a JSON string."""
        return json.dumps(self, **{"indent": 2, **kwargs})

    def summary(self):
        """A few lines of text: every metric with the real-vs-real value beside it."""
        p, r = self["protocol"], self.get("real_vs_real", {})
        judge = p["judge"]

        def both(key, fmt):
            value = fmt.format(self[key]) if self.get(key) is not None else "n/a"
            return value + (f"   (real vs real: {fmt.format(r[key])})" if r.get(key) is not None else "")

        lines = [
            f"{p['dataset']}: {p['num_generated']:,} generated vs {p['num_real']:,} real images "
            f"({p['reference_split']} split, reference seed {p['reference_seed']}; generation seed "
            f"{p['generation_seed']})",
            f"judge: {judge['file']} sha256 {str(judge['sha256'])[:16]}..." + (
                f" (accuracy {judge['test_accuracy']} on {judge['test_examples']:,} "
                f"{judge['test_split']} images)" if judge.get("test_examples") else ""),
            f"FD                {both('fd', '{:.2f}')}  [real floor with {p['floor_num_samples']:,} "
            f"vs {p['floor_num_samples']:,}]",
            f"KID               {self['kid']:.4f} +- {self['kid_se']:.4f} (SE)   (real vs real: "
            f"{r.get('kid', float('nan')):.4f})  [{p['kid_subsets']} subsets of {p['kid_subset_size']:,}]",
            f"precision/recall  {self.get('precision', float('nan')):.3f} / "
            f"{self.get('recall', float('nan')):.3f}   (real vs real: {r.get('precision', float('nan')):.3f}"
            f" / {r.get('recall', float('nan')):.3f})  [k={p['precision_recall_k']}]",
            f"density/coverage  {self.get('density', float('nan')):.3f} / "
            f"{self.get('coverage', float('nan')):.3f}   (real vs real: {r.get('density', float('nan')):.3f}"
            f" / {r.get('coverage', float('nan')):.3f})  [k={p['density_coverage_k']}]",
            f"classes covered   {self['classes_covered']}/{self['num_classes']}   (a class needs "
            f">= {p['min_fraction']:.0%} of samples with max softmax >= {p['min_confidence']}; "
            f"{self['low_confidence_fraction']:.1%} of samples below it)",
            "class histogram   " + " ".join(f"{v:.3f}" for v in self["class_histogram"]),
            f"entropy           {self['entropy_mean']:.3f} +- {self['entropy_std']:.3f}   (real: "
            f"{r.get('entropy_mean', float('nan')):.3f} +- {r.get('entropy_std', float('nan')):.3f})",
            f"classifier score  {both('classifier_score', '{:.2f}')}",
        ]
        for i, (name, j) in enumerate(list(self.get("judges", {}).items())[1:], start=2):
            jr = j.get("real_vs_real", {})

            def real(*keys, fmt, jr=jr):
                if any(jr.get(k) is None for k in keys):
                    return ""
                return "   (real vs real: " + " / ".join(fmt.format(jr[k]) for k in keys) + ")"

            nan = float("nan")
            lines += [
                f"{'second judge' if i == 2 else f'judge {i}'}: {name}, {j['file']} sha256 "
                f"{str(j['sha256'])[:16]}..." + (
                    f" (accuracy {j['test_accuracy']} on {j['test_examples']:,} {j['test_split']} "
                    "images)" if j.get("test_examples") else ""),
                f"  FD              {j['fd']:.2f}{real('fd', fmt='{:.2f}')}",
                f"  KID             {j['kid']:.4f} +- {j['kid_se']:.4f} (SE)"
                f"{real('kid', fmt='{:.4f}')}",
                f"  precision/rec.  {j.get('precision', nan):.3f} / {j.get('recall', nan):.3f}"
                f"{real('precision', 'recall', fmt='{:.3f}')}",
                f"  classes covered {j['classes_covered']}/{j['num_classes']}",
            ]
        if self.get("conditional_accuracy") is not None:
            lines.append(
                f"class accuracy    {self['conditional_accuracy']:.3f} (judge's class == the "
                "requested class); per class: " + " ".join(
                    "n/a" if v is None else f"{v:.2f}" for v in self["per_class_accuracy"]))
        return "\n".join(lines)

    def __str__(self):
        return self.summary()


def _judge_info(classifier):
    info = classifier.info
    return {
        "dataset": info.get("dataset"),
        "file": info.get("file") or (info.get("path") and info["path"].rsplit("/", 1)[-1]),
        "path": info.get("path"),
        "sha256": info.get("sha256"),
        "test_accuracy": info.get("test_accuracy"),
        "test_examples": info.get("test_examples"),
        "test_split": info.get("test_split"),
        "feature_dim": info.get("feature_dim") or int(classifier.model.get_layer("features").units),
    }


def _as_classifier(judge, dataset):
    """A `DomainClassifier` from a judge's name, a `.weights.h5` path or a classifier."""
    if isinstance(judge, DomainClassifier):
        return judge
    judge = str(judge)
    if judge.endswith(".weights.h5"):
        return load_classifier(dataset, path=judge)
    return load_classifier(judge)


def _judge_entry(classifier, metrics, real_metrics):
    info = _judge_info(classifier)
    entry = {k: info[k] for k in ("file", "sha256", "test_accuracy", "test_examples", "test_split",
                                  "feature_dim")}
    entry.update({k: metrics[k] for k in JUDGE_KEYS if k in metrics})
    if real_metrics is not None:
        entry["real_vs_real"] = {k: real_metrics[k] for k in JUDGE_KEYS if k in real_metrics}
    return entry


def evaluate(gan_or_images, dataset="fashion_mnist", num_samples=DEFAULT_NUM_SAMPLES, seed=0,
             reference_split="test", classifier=None, reference_seed=0, value_range=(0.0, 1.0),
             min_confidence=scores.DEFAULT_MIN_CONFIDENCE, min_fraction=scores.DEFAULT_MIN_FRACTION,
             data_dir=None, real_row=True, judges=None):
    """Judges a GAN (or images) against real data in the pinned classifiers' feature spaces.

    Default protocol: 5,000 generated images against 5,000 real test images
    (a fixed random half of the Fashion-MNIST test split; for MNIST the
    judge's held-out 5,000). FD is the Frechet distance of the judge's
    features (FID's formula, not Inception features: compare numbers only
    within this protocol); KID uses 100 subsets of 1,000 (of at most half the
    smaller set for fewer samples); precision/recall k=3, density/coverage k=5.

    Two judges: the report's top-level metrics are the first judge's (the
    dataset's, or `classifier`); every further judge (by default the
    dataset's other shipped judges: Fashion-MNIST's "fashion_mnist_b", another
    architecture and seed) measures the same images against the same real
    images, reported under `report["judges"][<name>]` (the first judge has an
    entry too) and, for the second judge, `report["fd_second_judge"]`. Each
    judge's real features are cached per process like the first's, so a
    further judge costs one pass of the generated images through it.

    Read precision and density with recall, coverage and classes covered: the
    judges map non-images (noise, blank images) to the all-zero feature vector,
    which lies inside the k-NN balls of a few ambiguous real images, so uniform
    noise scores precision 1.0 and density ~1.0 (with recall and coverage ~0,
    0 classes covered and 100% of samples below the confidence threshold).

    Args:
        gan_or_images: A `kerasgan.GAN` (its `generate(num_samples, seed=seed)`,
            in [0, 1], is judged: the averaged generator when EMA is on) or an
            image array `(N, H, W, C)` in `value_range` (all N are judged).
        dataset: "fashion_mnist", "mnist", or an IDX directory (then pass `classifier`).
        num_samples: Images generated, and real images in the reference.
        seed: Generation seed.
        reference_split: Real split of the reference ("test"; MNIST reads its
            held-out half).
        classifier: A `DomainClassifier` or a `.weights.h5` path; default the
            shipped judge of `dataset`.
        reference_seed: Which real images form the reference (fixed so that
            reports compare).
        value_range: Range of the images' values (arrays only).
        min_confidence, min_fraction: Class coverage thresholds (see
            `kerasgan.metrics.mode_coverage`).
        data_dir: Directory holding the dataset's IDX files.
        real_row: Also report a disjoint real sample's metrics (`real_vs_real`).
        judges: Further judges measured beside the first: names (e.g.
            "fashion_mnist_b"), `.weights.h5` paths or `DomainClassifier`s.
            Default: with `classifier` None, the dataset's other shipped judges
            (`kerasgan.metrics.shipped_judges`); with `classifier` given, none.
            `()` skips them.

    Returns:
        An `EvaluationReport` (a dict; `print(report)` shows its summary).

    Example:
    >>> report = kerasgan.metrics.evaluate(gan, "fashion_mnist")
    >>> report["fd"], report["kid"], report["classes_covered"]
    >>> report["fd_second_judge"], report["judges"]["fashion_mnist_b"]["sha256"]
    >>> print(report)

    Reference: Heusel et al., 2017 (FD); Binkowski et al., Demystifying MMD
    GANs, 2018 (KID); Kynkaanniemi et al., 2019 (precision/recall); Naeem et
    al., 2020 (density/coverage).
    """
    shipped = JUDGES.get(_canonical(dataset))
    if shipped and shipped["dataset"] != _canonical(dataset):
        raise ValueError(
            f"Expected a dataset's name. Received: dataset={dataset!r}, a judge of "
            f"{shipped['dataset']!r}. Pass evaluate(x, {shipped['dataset']!r}) (it reports every "
            f"shipped judge), or classifier=load_classifier({dataset!r}) to make it the first.")
    if judges is None:
        judges = shipped_judges(dataset)[1:] if classifier is None else ()
    elif isinstance(judges, (str, DomainClassifier)):
        judges = (judges,)
    if classifier is None:
        classifier = load_classifier(dataset)
    elif not isinstance(classifier, DomainClassifier):
        classifier = load_classifier(dataset, path=classifier)
    further = [_as_classifier(judge, dataset) for judge in judges]
    n = int(num_samples)
    requested = None
    if hasattr(gan_or_images, "generate"):
        if getattr(gan_or_images, "conditioning", None) is not None:
            # Classes in turn, so every class gets n / num_classes samples.
            requested = np.arange(n) % int(gan_or_images.num_classes)
            images = gan_or_images.generate(n, seed=seed, labels=requested)
        else:
            images = gan_or_images.generate(n, seed=seed)
        value_range, source = (0.0, 1.0), f"{type(gan_or_images).__name__}.generate"
    else:
        images, source = gan_or_images, "images"
    reference = real_reference(classifier, dataset, num_samples=n, seed=reference_seed,
                               split=reference_split, min_fraction=min_fraction, data_dir=data_dir,
                               keep_images=False, min_confidence=min_confidence, real_row=real_row)
    metrics = evaluate_images(images, classifier, reference, value_range, min_fraction, min_confidence)
    for key in ("fid", "fid_real_floor", "fid_reference_samples"):
        metrics.pop(key, None)
    report = EvaluationReport(metrics)
    if requested is not None:
        report.update(conditional_accuracy(images, requested, classifier))
    if real_row:
        report["real_vs_real"] = {k: v for k, v in reference.metrics.items()
                                  if not k.startswith("fid")}
    report["protocol"] = {
        "dataset": str(dataset),
        "source": source,
        "num_generated": int(metrics["num_samples"]),
        "num_real": reference.num_samples,
        "reference_split": reference.split,
        "reference_seed": int(reference_seed),
        "generation_seed": int(seed) if source != "images" else None,
        "floor_num_samples": reference.floor_num_samples,
        "min_confidence": float(min_confidence),
        "min_fraction": float(min_fraction),
        "precision_recall_k": PR_K,
        "density_coverage_k": DC_K,
        "kid_kernel": "cubic polynomial (x . y / d + 1)^3",
        "kid_subset_size": metrics["kid_subset_size"],
        "kid_subsets": metrics["kid_subsets"],
        "judge": _judge_info(classifier),
    }
    report["judges"] = {judge_name(classifier): _judge_entry(classifier, metrics, reference.metrics
                                                              if real_row else None)}
    for judge in further:
        ref = real_reference(judge, dataset, num_samples=n, seed=reference_seed,
                             split=reference_split, min_fraction=min_fraction, data_dir=data_dir,
                             keep_images=False, min_confidence=min_confidence, real_row=real_row)
        judged = evaluate_images(images, judge, ref, value_range, min_fraction, min_confidence)
        name = judge_name(judge)
        while name in report["judges"]:  # two judges of one name: keep both
            name += "'"
        report["judges"][name] = _judge_entry(judge, judged, ref.metrics if real_row else None)
    if further:
        report["fd_second_judge"] = list(report["judges"].values())[1]["fd"]
    return report
