"""cdcgan with the projection discriminator's features pooled three ways (global sum, mean, flatten):
judge accuracy by requested class every 250 steps, then the full report (5,000 samples).

usage: python -m studies.cdcgan_pooling ARM STEPS SEED      ARM: sum | mean | flatten
writes studies/results/cdcgan_pooling/<ARM>_s<SEED>.json (run with KERAS_BACKEND=jax or tensorflow)
"""
import json
import os
import sys
import time

import keras
import numpy as np

import kerasgan
from kerasgan import metrics

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "cdcgan_pooling")


def main(arm, steps, seed):
    keras.utils.set_random_seed(seed)
    discriminator = {"name": "conditional_dcgan", "num_classes": 10, "base_filters": 64,
                     "conditioning": "projection", "spectral_norm": False, "pooling": arm}
    gan = kerasgan.zoo.get("cdcgan", seed=seed, discriminator=discriminator)
    ds = kerasgan.data.load("fashion_mnist", preset="cdcgan", repeat=True, seed=seed)
    clf = metrics.load_classifier("fashion_mnist")
    labels = np.repeat(np.arange(10), 100)
    rows, start = [], time.time()
    for chunk in range(steps // 250):
        history = gan.fit(ds, steps_per_epoch=250, epochs=1, verbose=0)
        probs, _ = clf.predict(gan.generate(1000, labels=labels, seed=1))
        rows.append(dict(step=(chunk + 1) * 250, s=round(time.time() - start),
                         acc=float((probs.argmax(1) == labels).mean()),
                         d_loss=float(history.history["d_loss"][-1]),
                         g_loss=float(history.history["g_loss"][-1])))
        print(arm, rows[-1], flush=True)
    report = metrics.evaluate(gan, "fashion_mnist", num_samples=5000)
    keep = {k: float(report[k]) for k in ("fd", "kid", "precision", "recall", "density", "coverage",
                                          "classes_covered", "conditional_accuracy")}
    print(arm, "FINAL", json.dumps(keep), flush=True)
    os.makedirs(OUT, exist_ok=True)
    result = dict(arm=arm, seed=seed, steps=steps, backend=keras.backend.backend(), rows=rows,
                  report=keep, command=f"python -m studies.cdcgan_pooling {arm} {steps} {seed}")
    with open(os.path.join(OUT, f"{arm}_s{seed}.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
