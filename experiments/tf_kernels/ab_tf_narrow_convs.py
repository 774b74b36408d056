# A/B of the whole TensorFlow fit() step of a preset with kerasgan's phase form of few-channel
# strided convolutions on and off (kerasgan.trainers.tf_narrow_convs.enabled). Alternate processes:
#   PYTHONPATH=. KERAS_BACKEND=tensorflow python experiments/tf_kernels/ab_tf_narrow_convs.py on|off [preset] [chunks]
# Needs commit 58081eb (kerasgan/trainers/tf_narrow_convs.py, reverted after it). Prints steps/s of each chunk of 10 steps (after 4 warm-up steps) and their median.
import statistics, sys, time
import numpy as np
import tensorflow as tf
import kerasgan
from kerasgan.trainers import tf_narrow_convs
mode = sys.argv[1]
preset = sys.argv[2] if len(sys.argv) > 2 else "dcgan"
chunks = int(sys.argv[3]) if len(sys.argv) > 3 else 5
tf_narrow_convs.enabled = mode == "on"
gan = kerasgan.zoo.get(preset, seed=0)
shape = tuple(gan.generator.output.shape[1:])
batch = int(kerasgan.zoo.spec(preset).config["batch_size"])
x = np.random.default_rng(0).uniform(-1, 1, (batch * 8,) + shape).astype("float32")
ds = tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True).repeat()
gan.fit(ds, epochs=1, steps_per_epoch=4, verbose=0)
rates = []
for _ in range(chunks):
    t = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=10, verbose=0)
    rates.append(10 / (time.perf_counter() - t))
print(preset, mode, "chunks", " ".join(f"{r:.2f}" for r in rates),
      f"median {statistics.median(rates):.3f}", flush=True)
