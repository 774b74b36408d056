"""1-D Gaussian data for the `gaussian_1d` presets (Shared-WGAN paper, section 5).

Example:
>>> x = kerasgan.zoo.toy.gaussian_samples(10_000, seed=0)      # (10000, 1) from N(4, 0.5)
>>> gan = kerasgan.zoo.get("gaussian_1d", seed=0)
>>> gan.fit(x, batch_size=64, epochs=5)
>>> kerasgan.zoo.toy.sample_stats(gan, 10_000, seed=1)         # {"mean": ..., "std": ...}
"""

import numpy as np

from kerasgan import validation

MEAN = 4.0
STD = 0.5


def gaussian_samples(n, mean=MEAN, std=STD, seed=None):
    """`n` samples of N(mean, std^2) as float32 of shape `(n, 1)`.

    Args:
        n: Number of samples.
        mean: Target mean (4 in the reference).
        std: Target standard deviation (0.5 in the reference).
        seed: NumPy seed.

    Example:
    >>> kerasgan.zoo.toy.gaussian_samples(4, seed=0).shape
    (4, 1)

    Reference: github arjun23496/Shared-WGAN gan_shared.py (DataDistribution).
    """
    n = validation.check_positive_int("n", n)
    if not validation.is_positive_number(std):
        raise validation.argument_error("std", std, "a positive finite number",
                                        "The reference uses std=0.5.")
    rng = np.random.default_rng(seed)
    return rng.normal(mean, std, size=(int(n), 1)).astype("float32")


def sample_stats(gan, n=10_000, seed=0):
    """Mean and standard deviation of `n` raw generator samples (not rescaled).

    Args:
        gan: A `kerasgan.GAN` built by a `gaussian_1d` preset.
        n: Number of samples.
        seed: Noise seed.

    Example:
    >>> kerasgan.zoo.toy.sample_stats(kerasgan.zoo.get("gaussian_1d"), 1000)
    """
    noise = gan.sample_noise(n, seed)
    samples = np.asarray(gan.generator.predict(noise, batch_size=1024, verbose=0))
    return {"mean": float(samples.mean()), "std": float(samples.std())}
