r"""Does a GAN need a generator and a discriminator of the same family?

The `dcgan` preset (28x28, Fashion-MNIST) with its generator and discriminator families swapped:
MLP/MLP, CNN/CNN (DCGAN: Radford et al., Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks, 2016), an MLP generator against a CNN
discriminator (a setup reported to collapse), and a CNN generator against an MLP
discriminator. Reports mode coverage (classes covered, KL of the predicted-class histogram
from uniform) and FID on classifier features.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python -m studies.symmetry --steps=400
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python -m studies.symmetry --quick
"""

from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS

VARIANTS = [
    ("MLP G / MLP D", "dcgan", {"generator": "mlp", "discriminator": "mlp"}),
    ("CNN G / CNN D", "dcgan", {"generator": "dcgan", "discriminator": "dcgan"}),
    ("MLP G / CNN D", "dcgan", {"generator": "mlp", "discriminator": "dcgan"}),
    ("CNN G / MLP D", "dcgan", {"generator": "dcgan", "discriminator": "mlp"}),
]


def define_flags():
    sc.define_common_flags(flags, default_steps=400)
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")


def main(argv):
    del argv
    sc.variant_main("symmetry", "Symmetric vs asymmetric pairs (`python -m studies.symmetry`)",
                    VARIANTS, ("dcgan",), FLAGS,
                    extra_note="All pairs use the dcgan preset's loss (non-saturating BCE) and "
                               "optimizers (Adam 2e-4, beta_1 0.5).")


if __name__ == "__main__":
    define_flags()
    app.run(main)
