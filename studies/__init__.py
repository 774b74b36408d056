"""Studies: experiments that answer questions about GAN training with the kerasgan zoo.

Not part of the `kerasgan` package. Each study runs from the repository root and writes its
JSON and figures under `studies/results/<study>/` and its table into the preset cards
(`zoo/<preset>/README.md`); `--quick` is a smoke test that writes no card.

    python -m studies.symmetry            symmetric vs asymmetric generator/discriminator pairs
    python -m studies.annealed_noise      D on G's samples vs on real data mixed with annealed noise
    python -m studies.l1_unbounded        the L1 GAN with and without a sigmoid discriminator
    python -m studies.gaussian            steps until G matches N(4, 0.5), shared vs separate weights
    python -m studies.entropy_table       classifier entropy of samples, wgan vs shared_wgan
    python -m studies.filter_similarity   G's kernels vs D's kernels of a checkpoint
    python -m studies.classifier_entropy_check   a domain classifier's entropy protocol

A study runs under TensorFlow unless KERAS_BACKEND says otherwise (set before Keras is
imported, here).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
