"""Pure numpy scores on classifier outputs: entropy, classifier score, class coverage, and the
feature-space distances (Frechet distance, KID, precision/recall, density/coverage).

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
            "Expected finite, non-negative softmax probabilities. Received: "
            f"{int(np.sum(~np.isfinite(p)))} NaN or Inf and {int(np.sum(p < 0))} negative "
            "value(s). Pass softmax probabilities, not logits."
        )
    sums = p.sum(axis=1, keepdims=True)
    if np.any(np.abs(sums - 1.0) > 1e-3):
        raise ValueError(
            "Expected each row to be a softmax distribution summing to 1. Received: row sums "
            f"in [{sums.min():.4g}, {sums.max():.4g}]. Pass probabilities, not logits."
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


def entropy_stats(probs, resamples=2000, seed=0):
    """Mean and population standard deviation of the per-sample entropy, with a bootstrap interval.

    Args:
        probs: `(num_samples, num_classes)` softmax probabilities.
        resamples: Bootstrap resamples of the samples for the mean's interval (0: none).
        seed: Seed of the resampling.

    Returns:
        `{"entropy_mean", "entropy_std", "entropy_mean_se", "entropy_mean_ci95"}`: std with
        ddof=0, as numpy's default, matching the Shared-WGAN paper's entropy table; the
        bootstrap standard error of the mean and its 95% percentile interval `[low, high]`.

    Example:
    >>> kerasgan.metrics.entropy_stats(np.eye(10))
    {'entropy_mean': 0.0, 'entropy_std': 0.0, 'entropy_mean_se': 0.0, 'entropy_mean_ci95': [0.0, 0.0]}

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture (section 6.1.1).
    """
    h = entropy(probs)
    out = {"entropy_mean": float(h.mean()), "entropy_std": float(h.std())}
    if resamples:
        rng = np.random.default_rng(seed)
        means = np.empty(int(resamples))
        for start in range(0, int(resamples), 250):  # bounded memory for large sample counts
            n = min(250, int(resamples) - start)
            means[start:start + n] = h[rng.integers(0, len(h), (n, len(h)))].mean(axis=1)
        low, high = np.percentile(means, [2.5, 97.5])
        out.update(entropy_mean_se=float(means.std(ddof=1)),
                   entropy_mean_ci95=[float(low), float(high)])
    return out


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
            "Expected statistics of one feature size d: mu1, mu2 of shape (d,) and sigma1, "
            f"sigma2 of shape (d, d). Received: mu1 {mu1.shape}, sigma1 {s1.shape}, "
            f"mu2 {mu2.shape}, sigma2 {s2.shape}."
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
DEFAULT_MIN_CONFIDENCE = 0.5


def mode_coverage(labels_or_probs, num_classes=None, min_fraction=DEFAULT_MIN_FRACTION,
                  min_confidence=DEFAULT_MIN_CONFIDENCE):
    """Classes covered by confident predictions, and the class histogram's KL divergence from uniform.

    A sample is assigned to its argmax class only when its maximum softmax
    probability is at least `min_confidence` (default 0.5: the classifier
    favours that class over all others together); a class counts as covered
    when at least `min_fraction` of all samples are confidently assigned to it.
    The default 0.01 is a tenth of a class's share under a uniform 10-class
    distribution: a generator that draws a class ten times less often than the
    data does still covers it, one that (almost) never draws it, or only draws
    ambiguous blobs the classifier is unsure about, does not.

    Args:
        labels_or_probs: Probabilities `(n, num_classes)`, or predicted labels
            `(n,)` (ints; every label counts as confident).
        num_classes: Needed with labels; taken from probabilities' width otherwise.
        min_fraction: Fraction of samples a class needs to count as covered.
        min_confidence: Maximum softmax probability a sample needs to count.

    Returns:
        A dict: `classes_covered`, `num_classes`, `min_fraction`,
        `min_confidence`, `low_confidence_fraction` (samples below
        `min_confidence`), `class_histogram` (argmax fractions of all samples),
        `confident_class_histogram` (fractions of all samples confidently
        assigned to each class) and `coverage_kl`,
        `sum_c h_c log(h_c * num_classes)` of `class_histogram` (0 when
        uniform, `log(num_classes)` when every sample falls in one class).

    Example:
    >>> kerasgan.metrics.mode_coverage(np.array([0, 1, 2, 3]), num_classes=4)["coverage_kl"]
    0.0

    Reference: Srivastava et al., VEEGAN, 2017 (modes captured / KL of the
    predicted-class histogram, used there with a pretrained MNIST classifier).
    """
    x = np.asarray(labels_or_probs)
    if x.ndim == 2:
        p = _probabilities(x)
        num_classes = num_classes or p.shape[1]
        labels = p.argmax(axis=1)
        confident = p.max(axis=1) >= min_confidence
    elif x.ndim == 1:
        if num_classes is None:
            raise ValueError(
                "Expected num_classes with labels of shape (n,). Received: num_classes=None. "
                "Pass num_classes=..., or pass probabilities (n, num_classes) instead.")
        labels = x.astype("int64")
        confident = np.ones(labels.shape, bool)
    else:
        raise ValueError(f"Expected labels (n,) or probabilities (n, k). Received: shape={x.shape}")
    if labels.size == 0:
        raise ValueError(f"Expected at least one sample. Received: shape={x.shape}.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"Expected labels in [0, {num_classes}) (num_classes={num_classes}). Received: "
            f"labels from {int(labels.min())} to {int(labels.max())}.")
    if not 0 < min_fraction <= 1:
        raise ValueError(f"Expected min_fraction in (0, 1]. Received: {min_fraction}")
    if not 0 <= min_confidence <= 1:
        raise ValueError(f"Expected min_confidence in [0, 1]. Received: {min_confidence}")
    n = labels.size
    hist = np.bincount(labels, minlength=num_classes).astype("float64") / n
    confident_hist = np.bincount(labels[confident], minlength=num_classes).astype("float64") / n
    nz = hist > 0
    kl = float((hist[nz] * np.log(hist[nz] * num_classes)).sum())
    return {
        "classes_covered": int((confident_hist >= min_fraction - 1e-12).sum()),
        "num_classes": int(num_classes),
        "min_fraction": float(min_fraction),
        "min_confidence": float(min_confidence),
        "low_confidence_fraction": float(1.0 - confident.mean()),
        "coverage_kl": max(kl, 0.0),
        "class_histogram": [float(v) for v in hist],
        "confident_class_histogram": [float(v) for v in confident_hist],
    }


def _features(x, name):
    f = np.asarray(x, dtype="float64")
    if f.ndim != 2 or f.shape[0] < 2 or not np.all(np.isfinite(f)):
        raise ValueError(
            f"Expected finite {name} features of shape (num_samples >= 2, dim). Received: "
            f"shape={f.shape}")
    return f


def _squared_distances(a, b):
    d = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d, 0.0)


_CHUNK = 1000


def knn_radii(features, k):
    """Euclidean distance from each sample to its `k`-th nearest other sample, `(n,)`.

    `k` may be a tuple: then a dict `{k: radii}` from one pass over the distances.

    Example:
    >>> kerasgan.metrics.knn_radii(np.array([[0.0], [1.0], [3.0]]), k=1)
    array([1., 1., 2.])
    """
    f = _features(features, "the")
    ks = tuple(int(v) for v in (k if isinstance(k, (tuple, list)) else (k,)))
    if not all(1 <= v < len(f) for v in ks):
        raise ValueError(f"Expected 1 <= k < num_samples ({len(f)}). Received: k={k}")
    out = {v: np.empty(len(f)) for v in ks}
    for start in range(0, len(f), _CHUNK):
        d = _squared_distances(f[start : start + _CHUNK], f)
        rows = np.arange(len(d))
        d[rows, start + rows] = 0.0  # the sample itself, at distance 0: index 0 after sorting
        d = np.partition(d, ks, axis=1)
        for v in ks:
            out[v][start : start + len(d)] = d[:, v]
    out = {v: np.sqrt(r) for v, r in out.items()}
    return out if isinstance(k, (tuple, list)) else out[ks[0]]


def precision_recall_density_coverage(real_features, fake_features, pr_k=3, dc_k=5,
                                      real_radii=None):
    """Manifold precision/recall and density/coverage of fake samples against real ones.

    Each real sample's manifold is a ball reaching its k-th nearest real
    neighbour (likewise for fakes). Precision: fraction of fakes inside some
    real ball (`pr_k`); recall: fraction of reals inside some fake ball
    (`pr_k`); density: average number of real balls (`dc_k`) holding a fake,
    divided by `dc_k` (1 on average for matching distributions, unbounded);
    coverage: fraction of real balls (`dc_k`) holding at least one fake. Balls
    are closed (`<=`) for precision/recall (Kynkaanniemi et al.) and open (`<`)
    for density/coverage (Naeem et al.), as in the papers' code.

    Args:
        real_features: `(n, d)`.
        fake_features: `(m, d)`.
        pr_k: Neighbourhood size of precision and recall.
        dc_k: Neighbourhood size of density and coverage.
        real_radii: Optional precomputed `{k: knn_radii(real_features, k)}`.

    Returns:
        `{"precision", "recall", "density", "coverage"}` as floats.

    Example:
    >>> real = np.random.default_rng(0).normal(size=(500, 8))
    >>> kerasgan.metrics.precision_recall_density_coverage(real, real + 10)["precision"]
    0.0

    Reference: Kynkaanniemi et al., Improved Precision and Recall Metric for
    Assessing Generative Models, 2019; Naeem et al., Reliable Fidelity and
    Diversity Metrics for Generative Models, 2020.
    """
    real, fake = _features(real_features, "real"), _features(fake_features, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError("Expected real and fake features of one size. Received: "
                         f"real {real.shape}, fake {fake.shape}.")
    radii = dict(real_radii or {})
    missing = tuple(k for k in {pr_k, dc_k} if k not in radii)
    if missing:
        radii.update(knn_radii(real, missing))
    real_pr, real_dc = radii[pr_k] ** 2, radii[dc_k] ** 2
    fake_pr = knn_radii(fake, pr_k) ** 2
    in_real_pr = np.zeros(len(fake), bool)
    real_in_fake = np.zeros(len(real), bool)
    real_hit = np.zeros(len(real), bool)
    density_count = 0.0
    for start in range(0, len(fake), _CHUNK):
        d = _squared_distances(fake[start : start + _CHUNK], real)
        in_real_pr[start : start + len(d)] = (d <= real_pr[None, :]).any(axis=1)
        real_in_fake |= (d <= fake_pr[start : start + len(d), None]).any(axis=0)
        inside_dc = d < real_dc[None, :]
        density_count += float(inside_dc.sum())
        real_hit |= inside_dc.any(axis=0)
    return {
        "precision": float(in_real_pr.mean()),
        "recall": float(real_in_fake.mean()),
        "density": density_count / (dc_k * len(fake)),
        "coverage": float(real_hit.mean()),
    }


def mmd2_unbiased(x, y, kernel):
    """Unbiased estimate of MMD^2 between samples `x` `(m, d)` and `y` `(n, d)` under `kernel(a, b)`.

    `sum_{i != j} k(x_i, x_j) / (m(m-1)) + sum_{i != j} k(y_i, y_j) / (n(n-1))
    - 2 mean k(x_i, y_j)`.

    Reference: Gretton et al., A Kernel Two-Sample Test, 2012.
    """
    kxx, kyy, kxy = kernel(x, x), kernel(y, y), kernel(x, y)
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                 + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2.0 * kxy.mean())


def polynomial_kernel(a, b):
    """KID's cubic kernel `(a . b / d + 1)^3` (d: the feature size), `(len(a), len(b))`."""
    g = a @ b.T
    g *= 1.0 / a.shape[1]
    g += 1.0
    k = g * g
    k *= g
    return k


