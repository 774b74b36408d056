r"""Seed 002: D trained on G's samples vs on real data mixed with annealed noise.

The `dcgan` preset (28x28, Fashion-MNIST) with `fake_source="generator"` (standard)
and `fake_source="annealed_noise"` (D's fake batch is `real * t + noise * (1 - t)`,
`t` going from 0 to 1 over `anneal_steps`, set to the training budget unless
`--anneal_steps` says otherwise). Same metrics as the other studies.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python tools/study_annealed_noise.py --steps=450
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python tools/study_annealed_noise.py --quick
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from absl import app, flags  # noqa: E402

import study_common as sc  # noqa: E402

FLAGS = flags.FLAGS
sc.define_common_flags(flags, default_steps=450)
flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")
flags.DEFINE_integer("anneal_steps", None, "Annealing length (default: --steps).")


def main(argv):
    del argv
    anneal = FLAGS.anneal_steps or max(FLAGS.steps if not FLAGS.quick else 2, 1)
    variants = [
        ("D on G's samples", "dcgan", {"fake_source": "generator"}),
        (f"D on annealed noise ({anneal} steps)", "dcgan",
         {"fake_source": "annealed_noise", "anneal_steps": anneal}),
    ]
    sc.variant_main("annealed_noise", "Seed 002: D on G's samples vs annealed noise "
                    "(`tools/study_annealed_noise.py`)", variants, ("dcgan",), FLAGS)


if __name__ == "__main__":
    app.run(main)
