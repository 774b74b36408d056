r"""Is a domain classifier fit to score GAN samples by entropy? Its protocol check.

The entropy protocol of Karuvally, *A Study into the similarity in generator and discriminator
in GAN architecture*, needs a classifier that is confident on real images and unsure on
noise: test accuracy and mean softmax entropy of real test images, uniform-noise images and
constant gray images (1,000 each).

Example (the cached Fashion-MNIST classifier, and an older file for comparison):
    KERAS_BACKEND=tensorflow .venv/bin/python -m studies.classifier_entropy_check \
        --classifiers=default,/tmp/fashion_mnist_without_outlier_exposure.keras
"""

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags():
    flags.DEFINE_string("dataset", "fashion_mnist", "Dataset of the classifiers.")
    flags.DEFINE_list("classifiers", ["default"],
                      "`.keras` files; `default` = the cached classifier of --dataset.")


def main(argv):
    del argv
    import numpy as np

    from kerasgan import metrics

    x_test, y_test = metrics.real_arrays(FLAGS.dataset, "test")
    noise = metrics.uniform_noise_images(1000, seed=0)
    constant = np.broadcast_to(np.linspace(0.0, 1.0, 1000, dtype="float32")[:, None, None, None],
                               (1000, 28, 28, 1))
    print("| classifier | test accuracy | entropy: test images | uniform noise | constant images |")
    print("|---|---:|---:|---:|---:|")
    for name in FLAGS.classifiers:
        clf = metrics.load_classifier(FLAGS.dataset, path=None if name == "default" else name)
        cells = [f"{clf.accuracy(x_test, y_test):.4f}"]
        cells += [f"{metrics.entropy(clf.predict(x)[0]).mean():.3f}" for x in (x_test, noise, constant)]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"(log 10 = {np.log(10):.3f})")


if __name__ == "__main__":
    define_flags()
    app.run(main)
