"""Drawing from a GAN's generator: noise, images in [0, 1], and `predict()` of raw outputs.

`GeneratorSampling` is a part of `kerasgan.GAN`.
"""

import keras
import numpy as np
from keras import ops

from kerasgan import conditioning as conditioning_lib
from kerasgan import validation


class GeneratorSampling:
    """Noise, `generate()` and `predict()` of `kerasgan.GAN`."""

    def sample_noise(self, num_samples, seed=None):
        """Numpy noise `(num_samples, latent_dim)` from the training distribution."""
        rng = np.random.default_rng(seed)
        shape = (int(num_samples), self.latent_dim)
        if self.noise == "uniform":
            return rng.uniform(-1.0, 1.0, size=shape).astype("float32")
        return rng.standard_normal(size=shape).astype("float32")

    def generate(self, num_samples, seed=None, batch_size=256, use_ema=None, labels=None,
                 noise=None):
        """Generates images as numpy float32 `(num_samples, H, W, C)` rescaled to [0, 1].

        The generator's outputs are mapped from `output_range` to [0, 1] and
        clipped, ready to plot or save. With `output_range=None` the raw
        outputs are returned. For raw outputs in `output_range` (the data's
        range), call `predict(gan.sample_noise(n))`.

        Args:
            num_samples: How many images.
            seed: Integer seed; the same seed gives the same images.
            batch_size: Images per generator call.
            use_ema: Use the averaged generator (default: when `ema_decay`
                is set); False gives the raw, last-trained generator.
            labels: Class ids of a conditional GAN: an int (every sample) or
                `num_samples` ints; default: the classes in turn (0, 1, ...).
            noise: Optional noise `(num_samples, latent_dim)` instead of
                drawing it with `seed` (e.g. one vector per grid column).

        Example:
        >>> sneakers = gan.generate(16, labels=7, seed=0)
        """
        num_samples = validation.check_positive_int(
            "num_samples", num_samples, fix="Pass how many images to draw, e.g. 16.")
        labels = conditioning_lib.generation_labels(labels, self.conditioning, self.num_classes,
                                                    num_samples)
        if noise is None:
            noise = self.sample_noise(num_samples, seed)
        else:
            noise = np.asarray(noise, dtype="float32")
            if noise.shape != (num_samples, self.latent_dim):
                raise ValueError(
                    f"Expected noise of shape ({num_samples}, {self.latent_dim}) (num_samples, "
                    f"latent_dim). Received: noise of shape {noise.shape}."
                )
        outputs = []
        with self.ema_weights(use_ema):
            for start in range(0, num_samples, batch_size):
                part = slice(start, start + batch_size)
                inputs = noise[part] if labels is None else [noise[part], labels[part]]
                out = self.generator(inputs, training=False)
                outputs.append(np.asarray(ops.convert_to_numpy(ops.cast(out, "float32"))))
        images = np.concatenate(outputs, axis=0)
        if self.output_range is None:
            return images.astype("float32")
        low, high = self.output_range
        return np.clip((images - low) / (high - low), 0.0, 1.0).astype("float32")

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Raw generator outputs for noise `x`, as `keras.Model.predict` gives them.

        `x` is noise `(N, latent_dim)`, or `[noise, labels]` for a conditional
        GAN. Under TensorFlow on the CPU, arrays are read in the batches `fit()`
        uses (`kerasgan.utils.tf_data.predict_batches`): the same outputs,
        without the wait that Keras' autotuned array pipeline adds at the end of
        each call.
        """
        batch_size = validation.check_positive_int(
            "batch_size", batch_size, allow_none=True, fix="Pass images per batch, e.g. 256.")
        if steps is None and keras.backend.backend() == "tensorflow":
            from kerasgan.utils import tf_data  # imports TensorFlow, as Keras' adapters do

            batches = tf_data.predict_batches(x, batch_size or 32)
            if batches is not None:
                x, batch_size = batches, None
        return super().predict(x, batch_size=batch_size, verbose=verbose, steps=steps,
                               callbacks=callbacks)
