r"""Seed 000: symmetric vs asymmetric generator/discriminator pairs on Fashion-MNIST.

The `dcgan` preset (28x28) with its generator and discriminator families swapped:
MLP/MLP, CNN/CNN (DCGAN), MLP generator with CNN discriminator (the asker's
collapsing setup), CNN generator with MLP discriminator. Reports mode coverage
(classes covered, KL of the predicted-class histogram from uniform) and FID.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python tools/study_symmetry.py --steps=400
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python tools/study_symmetry.py --quick
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from absl import app, flags  # noqa: E402

import study_common as sc  # noqa: E402

FLAGS = flags.FLAGS
sc.define_common_flags(flags, default_steps=400)
flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")

VARIANTS = [
    ("MLP G / MLP D", "dcgan", {"generator": "mlp", "discriminator": "mlp"}),
    ("CNN G / CNN D", "dcgan", {"generator": "dcgan", "discriminator": "dcgan"}),
    ("MLP G / CNN D", "dcgan", {"generator": "mlp", "discriminator": "dcgan"}),
    ("CNN G / MLP D", "dcgan", {"generator": "dcgan", "discriminator": "mlp"}),
]


def main(argv):
    del argv
    sc.variant_main("symmetry", "Seed 000: symmetric vs asymmetric pairs (`tools/study_symmetry.py`)",
                    VARIANTS, ("dcgan",), FLAGS,
                    extra_note="All pairs use the dcgan preset's loss (non-saturating BCE) and "
                               "optimizers (Adam 2e-4, beta_1 0.5).")


if __name__ == "__main__":
    app.run(main)
