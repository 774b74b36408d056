r"""Seed 003's protocol check for domain classifiers: test accuracy and mean softmax entropy of
real test images, uniform-noise images and constant gray images (1,000 each).

Example (the cached Fashion-MNIST classifier, and an older file for comparison):
    KERAS_BACKEND=tensorflow .venv/bin/python tools/classifier_entropy_check.py \
        --classifiers=default,/tmp/fashion_mnist_without_outlier_exposure.keras
"""

import os

from absl import app, flags

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_DATASET = flags.DEFINE_string("dataset", "fashion_mnist", "Dataset of the classifiers.")
_CLASSIFIERS = flags.DEFINE_list("classifiers", ["default"],
                                 "`.keras` files; `default` = the cached classifier of --dataset.")


def main(argv):
    del argv
    import numpy as np

    from kerasgan import metrics

    x_test, y_test = metrics.real_arrays(_DATASET.value, "test")
    noise = metrics.uniform_noise_images(1000, seed=0)
    constant = np.broadcast_to(np.linspace(0.0, 1.0, 1000, dtype="float32")[:, None, None, None],
                               (1000, 28, 28, 1))
    print("| classifier | test accuracy | entropy: test images | uniform noise | constant images |")
    print("|---|---:|---:|---:|---:|")
    for name in _CLASSIFIERS.value:
        clf = metrics.load_classifier(_DATASET.value, path=None if name == "default" else name)
        cells = [f"{clf.accuracy(x_test, y_test):.4f}"]
        cells += [f"{metrics.entropy(clf.predict(x)[0]).mean():.3f}" for x in (x_test, noise, constant)]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"(log 10 = {np.log(10):.3f})")


if __name__ == "__main__":
    app.run(main)
