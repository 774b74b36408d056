"""Offline GAN metrics in the feature space of pinned judge classifiers shipped with the package.

Each dataset has two judges, trained independently (another architecture and seed):
"fashion_mnist" or "mnist" (the report's top-level metrics) and "fashion_mnist_b" or "mnist_b"
(`report["judges"]`, `report["fd_second_judge"]`).

Example:
>>> report = kerasgan.metrics.evaluate(gan, "fashion_mnist")  # 5,000 vs 5,000 real test images
>>> print(report)  # FD, KID +- SE, precision/recall, density/coverage, classes covered, ...
>>> report["fd"], report["fd_second_judge"]  # the FD measured by each judge
"""

from kerasgan.metrics.classifier import train_classifier
from kerasgan.metrics.domain_classifier import DomainClassifier, build_classifier, prepare_images
from kerasgan.metrics.evaluation import (
    conditional_accuracy,
    evaluate,
    evaluate_gan,
    evaluate_images,
    uniform_noise_images,
)
from kerasgan.metrics.judges import (
    JUDGES,
    classifier_path,
    judge_name,
    load_classifier,
    shipped_judges,
)
from kerasgan.metrics.real_data import real_arrays
from kerasgan.metrics.reference import RealReference, real_reference
from kerasgan.metrics.report import EvaluationReport
from kerasgan.metrics.scores import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_FRACTION,
    classifier_score,
    entropy,
    entropy_stats,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    kernel_inception_distance,
    knn_radii,
    mmd2_unbiased,
    mode_coverage,
    polynomial_kernel,
    precision_recall_density_coverage,
)
from kerasgan.utils.io import file_sha256


def __getattr__(name):
    # The callback imports keras; keep `import kerasgan.metrics` light.
    if name == "ClassifierMetrics":
        from kerasgan.metrics.callback import ClassifierMetrics

        return ClassifierMetrics
    raise AttributeError(f"module 'kerasgan.metrics' has no attribute {name!r}")


__all__ = [
    "ClassifierMetrics", "DEFAULT_MIN_CONFIDENCE", "DEFAULT_MIN_FRACTION", "DomainClassifier",
    "EvaluationReport", "JUDGES", "RealReference", "build_classifier", "classifier_path",
    "classifier_score", "conditional_accuracy", "entropy", "entropy_stats", "evaluate",
    "evaluate_gan", "evaluate_images", "feature_statistics", "file_sha256", "frechet_distance",
    "frechet_distance_from_statistics", "judge_name", "kernel_inception_distance", "knn_radii",
    "load_classifier", "mmd2_unbiased", "mode_coverage", "polynomial_kernel",
    "precision_recall_density_coverage", "prepare_images", "real_arrays", "real_reference",
    "shipped_judges", "train_classifier", "uniform_noise_images",
]
