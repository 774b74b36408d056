"""One call from images (or a GAN) to every judge metric, with the real-vs-real floor and protocol.

`RealReference`/`real_reference` (`kerasgan.metrics.reference`) and `EvaluationReport`
(`kerasgan.metrics.report`) are importable from here too.
"""

import numpy as np

from kerasgan.metrics import scores
from kerasgan.metrics.domain_classifier import INPUT_SHAPE, DomainClassifier
from kerasgan.metrics.judges import (
    JUDGES,
    canonical_name,
    judge_name,
    load_classifier,
    shipped_judges,
)
from kerasgan.metrics.reference import (  # noqa: F401 - re-exported
    DC_K,
    KID_SUBSET_SIZE,
    KID_SUBSETS,
    PR_K,
    RealReference,
    metrics_from_outputs,
    real_reference,
)
from kerasgan.metrics.report import JUDGE_KEYS, EvaluationReport  # noqa: F401 - re-exported

DEFAULT_NUM_SAMPLES = 5000


def uniform_noise_images(num_samples, shape=INPUT_SHAPE, seed=0):
    """Images of i.i.d. U(0, 1) pixels (a garbage baseline for every metric).

    Example:
    >>> x = kerasgan.metrics.uniform_noise_images(1000, seed=0)
    """
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, (int(num_samples),) + tuple(shape)).astype("float32")


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
    return metrics_from_outputs(probs, feats, reference, min_fraction, min_confidence)


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
    dataset's other shipped judge: "fashion_mnist_b" or "mnist_b", another
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
    shipped = JUDGES.get(canonical_name(dataset))
    if shipped and shipped["dataset"] != canonical_name(dataset):
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
