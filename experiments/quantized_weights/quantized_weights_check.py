"""How much storing a generator in float16 or int8 moves the judge's report.

Loads a preset's shipped weights (or a checkpoint), writes its generator as
float32/float16/int8 `.generator.npz` files, loads each into a fresh GAN and
judges all of them on the same protocol (5,000 samples, generation seed 0).

Usage (from the repository root):
    KERASGAN_NO_DOWNLOAD=1 python experiments/quantized_weights/quantized_weights_check.py --preset=dcgan --weights=fashion_mnist
    KERASGAN_NO_DOWNLOAD=1 python experiments/quantized_weights/quantized_weights_check.py --checkpoint=runs/l1_unbounded/checkpoint.keras
"""

import json
import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.getcwd())

from absl import app, flags  # noqa: E402

flags.DEFINE_string("preset", None, "Preset with shipped weights.")
flags.DEFINE_string("weights", None, "Its weights name.")
flags.DEFINE_string("checkpoint", None, "Or a .keras checkpoint.")
flags.DEFINE_integer("num_samples", 5000, "Samples per report.")
flags.DEFINE_string("dataset", "fashion_mnist", "Judge's dataset.")
FLAGS = flags.FLAGS


def main(_):
    import kerasgan
    from kerasgan.gan import GAN
    from kerasgan.zoo import weights as weights_lib

    if FLAGS.checkpoint:
        source = kerasgan.load_gan(FLAGS.checkpoint)
        fresh = lambda: GAN.from_config(source.get_config())  # noqa: E731
    else:
        source = kerasgan.zoo.get(FLAGS.preset, weights=FLAGS.weights)
        overrides = kerasgan.zoo.spec(FLAGS.preset).weights[FLAGS.weights].get("overrides", {})
        fresh = lambda: kerasgan.zoo.get(FLAGS.preset, seed=123, **overrides)  # noqa: E731
    rows = {}
    report = kerasgan.metrics.evaluate(source, FLAGS.dataset, num_samples=FLAGS.num_samples, seed=0)
    rows["source"] = {"bytes": None, **{k: report[k] for k in ("fd", "kid", "classes_covered", "precision", "recall", "coverage")}}
    reference = source.generate(256, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        for storage in ("float32", "float16", "int8"):
            path = os.path.join(tmp, f"{storage}{weights_lib.GENERATOR_SUFFIX}")
            weights_lib.save_generator(source, path, storage=storage)
            gan = fresh()
            if not gan.built:
                gan.build()
            weights_lib.load_generator(gan, path)
            images = gan.generate(256, seed=0)
            report = kerasgan.metrics.evaluate(gan, FLAGS.dataset, num_samples=FLAGS.num_samples, seed=0)
            rows[storage] = {"bytes": os.path.getsize(path),
                             "max_pixel_diff": float(abs(images - reference).max()),
                             **{k: report[k] for k in ("fd", "kid", "classes_covered", "precision", "recall", "coverage")}}
            print(storage, json.dumps(rows[storage]), flush=True)
    print(json.dumps({"source": FLAGS.checkpoint or f"{FLAGS.preset}:{FLAGS.weights}",
                      "backend": os.environ["KERAS_BACKEND"], "rows": rows}, indent=1))


if __name__ == "__main__":
    app.run(main)
