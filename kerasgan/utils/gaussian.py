"""Samples of the 1-D Gaussian target of the `gaussian_1d` presets (Shared-WGAN, section 5).

Shared by the data layer (`kerasgan.data.load("gaussian_1d")`) and the zoo
(`kerasgan.zoo.gaussian.gaussian_samples`).
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
    >>> kerasgan.zoo.gaussian.gaussian_samples(4, seed=0).shape
    (4, 1)

    Reference: github arjun23496/Shared-WGAN gan_shared.py (DataDistribution).
    """
    n = validation.check_positive_int("n", n)
    if not validation.is_positive_number(std):
        raise validation.argument_error("std", std, "a positive finite number",
                                        "The reference uses std=0.5.")
    rng = np.random.default_rng(seed)
    return rng.normal(mean, std, size=(int(n), 1)).astype("float32")
