"""Does the step profile's "(input pipeline)" row cost training time? A preset's fit() speed on
`kerasgan.data.load`'s pipeline ("pipe") against one batch of it repeated from memory ("const").

    KERASGAN_NO_DOWNLOAD=1 python experiments/profiles/pipeline_wait_ab.py pipe dcgan

Prints ms per step of three timed 60-step fit() calls after a 10-step warm-up.
"""

import sys
import time

import tensorflow as tf

import kerasgan

mode, preset = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "dcgan")
config = kerasgan.zoo.spec(preset).config
gan = kerasgan.zoo.get(preset, seed=0)
ds = kerasgan.data.load("fashion_mnist", image_shape=gan.image_shape,
                        value_range=tuple(config["value_range"]),
                        batch_size=int(config["batch_size"]), seed=0, repeat=True,
                        labels=bool(getattr(gan, "num_classes", None)))
if mode == "const":
    ds = tf.data.Dataset.from_tensors(next(iter(ds))).repeat()
gan.fit(ds, epochs=1, steps_per_epoch=10, verbose=0)
times = []
for _ in range(3):
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=60, verbose=0)
    times.append((time.perf_counter() - start) / 60 * 1e3)
print(mode, preset, "ms/step", [round(t, 1) for t in times])
