r"""Why train the discriminator on the generator's samples? D on G's samples vs annealed noise.

The question: could the discriminator learn as well from real images blended with noise,
`real * t + noise * (1 - t)` with `t` going linearly from 0 to 1 over `anneal_steps` (pure
noise at first, the data itself at the end), as from the generator's samples (Goodfellow et
al., Generative Adversarial Nets, 2014)? The generator still trains against that
discriminator. Both variants use the `dcgan` preset's networks, loss and optimizers
(28x28 Fashion-MNIST); the annealed variant is `AnnealedNoiseGAN` below, with `anneal_steps`
set to the training budget unless `--anneal_steps` says otherwise. Same metrics as the other
studies.

Full budget: KERAS_BACKEND=tensorflow .venv/bin/python -m studies.annealed_noise --steps=450
Quick:       KERAS_BACKEND=tensorflow .venv/bin/python -m studies.annealed_noise --quick
"""

import functools

import keras
import numpy as np
from absl import app, flags
from keras import ops

import kerasgan
from studies import common as sc

FLAGS = flags.FLAGS


@keras.saving.register_keras_serializable(package="kerasgan_studies")
class AnnealedNoiseGAN(kerasgan.GAN):
    """A GAN whose discriminator sees real images mixed with annealed noise as its fake batch.

    The fake batch of discriminator update `i` is `real * t + noise * (1 - t)`, with
    `t = min(step / anneal_steps, 1)` (`step`: the training step, `gan.optimizer.iterations`)
    and `noise` uniform in `output_range` (in [-1, 1] when that is None), drawn fresh per
    step. The generator's update is the parent's.

    Args:
        generator, discriminator, **kwargs: As `kerasgan.GAN`.
        anneal_steps: Training steps over which `t` goes from 0 to 1.

    Example:
    >>> base = kerasgan.zoo.get("dcgan", seed=0)
    >>> gan = AnnealedNoiseGAN(base.generator, base.discriminator, anneal_steps=450,
    ...                        **gan_kwargs(base))
    >>> gan.compile_from_config(base.get_compile_config())
    """

    def __init__(self, generator, discriminator, anneal_steps=10_000, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if (isinstance(anneal_steps, bool) or not isinstance(anneal_steps, (int, np.integer))
                or anneal_steps < 1):
            raise ValueError(
                f"Expected anneal_steps to be a positive integer. Received: anneal_steps={anneal_steps!r}"
            )
        self.anneal_steps = int(anneal_steps)

    def draw_randomness(self, batch_size):
        randomness = super().draw_randomness(batch_size)
        low, high = self.output_range or (-1.0, 1.0)
        for i in range(self.d_steps):
            randomness[f"noise{i}"] = keras.random.uniform(
                (batch_size,) + tuple(self.image_shape), low, high, seed=self.seed_generator)
        return randomness

    def discriminator_fake(self, real, d_step, randomness):
        step = ops.cast(self.optimizer.iterations, "float32")
        t = ops.cast(ops.minimum(step / float(self.anneal_steps), 1.0), real.dtype)
        noise = ops.cast(randomness[f"noise{d_step}"], real.dtype)
        return real * t + noise * (1.0 - t)

    def get_config(self):
        return {**super().get_config(), "anneal_steps": self.anneal_steps}


def gan_kwargs(gan):
    """`gan`'s constructor arguments other than its networks (to rebuild it as another class)."""
    config = dict(gan.get_config())
    for key in ("generator", "discriminator", "name"):
        config.pop(key, None)
    return config


def annealed_gan(preset, seed, anneal_steps, **overrides):
    """`preset`'s networks, GAN options and compile settings in an `AnnealedNoiseGAN`."""
    base = kerasgan.zoo.get(preset, seed=seed, **overrides)
    gan = AnnealedNoiseGAN(base.generator, base.discriminator, anneal_steps=anneal_steps,
                           **gan_kwargs(base))
    gan.compile_from_config(base.get_compile_config())
    return gan


def define_flags():
    sc.define_common_flags(flags, default_steps=450)
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset.")
    flags.DEFINE_integer("anneal_steps", None, "Annealing length (default: --steps).")


def main(argv):
    del argv
    anneal = FLAGS.anneal_steps or max(FLAGS.steps if not FLAGS.quick else 2, 1)
    variants = [
        ("D on G's samples", "dcgan", {}),
        (f"D on annealed noise ({anneal} steps)", "dcgan", {},
         functools.partial(annealed_gan, "dcgan", anneal_steps=anneal)),
    ]
    sc.variant_main("annealed_noise", "D on G's samples vs annealed noise "
                    "(`python -m studies.annealed_noise`)", variants, ("dcgan",), FLAGS)


if __name__ == "__main__":
    define_flags()
    app.run(main)
