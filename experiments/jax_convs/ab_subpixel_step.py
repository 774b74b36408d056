# A/B of the whole JAX dcgan fit() step, with and without the phase-form (sub-pixel) forward of
# strided transposed convolutions of commit 79a0061 (reverted in 5f3173b; check that commit out to
# rerun). Alternate processes: KERAS_BACKEND=jax python experiments/jax_convs/ab_subpixel_step.py phase|keras_forward
import sys, time, numpy as np
mode = sys.argv[1]
import keras, kerasgan
from kerasgan.trainers import jax_conv_transpose as jct
if mode == "keras_forward":
    jct._subpixel = lambda *a, **k: None
gan = kerasgan.zoo.get("dcgan", seed=0)
x = np.random.default_rng(0).random((128 * 40, 28, 28, 1)).astype("float32")
import tensorflow as tf
ds = tf.data.Dataset.from_tensor_slices(x).batch(128, drop_remainder=True).repeat()
gan.fit(ds, epochs=1, steps_per_epoch=4, verbose=0)
t = time.perf_counter(); gan.fit(ds, epochs=1, steps_per_epoch=30, verbose=0); dt = time.perf_counter() - t
print(mode, "steps/s %.3f" % (30 / dt), flush=True)
