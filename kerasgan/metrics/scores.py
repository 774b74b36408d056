"""Pure numpy scores on classifier outputs: entropy, classifier score, Frechet distance, coverage.

Everything here takes numpy arrays (softmax probabilities, features, predicted
labels) and returns Python floats or dicts, so the same numbers come out under
every Keras backend.
"""

import math

import numpy as np

_EPS = 1e-12


def _probabilities(probs):
    p = np.asarray(probs, dtype="float64")
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 2:
        raise ValueError(
            "Expected softmax probabilities of shape (num_samples, num_classes) with "
            f"num_classes >= 2. Received: shape={p.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            "Probabilities must be finite and non-negative (pass softmax probabilities, not logits)."
        )
    sums = p.sum(axis=1, keepdims=True)
    if np.any(np.abs(sums - 1.0) > 1e-3):
        raise ValueError(
            "Each row must be a softmax distribution summing to 1 (pass probabilities, not "
            f"logits). Received row sums in [{sums.min():.4g}, {sums.max():.4g}]."
        )
    return p / sums


def entropy(probs):
    """Per-sample entropy (natural log) of softmax rows, as a float64 array `(num_samples,)`.

    Args:
        probs: `(num_samples, num_classes)` softmax probabilities.

    Example:
    >>> kerasgan.metrics.entropy(np.full((2, 10), 0.1))  # log(10) = 2.3026 each
    array([2.30258509, 2.30258509])

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture (section 6.1.1).
    """
    p = _probabilities(probs)
    # 0 * log 0 = 0.
    logs = np.log(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=1)


def entropy_stats(probs):
    """Mean and population standard deviation of the per-sample entropy.

    Args:
        probs: `(num_samples, num_classes)` softmax probabilities.

    Returns:
        `{"entropy_mean": float, "entropy_std": float}` (std with ddof=0, as
        numpy's default, matching the seed 003 table).

    Example:
    >>> kerasgan.metrics.entropy_stats(np.eye(10))
    {'entropy_mean': 0.0, 'entropy_std': 0.0}

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture (section 6.1.1).
    """
    h = entropy(probs)
    return {"entropy_mean": float(h.mean()), "entropy_std": float(h.std())}


def classifier_score(probs):
    """Inception-score analogue `exp(E_x[KL(p(y|x) || p(y))])` with the domain classifier.

    `p(y)` is the mean of the rows. The score lies in [1, num_classes]: 1 when
    every sample gets the same prediction, `k` for confident predictions spread
    evenly over `k` classes.

    Args:
        probs: `(num_samples, num_classes)` softmax probabilities.

    Example:
    >>> kerasgan.metrics.classifier_score(np.eye(10))  # 10 classes, one each
    10.0

    Reference: Salimans et al., Improved Techniques for Training GANs, 2016.
    """
    p = _probabilities(probs)
    marginal = p.mean(axis=0, keepdims=True)
    kl = (p * (np.log(np.maximum(p, _EPS)) - np.log(np.maximum(marginal, _EPS)))).sum(axis=1)
    return float(math.exp(kl.mean()))


def feature_statistics(features):
    """Mean `(d,)` and covariance `(d, d)` (ddof=1) of features `(num_samples, d)`."""
    f = np.asarray(features, dtype="float64")
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(
            f"Expected features of shape (num_samples >= 2, dim). Received: shape={f.shape}"
        )
    return f.mean(axis=0), np.cov(f, rowvar=False)


