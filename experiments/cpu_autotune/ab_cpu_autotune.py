# A/B of tf.data autotuning in dcgan fit() (measured 2026-12-01): 'on' sets autotune.enabled=True on the dataset
# (kept by GAN.fit), 'default' passes the dataset as is (GAN.fit turns autotuning off on the CPU).
# Alternate processes: KERAS_BACKEND=tensorflow python experiments/cpu_autotune/ab_cpu_autotune.py on|default
# Prints steps/s of 8 fit() calls of 10 steps, their median, and one 100-step call.

import statistics, sys, time, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.getcwd())
import numpy as np, tensorflow as tf
mode = sys.argv[1]
import kerasgan
gan = kerasgan.zoo.get("dcgan", seed=0)
x = np.random.default_rng(0).uniform(-1, 1, (128 * 8, 28, 28, 1)).astype("float32")
ds = tf.data.Dataset.from_tensor_slices(x).batch(128, drop_remainder=True).repeat().prefetch(tf.data.AUTOTUNE)
if mode == "on":
    o = tf.data.Options(); o.autotune.enabled = True; ds = ds.with_options(o)
gan.fit(ds, epochs=1, steps_per_epoch=4, verbose=0)
rates = []
for _ in range(8):
    t = time.perf_counter(); gan.fit(ds, epochs=1, steps_per_epoch=10, verbose=0); rates.append(10 / (time.perf_counter() - t))
t = time.perf_counter(); gan.fit(ds, epochs=1, steps_per_epoch=100, verbose=0); long = 100 / (time.perf_counter() - t)
print("dcgan autotune", mode, "chunks", " ".join(f"{r:.2f}" for r in rates), f"median {statistics.median(rates):.3f}", f"100-step call {long:.3f}", flush=True)
