r"""Chooses the main job's step budget: trains dcgan and judges raw and EMA samples at step marks.

Trains `kerasgan.zoo.get("dcgan", **overrides)` on Fashion-MNIST (TensorFlow with XLA) and, at each
mark, judges 5,000 samples of the raw generator and of an exponential moving average of its
weights (the warm-up rule of `kerasgan.GAN(ema_decay=...)`, applied by a callback so that any
decay can be compared in one run) with `kerasgan.metrics.evaluate`; writes
`<output_dir>/results.json` and a grid per mark.

Example (from the repository root; the runs of 2026-12-01 behind the main job's budget):
    KERAS_BACKEND=tensorflow python -m tools.calibrate_main_job --marks=500,1000,1500,2000 \
        --ema_decay=0.999 --output_dir=runs/calibrate/b128
    KERAS_BACKEND=tensorflow python -m tools.calibrate_main_job --marks=1000 --batch_size=64 \
        --ema_decay=0.995 --output_dir=runs/calibrate/b64
"""

import json
import os
import time

from absl import app, flags

FLAGS = flags.FLAGS


def _define_flags():
    flags.DEFINE_list("marks", ["500", "1000", "1500", "2000"], "Steps at which to judge.")
    flags.DEFINE_integer("batch_size", 128, "Images per step.")
    flags.DEFINE_float("ema_decay", 0.999, "Decay of the averaged generator judged beside the raw one.")
    flags.DEFINE_integer("seed", 0, "Seed of weights, noise and data order.")
    flags.DEFINE_integer("num_samples", 5000, "Samples judged per mark.")
    flags.DEFINE_string("output_dir", "runs/calibrate", "Where results.json and the grids go.")


def main(argv):
    del argv
    import keras
    import numpy as np

    import kerasgan
    from kerasgan.plotting import save_image_grid

    os.makedirs(FLAGS.output_dir, exist_ok=True)
    gan = kerasgan.zoo.get("dcgan", seed=FLAGS.seed, batch_size=FLAGS.batch_size)
    ds = kerasgan.data.load("fashion_mnist", preset="dcgan", batch_size=FLAGS.batch_size,
                            seed=FLAGS.seed, repeat=True)
    generator = gan.generator
    average = [np.array(w) for w in generator.get_weights()]

    class Average(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            t = int(gan.optimizer.iterations)
            decay = min(FLAGS.ema_decay, (1 + t) / (10 + t))
            for a, w in zip(average, generator.get_weights()):
                a *= decay
                a += (1 - decay) * w

    classifier = kerasgan.metrics.load_classifier("fashion_mnist")
    noise = gan.sample_noise(FLAGS.num_samples, seed=FLAGS.seed + 123)
    results, done, seconds = [], 0, 0.0
    for mark in (int(m) for m in FLAGS.marks):
        start = time.time()
        gan.fit(ds, epochs=1, steps_per_epoch=mark - done, verbose=0, callbacks=[Average()])
        seconds += time.time() - start
        done = mark
        row = {"steps": mark, "train_seconds": round(seconds, 1), "load_average": os.getloadavg()}
        live = generator.get_weights()
        for name, weights in (("raw", live), ("ema", average)):
            generator.set_weights(weights)
            images = (generator.predict(noise, batch_size=500, verbose=0) + 1.0) / 2.0
            report = kerasgan.metrics.evaluate(np.clip(images, 0, 1), "fashion_mnist",
                                               classifier=classifier, real_row=False)
            row[name] = {k: report[k] for k in ("fd", "kid", "precision", "recall",
                                                "classes_covered")}
            save_image_grid(images[:64], os.path.join(FLAGS.output_dir, f"{name}_{mark:05d}.png"),
                            title=f"dcgan {name}: step {mark}")
        generator.set_weights(live)
        results.append(row)
        print(json.dumps(row, default=float), flush=True)
    with open(os.path.join(FLAGS.output_dir, "results.json"), "w") as f:
        json.dump({"flags": FLAGS.flag_values_dict(), "rows": results}, f, indent=2, default=float)


if __name__ == "__main__":
    _define_flags()
    app.run(main)