def _sqrt_psd(matrix):
    w, v = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2):
    """Frechet distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    `||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^(1/2))`,
    with the trace term computed as `sum sqrt(eig(s1^(1/2) sigma2 s1^(1/2)))`
    (symmetric and PSD, so no complex square roots).

    Args:
        mu1, mu2: Means `(d,)`.
        sigma1, sigma2: Covariances `(d, d)`.

    Example:
    >>> kerasgan.metrics.frechet_distance_from_statistics(
    ...     np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))  # 2 + 2 + 8 - 2*2*2 = 4
    4.0

    Reference: Heusel et al., GANs Trained by a Two Time-Scale Update Rule
    Converge to a Local Nash Equilibrium, 2017.
    """
    mu1, mu2 = np.asarray(mu1, "float64"), np.asarray(mu2, "float64")
    s1, s2 = np.atleast_2d(np.asarray(sigma1, "float64")), np.atleast_2d(np.asarray(sigma2, "float64"))
    if mu1.shape != mu2.shape or s1.shape != s2.shape or s1.shape != (mu1.size, mu1.size):
        raise ValueError(
            f"Mismatched statistics: mu1 {mu1.shape}, sigma1 {s1.shape}, mu2 {mu2.shape}, "
            f"sigma2 {s2.shape}."
        )
    root1 = _sqrt_psd(s1)
    middle = root1 @ s2 @ root1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    trace_sqrt = np.sqrt(np.clip(eig, 0.0, None)).sum()
    diff = mu1 - mu2
    value = diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt
    return float(max(value, 0.0))


def frechet_distance(features1, features2):
    """Frechet distance between two feature sets `(n1, d)` and `(n2, d)` (FID's formula).

    Args:
        features1: Features of one sample, e.g. real images.
        features2: Features of the other, e.g. generated images.

    Example:
    >>> f = np.random.default_rng(0).normal(size=(500, 4))
    >>> kerasgan.metrics.frechet_distance(f, f)  # ~0
    0.0

    Reference: Heusel et al., GANs Trained by a Two Time-Scale Update Rule
    Converge to a Local Nash Equilibrium, 2017.
    """
    mu1, s1 = feature_statistics(features1)
    mu2, s2 = feature_statistics(features2)
    return frechet_distance_from_statistics(mu1, s1, mu2, s2)


DEFAULT_MIN_FRACTION = 0.01


def mode_coverage(labels_or_probs, num_classes=None, min_fraction=DEFAULT_MIN_FRACTION):
    """Classes covered by the predicted labels, and the histogram's KL divergence from uniform.

    A class counts as covered when at least `min_fraction` of the samples are
    predicted as it. The default 0.01 is a tenth of a class's share under a
    uniform 10-class distribution: a generator that draws a class ten times
    less often than the data does still covers it, one that (almost) never
    draws it does not.

    Args:
        labels_or_probs: Predicted labels `(n,)` (ints) or probabilities
            `(n, num_classes)` (argmax is taken).
        num_classes: Needed with labels; taken from probabilities' width otherwise.
        min_fraction: Fraction of samples a class needs to count as covered.

    Returns:
        `{"classes_covered": int, "num_classes": int, "coverage_kl": float,
        "class_histogram": list of fractions}`; `coverage_kl` is
        `sum_c h_c log(h_c * num_classes)` (0 for a uniform histogram,
        `log(num_classes)` when every sample falls in one class).

    Example:
    >>> kerasgan.metrics.mode_coverage(np.array([0, 1, 2, 3]), num_classes=4)["coverage_kl"]
    0.0

    Reference: Srivastava et al., VEEGAN, 2017 (modes captured / KL of the
    predicted-class histogram, used there with a pretrained MNIST classifier).
    """
    x = np.asarray(labels_or_probs)
    if x.ndim == 2:
        num_classes = num_classes or x.shape[1]
        labels = x.argmax(axis=1)
    elif x.ndim == 1:
        if num_classes is None:
            raise ValueError("mode_coverage needs num_classes when given labels.")
        labels = x.astype("int64")
    else:
        raise ValueError(f"Expected labels (n,) or probabilities (n, k). Received: shape={x.shape}")
    if labels.size == 0:
        raise ValueError("mode_coverage needs at least one sample.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"Labels must lie in [0, {num_classes}).")
    if not 0 < min_fraction <= 1:
        raise ValueError(f"min_fraction must be in (0, 1]. Received: {min_fraction}")
    hist = np.bincount(labels, minlength=num_classes).astype("float64") / labels.size
    nz = hist > 0
    kl = float((hist[nz] * np.log(hist[nz] * num_classes)).sum())
    return {
        "classes_covered": int((hist >= min_fraction - 1e-12).sum()),
        "num_classes": int(num_classes),
        "coverage_kl": max(kl, 0.0),
        "class_histogram": [float(v) for v in hist],
    }
