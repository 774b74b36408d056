"""1-D Gaussian data for the `gaussian_1d` presets (Shared-WGAN paper, section 5).

Example:
>>> x = kerasgan.zoo.gaussian.gaussian_samples(10_000, seed=0)   # (10000, 1) from N(4, 0.5)
>>> gan = kerasgan.zoo.get("gaussian_1d", seed=0)
>>> gan.fit(x, batch_size=64, epochs=5)
>>> kerasgan.zoo.gaussian.sample_stats(gan, 10_000, seed=1)      # {"mean": ..., "std": ...}
"""

import numpy as np

from kerasgan.utils.gaussian import MEAN, STD, gaussian_samples

__all__ = ["MEAN", "STD", "gaussian_samples", "sample_stats"]


def sample_stats(gan, n=10_000, seed=0):
    """Mean and standard deviation of `n` raw generator samples (not rescaled).

    Args:
        gan: A `kerasgan.GAN` built by a `gaussian_1d` preset.
        n: Number of samples.
        seed: Noise seed.

    Example:
    >>> kerasgan.zoo.gaussian.sample_stats(kerasgan.zoo.get("gaussian_1d"), 1000)
    """
    noise = gan.sample_noise(n, seed)
    samples = np.asarray(gan.generator.predict(noise, batch_size=1024, verbose=0))
    return {"mean": float(samples.mean()), "std": float(samples.std())}
