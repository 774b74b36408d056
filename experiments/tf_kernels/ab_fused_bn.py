"""A/B of TensorFlow `fit()` steps with Keras' BatchNormalization or TensorFlow's fused kernel.

    KERAS_BACKEND=tensorflow python experiments/tf_kernels/ab_fused_bn.py MODE PRESET STEPS CHUNKS

MODE is `keras` (kerasgan's BatchNormalization layers run Keras' own `call`), `kerasgan` (as
shipped: TensorFlow's fused kernel in training on 4-D float32 inputs outside XLA), `forced`
(the fused kernel on 4-D inputs under XLA too), `forced2` (also on 2-D inputs, each row a 1x1
image) or `bf16` (as shipped, and on bfloat16 inputs too; with `MIXED=1`, the global policy
`mixed_bfloat16`). Trains PRESET on random images in its range (with labels for a conditional
one) at its batch size (`XLA=1`: with `jit_compile=True`), one warm-up chunk, then CHUNKS `fit()`
calls of STEPS steps, and prints steps/s per chunk.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERASGAN_NO_DOWNLOAD", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan.networks import batch_norm  # noqa: E402

keras_call = keras.layers.BatchNormalization.call
RANKS = (4,)


def forced_call(self, inputs, training=None, mask=None):
    """The fused kernel in training wherever the input has a rank in RANKS, XLA or not."""
    rank = len(inputs.shape)
    if not (training and mask is None and rank in RANKS and inputs.dtype == tf.float32):
        return keras_call(self, inputs, training=training, mask=mask)
    if rank == 2:  # rows as a 1x1 image each
        channels = inputs.shape[-1]
        return tf.reshape(forced_call(self, tf.reshape(inputs, [-1, 1, 1, channels]), True),
                          tf.shape(inputs))
    return batch_norm._fused_training_call(self, inputs)


def timing(mode, preset, steps, chunks):
    global RANKS
    if mode == "keras":
        batch_norm.BatchNormalization.call = keras_call
    elif mode in ("forced", "forced2"):
        batch_norm.BatchNormalization.call = forced_call
        RANKS = (4,) if mode == "forced" else (2, 4)
    elif mode == "bf16":
        kerasgan_applies = batch_norm._fused_kernel_applies

        def applies(layer, inputs):  # bfloat16 inputs as well as float32 ones
            if inputs.dtype == tf.bfloat16:
                return kerasgan_applies(layer, tf.zeros([1] * len(inputs.shape)))
            return kerasgan_applies(layer, inputs)

        batch_norm._fused_kernel_applies = applies
    elif mode != "kerasgan":
        raise SystemExit(
            f"Expected keras, kerasgan, forced, forced2 or bf16. Received: {mode!r}.")
    if os.environ.get("MIXED") == "1":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    import kerasgan

    overrides = {"jit_compile": True} if os.environ.get("XLA") == "1" else {}
    gan = kerasgan.zoo.get(preset, seed=0, **overrides)
    spec = kerasgan.zoo.spec(preset)
    batch, shape = spec.step_batch_size, spec.image_shape
    low, high = spec.value_range
    x = np.random.default_rng(0).uniform(low, high, (batch * 4,) + shape).astype("float32")
    if gan.num_classes:  # a conditional GAN trains on (images, labels)
        x = (x, np.arange(len(x)) % gan.num_classes)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True).repeat()
    gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    rates = []
    for _ in range(chunks):
        start = time.perf_counter()
        gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
        rates.append(steps / (time.perf_counter() - start))
    mixed = " mixed_bfloat16" if os.environ.get("MIXED") == "1" else ""
    print(f"{preset} {mode}{' XLA' if overrides else ''}{mixed} batch {batch} steps/s per chunk of {steps}",
          " ".join(f"{r:.3f}" for r in rates), f"median {statistics.median(rates):.3f}",
          flush=True)


if __name__ == "__main__":
    timing(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