def _offdiagonal_mean(x):
    k = polynomial_kernel(x, x)
    return (k.sum(dtype="float64") - np.trace(k, dtype="float64")) / (len(x) * (len(x) - 1))


def kernel_inception_distance(real_features, fake_features, subset_size=1000, num_subsets=100,
                              seed=0, cache=None):
    """KID: unbiased MMD^2 with the cubic polynomial kernel, averaged over random subsets.

    Each subset draws `subset_size` real and `subset_size` fake samples without
    replacement (fewer when a set is smaller). Kernels are computed in float32
    and summed in float64 (1.5x faster on CPU; on the judge's features the
    mean moves by ~1e-9, far below its standard error). The standard error is the
    subsets' standard deviation over `sqrt(num_subsets)`; subsets overlap, so it
    measures the subset-sampling noise of the mean, not the sampling noise of
    the generated set itself (`kid_std` is the spread of single-subset values).

    Args:
        real_features: `(n, d)`.
        fake_features: `(m, d)`.
        subset_size: Samples per subset (1,000 in Binkowski et al.).
        num_subsets: Subsets averaged (100 in Binkowski et al.).
        seed: Subset sampling seed (real and fake subsets use separate streams).
        cache: Optional dict kept with `real_features` between calls; the real
            subsets' kernel terms are stored in it (a third of the work).

    Returns:
        `{"kid", "kid_se", "kid_std", "kid_subset_size", "kid_subsets"}`.

    Example:
    >>> f = np.random.default_rng(0).normal(size=(2000, 16))
    >>> kerasgan.metrics.kernel_inception_distance(f[:1000], f[1000:])["kid"]  # ~0

    Reference: Binkowski et al., Demystifying MMD GANs, 2018.
    """
    real, fake = _features(real_features, "real"), _features(fake_features, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError("Expected real and fake features of one size. Received: "
                         f"real {real.shape}, fake {fake.shape}.")
    if int(num_subsets) < 1 or int(subset_size) < 2:
        raise ValueError(
            f"Expected num_subsets >= 1 and subset_size >= 2. Received: num_subsets={num_subsets}, "
            f"subset_size={subset_size}")
    real, fake = real.astype("float32"), fake.astype("float32")
    m, count = min(int(subset_size), len(real), len(fake)), int(num_subsets)
    key = ("kid_real", len(real), m, count, int(seed))
    if cache is not None and key in cache:
        real_subsets, real_terms = cache[key]
    else:
        rng = np.random.default_rng([int(seed), 0])
        real_subsets = [rng.choice(len(real), m, replace=False) for _ in range(count)]
        real_terms = np.array([_offdiagonal_mean(real[i]) for i in real_subsets])
        if cache is not None:
            cache[key] = (real_subsets, real_terms)
    rng = np.random.default_rng([int(seed), 1])
    values = np.empty(count)
    for i, real_index in enumerate(real_subsets):
        y = fake[rng.choice(len(fake), m, replace=False)]
        cross = polynomial_kernel(real[real_index], y).mean(dtype="float64")
        values[i] = real_terms[i] + _offdiagonal_mean(y) - 2.0 * cross
    std = float(values.std(ddof=1)) if count > 1 else 0.0
    return {"kid": float(values.mean()), "kid_se": std / float(np.sqrt(count)), "kid_std": std,
            "kid_subset_size": int(m), "kid_subsets": count}
