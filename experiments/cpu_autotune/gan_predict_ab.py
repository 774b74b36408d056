"""A GAN's predict() of 5,000 noise vectors under TensorFlow on the CPU: Keras' pipeline or
kerasgan's.

    python experiments/cpu_autotune/gan_predict_ab.py keras|kerasgan

keras: the array goes to Keras' adapter (as if on an accelerator); kerasgan: the default,
`kerasgan.utils.tf_data.predict_batches`. The dcgan preset's generator (untrained), Keras'
default batches of 32; seconds per call, eight calls after a first one.
"""

import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERASGAN_NO_DOWNLOAD", "1")

import numpy as np  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan.utils import tf_data  # noqa: E402

mode = sys.argv[1]
if mode == "keras":
    tf_data._accelerator_present = lambda: True
elif mode != "kerasgan":
    raise SystemExit(f"Expected keras or kerasgan. Received: {mode!r}.")
gan = kerasgan.zoo.get("dcgan", seed=0)
noise = gan.sample_noise(5000, seed=0)
gan.predict(noise, verbose=0)
calls = []
for _ in range(8):
    start = time.perf_counter()
    gan.predict(noise, verbose=0)
    calls.append(time.perf_counter() - start)
print(f"{mode}: s per predict() of 5,000 noise vectors", " ".join(f"{c:.2f}" for c in calls),
      f"median {np.median(calls):.2f}", flush=True)
