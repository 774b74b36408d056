r"""Seed 004: `l1` (sigmoid discriminator) vs `l1_unbounded` on Fashion-MNIST, same budget.

Reports FID (classifier features, with the real-vs-real floor), entropy, classifier
score and mode coverage per variant, over several seeds, and the two sample grids
side by side. The seed's claim: with the sigmoid the L1 GAN fails; without it, it works.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python tools/study_l1_unbounded.py --steps=400
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python tools/study_l1_unbounded.py --quick
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from absl import app, flags  # noqa: E402

import study_common as sc  # noqa: E402

FLAGS = flags.FLAGS
sc.define_common_flags(flags, default_steps=400)
flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")

VARIANTS = [("l1 (sigmoid D)", "l1", {}), ("l1_unbounded", "l1_unbounded", {})]


def main(argv):
    del argv
    sc.variant_main("l1_vs_unbounded", "Seed 004: l1 vs l1_unbounded (`tools/study_l1_unbounded.py`)",
                    VARIANTS, ("l1", "l1_unbounded"), FLAGS)


if __name__ == "__main__":
    app.run(main)
