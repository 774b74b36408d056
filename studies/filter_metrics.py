"""Filter similarity between a generator's and a discriminator's conv kernels (for
`studies.filter_similarity`).

Example:
>>> from studies import filter_metrics
>>> filter_metrics.filter_similarity(g_kernel, d_kernel)["trained"]["mean"]

Reference: Karuvally, A Study into the similarity in generator and discriminator in GAN
architecture, section 4.
"""

import numpy as np


def _slices(kernel):
    k = np.asarray(kernel, dtype="float64")
    if k.ndim != 4:
        raise ValueError(
            "Expected a conv kernel of shape (kh, kw, in, out) (Conv2D) or (kh, kw, out, in) "
            f"(Conv2DTranspose). Received: shape={k.shape}"
        )
    kh, kw = k.shape[:2]
    flat = k.reshape(kh * kw, -1).T  # one row per 2-D kh x kw slice
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return flat / np.maximum(norms, 1e-12), (kh, kw)


def max_cosine_similarity(g_kernel, d_kernel, absolute=False):
    """For each 2-D slice of `g_kernel`, the max cosine similarity over all slices of `d_kernel`.

    Every `kh x kw` slice (one per input/output channel pair) is flattened and
    L2-normalised; the similarity of two slices is their dot product.

    Args:
        g_kernel: 4-D kernel `(kh, kw, a, b)`, e.g. the generator's last conv.
        d_kernel: 4-D kernel with the same `kh, kw`, e.g. the discriminator's first conv.
        absolute: Take `|cos|` (treats negatively correlated filters as similar,
            as CReLU's analysis does); the paper's statistic is the signed max.

    Returns:
        float64 array `(a * b,)`, one value per slice of `g_kernel`, in [-1, 1].

    Example:
    >>> k = np.random.default_rng(0).normal(size=(5, 5, 1, 8))
    >>> filter_metrics.max_cosine_similarity(k, k)  # all 1.0

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture, section 4; Shang et al., CReLU, 2016.
    """
    g, g_size = _slices(g_kernel)
    d, d_size = _slices(d_kernel)
    if g_size != d_size:
        raise ValueError(
            f"Expected two kernels of one spatial size to compare slices. Received: "
            f"{g_size} and {d_size}."
        )
    sims = g @ d.T
    if absolute:
        sims = np.abs(sims)
    return sims.max(axis=1)


def random_kernel_like(kernel, rng):
    """An i.i.d. N(0, 1) kernel of the same shape (cosines are scale-free, so any sigma will do)."""
    return rng.standard_normal(np.shape(kernel))


def filter_similarity(g_kernel, d_kernel, num_random=10, seed=0, absolute=False, bins=40):
    """Karuvally's filter-similarity statistic (section 4), and the same for random kernels.

    Args:
        g_kernel, d_kernel: 4-D kernels (see `max_cosine_similarity`).
        num_random: Random kernel pairs (same shapes, i.i.d. Gaussian) whose
            statistics are pooled into the baseline.
        seed: Seed of the random kernels.
        absolute: Use `|cos|`.
        bins: Histogram bins on [-1, 1] (or [0, 1] with `absolute`).

    Returns:
        A dict with `trained` and `random` summaries (`mean`, `median`, `std`,
        `min`, `max`, `fraction_above_0.9`, `n`), the raw `trained_values`,
        `random_values`, and histogram `bin_edges`, `trained_hist`,
        `random_hist` (densities).

    Example:
    >>> g = gan.generator.get_layer("g_out").kernel.numpy()
    >>> d = gan.discriminator.get_layer("d_h0").kernel.numpy()
    >>> filter_metrics.filter_similarity(g, d)["trained"]["mean"]

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture, section 4 (figures 1 and 2).
    """
    trained = max_cosine_similarity(g_kernel, d_kernel, absolute)
    rng = np.random.default_rng(seed)
    random = np.concatenate([
        max_cosine_similarity(random_kernel_like(g_kernel, rng), random_kernel_like(d_kernel, rng),
                              absolute)
        for _ in range(int(num_random))
    ])
    edges = np.linspace(0.0 if absolute else -1.0, 1.0, int(bins) + 1)

    def summary(v):
        return {"mean": float(v.mean()), "median": float(np.median(v)), "std": float(v.std()),
                "min": float(v.min()), "max": float(v.max()),
                "fraction_above_0.9": float((v > 0.9).mean()), "n": int(v.size)}

    return {
        "trained": summary(trained),
        "random": summary(random),
        "trained_values": trained.tolist(),
        "random_values": random.tolist(),
        "bin_edges": edges.tolist(),
        "trained_hist": np.histogram(trained, edges, density=True)[0].tolist(),
        "random_hist": np.histogram(random, edges, density=True)[0].tolist(),
        "absolute": bool(absolute),
    }


def _conv_layers(model):
    """Layers holding a 4-D `kernel`, in model order, nested models flattened."""
    out = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers and not hasattr(layer, "kernel"):
            out.extend(_conv_layers(layer))
            continue
        kernel = getattr(layer, "kernel", None)
        if kernel is not None and len(kernel.shape) == 4:
            out.append(layer)
    return out


def find_conv_kernel(model, layer_name=None, which="last"):
    """The numpy kernel of a conv layer: by name, or by position among the model's 4-D kernels.

    Args:
        model: A `keras.Model` (the generator or the discriminator).
        layer_name: A layer name; default: pick by `which`.
        which: `"first"`, `"last"`, or an index into the conv layers in model
            order (`-2`: the second-last) when no name is given.

    Returns:
        `(layer_name, kernel)` with `kernel` a numpy array.

    Example:
    >>> name, k = studies.filter_metrics.find_conv_kernel(gan.generator, which="last")
    """
    import keras

    convs = _conv_layers(model)
    if layer_name is not None:
        layer = model.get_layer(layer_name)
        if getattr(layer, "kernel", None) is None or len(layer.kernel.shape) != 4:
            raise ValueError(
                f"Expected a layer with a 4-D conv kernel. Received: layer {layer_name!r} of "
                f"{model.name!r}, which has none. Conv layers: {[lay.name for lay in convs]}"
            )
    else:
        if not convs:
            raise ValueError(f"Expected a model with conv layers (4-D kernels) to compare. "
                             f"Received: {model.name!r}, which has none.")
        index = {"first": 0, "last": -1}.get(which, which)
        if not isinstance(index, int) or isinstance(index, bool) or not (
                -len(convs) <= index < len(convs)):
            raise ValueError(
                f"Expected which='first', 'last' or an index into the {len(convs)} conv layers "
                f"of {model.name!r} ({[lay.name for lay in convs]}). Received: which={which!r}."
            )
        layer = convs[index]
    return layer.name, np.asarray(keras.ops.convert_to_numpy(layer.kernel))
