"""Offline GAN metrics with domain classifiers the project trains itself (no downloads).

Example:
>>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
>>> kerasgan.metrics.evaluate_images(gan.generate(1000, seed=0), clf)
"""

from kerasgan.metrics.classifier import (
    DomainClassifier,
    build_classifier,
    classifier_path,
    file_sha256,
    load_classifier,
    prepare_images,
    real_arrays,
    train_classifier,
)
from kerasgan.metrics.evaluation import (
    RealReference,
    evaluate_gan,
    evaluate_images,
    load_gan,
    real_reference,
    uniform_noise_images,
)
from kerasgan.metrics.filters import filter_similarity, find_conv_kernel, max_cosine_similarity
from kerasgan.metrics.scores import (
    DEFAULT_MIN_FRACTION,
    classifier_score,
    entropy,
    entropy_stats,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    mode_coverage,
)


def __getattr__(name):
    # The callback imports keras; keep `import kerasgan.metrics` light.
    if name == "ClassifierMetrics":
        from kerasgan.metrics.callback import ClassifierMetrics

        return ClassifierMetrics
    raise AttributeError(f"module 'kerasgan.metrics' has no attribute {name!r}")


__all__ = [
    "ClassifierMetrics", "DEFAULT_MIN_FRACTION", "DomainClassifier",
    "RealReference", "build_classifier", "classifier_path", "classifier_score",
    "entropy", "file_sha256", "entropy_stats", "evaluate_gan", "evaluate_images",
    "feature_statistics", "filter_similarity", "find_conv_kernel", "frechet_distance",
    "frechet_distance_from_statistics", "load_classifier", "load_gan", "max_cosine_similarity",
    "mode_coverage", "prepare_images", "real_arrays", "real_reference", "train_classifier",
    "uniform_noise_images",
]
