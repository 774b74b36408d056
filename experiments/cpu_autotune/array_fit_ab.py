"""Arrays in dcgan's fit() under TensorFlow on the CPU: Keras' own pipeline against kerasgan's.

    KERAS_BACKEND=tensorflow python experiments/cpu_autotune/array_fit_ab.py keras|kerasgan \
        [short|long]

keras: the array goes to Keras' adapter (autotuned parallel map and prefetch), as kerasgan
passed it before; kerasgan: `GAN.fit`'s default, `kerasgan.utils.tf_data.array_batches`.
short: ten fit() calls of 30 steps each (batch 128), seconds per call. long: one fit() of 3
epochs over 10,000 images (79 steps each), seconds per epoch, between its last batch and fit()'s
return, and in all. Random images; each mode in its own process.
"""

import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERASGAN_NO_DOWNLOAD", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan import batch_checks  # noqa: E402

mode, length = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "short")
if mode == "keras":
    batch_checks._arrays_as_batches = lambda x, y, batch_size, fit_kwargs: (x, y, batch_size)
elif mode != "kerasgan":
    raise SystemExit(f"Expected keras or kerasgan. Received: {mode!r}.")


class Times(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(time.perf_counter() - self.start)


gan = kerasgan.zoo.get("dcgan", seed=0, batch_size=128)
rows = 128 * 30 if length == "short" else 10_000
x = np.random.default_rng(0).uniform(-1, 1, (rows,) + gan.image_shape).astype("float32")
gan.fit(x[:256], batch_size=128, epochs=1, verbose=0)  # traces the step
if length == "short":
    calls = []
    for _ in range(10):
        start = time.perf_counter()
        gan.fit(x, batch_size=128, epochs=1, verbose=0)
        calls.append(time.perf_counter() - start)
    print(f"{mode} short: s per 30-step call", " ".join(f"{c:.2f}" for c in calls),
          f"median {np.median(calls):.2f}", flush=True)
else:
    times = Times()
    start = time.perf_counter()
    gan.fit(x, batch_size=128, epochs=3, verbose=0, callbacks=[times])
    total = time.perf_counter() - start
    print(f"{mode} long: epochs", " ".join(f"{e:.2f}" for e in times.epochs),
          f"s; last batch to return {time.perf_counter() - times.last:.2f} s; in all {total:.2f} s",
          flush=True)
