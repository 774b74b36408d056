"""One call from images (or a GAN) to every classifier metric, with the real-vs-real floor."""

import dataclasses
from typing import Optional

import numpy as np

from kerasgan.metrics import scores
from kerasgan.metrics.classifier import INPUT_SHAPE, real_arrays


@dataclasses.dataclass
class RealReference:
    """Real-data statistics that generated samples are compared against.

    Attributes:
        dataset: Dataset name.
        num_samples: Size of each of the two disjoint real samples.
        mu, sigma: Feature mean and covariance of real sample A.
        fid_floor: Frechet distance between real sample B and real sample A
            (same size as the generated sample: the best a generator can expect).
        metrics: `evaluate_images` of real sample A itself (the dataset row).
        images: Real sample A, `(n, 28, 28, 1)` in [0, 1].
    """

    dataset: str
    num_samples: int
    mu: np.ndarray
    sigma: np.ndarray
    fid_floor: float
    metrics: dict
    images: Optional[np.ndarray] = None


def uniform_noise_images(num_samples, shape=INPUT_SHAPE, seed=0):
    """Images of i.i.d. U(0, 1) pixels: the "uniform noise" row of the seed 003 table.

    Example:
    >>> x = kerasgan.metrics.uniform_noise_images(1000, seed=0)
    """
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, (int(num_samples),) + tuple(shape)).astype("float32")


def _metrics_from_outputs(probs, feats, reference, min_fraction):
    out = {"num_samples": int(len(probs))}
    out.update(scores.entropy_stats(probs))
    out["classifier_score"] = scores.classifier_score(probs)
    out.update(scores.mode_coverage(probs, min_fraction=min_fraction))
    if reference is not None:
        mu, sigma = scores.feature_statistics(feats)
        out["fid"] = scores.frechet_distance_from_statistics(mu, sigma, reference.mu, reference.sigma)
        out["fid_real_floor"] = float(reference.fid_floor)
        out["fid_reference_samples"] = int(reference.num_samples)
    return out


def real_reference(classifier, dataset=None, num_samples=1000, seed=0, split="test",
                   min_fraction=scores.DEFAULT_MIN_FRACTION, data_dir=None, keep_images=True):
    """Statistics of two disjoint random real samples of `num_samples` images each.

    Sample A is the Frechet distance's reference; FID(B, A) is the real-vs-real
    floor reported next to every generated FID. The test split is used (the
    classifier never trained on it); for MNIST with only its test split present,
    the classifier's held-out half (`"holdout_test"`, 5,000 images).

    Args:
        classifier: A `kerasgan.metrics.DomainClassifier`.
        dataset: Dataset name; default `classifier.dataset`.
        num_samples: Images per real sample; `2 * num_samples` must not exceed the split.
        seed: Which random disjoint samples.
        split: Split to draw from.
        min_fraction: Coverage threshold (see `kerasgan.metrics.mode_coverage`).
        data_dir: Directory holding the dataset's IDX files.
        keep_images: Keep sample A's images on the result (for sample grids).

    Example:
    >>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
    >>> ref = kerasgan.metrics.real_reference(clf, num_samples=1000)
    >>> ref.fid_floor, ref.metrics["entropy_mean"]

    Reference: Heusel et al., GANs Trained by a Two Time-Scale Update Rule
    Converge to a Local Nash Equilibrium, 2017.
    """
    dataset = dataset or classifier.dataset
    images, _ = real_arrays(dataset, split, data_dir=data_dir)
    n = int(num_samples)
    if 2 * n > len(images):
        raise ValueError(
            f"The real-vs-real floor needs two disjoint samples of {n} images; the {dataset!r} "
            f"{split!r} split has {len(images)}. Use num_samples <= {len(images) // 2}."
        )
    order = np.random.default_rng(seed).permutation(len(images))
    a, b = images[order[:n]], images[order[n : 2 * n]]
    probs_a, feats_a = classifier.predict(a)
    _, feats_b = classifier.predict(b)
    mu, sigma = scores.feature_statistics(feats_a)
    floor = scores.frechet_distance(feats_b, feats_a)
    ref = RealReference(str(dataset), n, mu, sigma, floor, {}, a if keep_images else None)
    ref.metrics = _metrics_from_outputs(probs_a, feats_a, None, min_fraction)
    ref.metrics["fid"] = floor  # the dataset's own row: B against A
    ref.metrics["fid_real_floor"] = floor
    return ref


def evaluate_images(images, classifier, reference=None, value_range=(0.0, 1.0),
                    min_fraction=scores.DEFAULT_MIN_FRACTION):
    """All classifier metrics of a batch of images.

    Args:
        images: `(N, H, W, C)` images (see `kerasgan.metrics.prepare_images`).
        classifier: A `kerasgan.metrics.DomainClassifier`.
        reference: A `RealReference`; without it no Frechet distance is computed.
        value_range: Range of `images`' values.
        min_fraction: Coverage threshold.

    Returns:
        A dict: `num_samples`, `entropy_mean`, `entropy_std`,
        `classifier_score`, `classes_covered`, `num_classes`, `coverage_kl`,
        `class_histogram`, and with a reference `fid`, `fid_real_floor`,
        `fid_reference_samples`.

    Example:
    >>> clf = kerasgan.metrics.load_classifier("fashion_mnist")
    >>> ref = kerasgan.metrics.real_reference(clf, num_samples=1000)
    >>> kerasgan.metrics.evaluate_images(gan.generate(1000, seed=0), clf, ref)

    Reference: Salimans et al., Improved Techniques for Training GANs, 2016;
    Heusel et al., 2017 (FID); Karuvally, seed 003 (entropy table).
    """
    probs, feats = classifier.predict(images, value_range=value_range)
    return _metrics_from_outputs(probs, feats, reference, min_fraction)


def evaluate_gan(gan, classifier, reference=None, num_samples=1000, seed=0,
                 min_fraction=scores.DEFAULT_MIN_FRACTION):
    """`evaluate_images` on `num_samples` images from `gan.generate` (in [0, 1]).

    Example:
    >>> kerasgan.metrics.evaluate_gan(gan, kerasgan.metrics.load_classifier("fashion_mnist"))
    """
    images = gan.generate(int(num_samples), seed=seed)
    return evaluate_images(images, classifier, reference, min_fraction=min_fraction)


def load_gan(path):
    """Loads a `.keras` GAN checkpoint (`kerasgan.load_gan`: clear errors for missing or corrupt files)."""
    from kerasgan.gan import load_gan as _load_gan

    return _load_gan(path)