"""A judge's predict() on 5,000 arrays under TensorFlow on the CPU: Keras' pipeline or kerasgan's.

    python experiments/cpu_autotune/judge_predict_ab.py keras|kerasgan

keras: the array goes to Keras' adapter (as if on an accelerator); kerasgan: the default,
`kerasgan.utils.tf_data.cpu_array_batches`. A judge-shaped classifier with random weights,
batches of 500 (its default); seconds per call, eight calls after a first one.
"""

import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasgan import metrics  # noqa: E402
from kerasgan.utils import tf_data  # noqa: E402

mode = sys.argv[1]
if mode == "keras":
    tf_data._accelerator_present = lambda: True
elif mode != "kerasgan":
    raise SystemExit(f"Expected keras or kerasgan. Received: {mode!r}.")
keras.utils.set_random_seed(0)
clf = metrics.DomainClassifier(metrics.build_classifier())
images = np.random.default_rng(0).uniform(0, 1, (5000, 28, 28, 1)).astype("float32")
clf.predict(images)
calls = []
for _ in range(8):
    start = time.perf_counter()
    clf.predict(images)
    calls.append(time.perf_counter() - start)
print(f"{mode}: s per predict() of 5,000 images", " ".join(f"{c:.2f}" for c in calls),
      f"median {np.median(calls):.2f}", flush=True)
