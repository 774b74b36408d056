r"""Does the L1 GAN need an unbounded discriminator? `l1` (sigmoid D) vs `l1_unbounded`.

Both presets on Fashion-MNIST for the same budget. The claim under test: with a sigmoid on the
discriminator's output the L1 GAN fails; without it, it trains. Reports FID (classifier
features, with the real-vs-real floor), entropy, classifier score and mode coverage per
variant over several seeds, and the two sample grids side by side.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python -m studies.l1_unbounded --steps=400
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python -m studies.l1_unbounded --quick
"""

from absl import app, flags

from studies import common as sc

FLAGS = flags.FLAGS

VARIANTS = [("l1 (sigmoid D)", "l1", {}), ("l1_unbounded", "l1_unbounded", {})]


def define_flags():
    sc.define_common_flags(flags, default_steps=400)
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")


def main(argv):
    del argv
    sc.variant_main("l1_vs_unbounded", "l1 vs l1_unbounded (`python -m studies.l1_unbounded`)",
                    VARIANTS, ("l1", "l1_unbounded"), FLAGS)


if __name__ == "__main__":
    define_flags()
    app.run(main)
