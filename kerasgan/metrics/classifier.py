r"""Training the judge classifiers, and its command line.

Nothing is trained at first use: the shipped judges (`kerasgan.metrics.judges`)
were trained by an explicit command, e.g.

    python -m kerasgan.metrics.classifier --judge=fashion_mnist --seed=0 \
        --output=/tmp/fashion_mnist_classifier.weights.h5

which writes the weights and, beside them, the JSON metadata (sha256, test
accuracy, the training command, backend and versions, the data protocol).

Data protocol. Fashion-MNIST: the train split's first 55,000 images train, its
last 5,000 validate (early stopping); accuracy on the 10,000-image test split.
MNIST: when only the 10,000-image test split exists (the data README's
situation), its first 5,000 images train the classifier (their last 500
validate) and its last 5,000 are the test set (`split="holdout_train"` /
`"holdout_test"` in `real_arrays`); with the full 60,000-image train split
present, the standard split is used.

The judge's network, table, files and real data live in
`kerasgan.metrics.domain_classifier`, `kerasgan.metrics.judges` and
`kerasgan.metrics.real_data`; their names are importable from here too.
"""

import json
import os
import platform
import sys
import time

import numpy as np

from kerasgan.metrics.domain_classifier import (  # noqa: F401 - re-exported
    ARCHITECTURE_KEYS,
    FEATURE_LAYER,
    INPUT_SHAPE,
    NUM_CLASSES,
    DomainClassifier,
    build_classifier,
    prepare_images,
)
from kerasgan.metrics.judges import (  # noqa: F401 - re-exported
    JUDGES,
    WEIGHTS_DIR,
    WEIGHTS_SUFFIX,
    canonical_name,
    classifier_path,
    judge_name,
    load_classifier,
    metadata_path,
    save_classifier,
    shipped_judges,
)
from kerasgan.metrics.real_data import real_arrays  # noqa: F401 - re-exported
from kerasgan.utils.io import file_sha256  # noqa: F401 - re-exported

# Per-dataset training recipes: two 3x3 conv+maxpool blocks (32, 64 filters), a 256-unit
# ReLU feature layer, dropout 0.5, 10 logits; Adam. SPEC.md's reference MNIST classifier
# (5x5 kernels, 1,024 features, Adam 1e-4) is 4x larger (13 MB of weights) and ~3x slower
# per image on CPU; the compact layout keeps the shipped files at 3.3 MB, the feature space
# small enough for a well-conditioned Frechet distance and fast k-NN metrics, and MNIST's
# 4,500 training images (only its test split exists here) would not fit 3.2M weights better.
# `outlier_exposure`: synthetic non-images (uniform noise, constant gray images), as a fraction
# of the training set, trained towards the uniform class distribution (Hendrycks et al., Deep
# Anomaly Detection with Outlier Exposure, 2019). Without it the Fashion-MNIST classifier calls
# uniform noise "bag" with confidence (mean entropy 0.43 instead of ~2.1 for Karuvally's MNIST
# classifier) and constant gray images one class (0.24; an untrained generator's near-constant
# output 0.04), below real data's 0.16, so the entropy metric would rank garbage above real data
# (tools/classifier_entropy_check.py).
RECIPES = {
    "mnist": dict(kernel_size=3, filters=(32, 64), feature_units=256, learning_rate=1e-3,
                  batch_size=64, epochs=40, target_accuracy=0.975, stop_at_val_accuracy=0.99,
                  outlier_exposure=0.1),
    "fashion_mnist": dict(kernel_size=3, filters=(32, 64), feature_units=256, learning_rate=1e-3,
                          batch_size=128, epochs=12, target_accuracy=0.91, stop_at_val_accuracy=0.92,
                          outlier_exposure=0.1),
    # The second Fashion-MNIST judge: another architecture (5x5 kernels, three conv stages, a
    # 128-unit feature layer, dropout 0.3) and seed, on the same data protocol. About as many
    # multiply-adds per image as the first (5.4M vs 4.6M), a sixth of its weights (140k).
    "fashion_mnist_b": dict(kernel_size=5, filters=(16, 32, 64), feature_units=128, dropout=0.3,
                            learning_rate=1e-3, batch_size=128, epochs=15, target_accuracy=0.90,
                            stop_at_val_accuracy=0.92, outlier_exposure=0.1),
    # The second MNIST judge: fashion_mnist_b's architecture on the MNIST judge's data protocol.
    "mnist_b": dict(kernel_size=5, filters=(16, 32, 64), feature_units=128, dropout=0.3,
                    learning_rate=1e-3, batch_size=64, epochs=40, target_accuracy=0.975,
                    stop_at_val_accuracy=0.99, outlier_exposure=0.1),
}


def outlier_images(num_samples, seed=0):
    """Synthetic non-images for outlier exposure: half U(0, 1) noise, half constant gray levels.

    Example:
    >>> x = kerasgan.metrics.classifier.outlier_images(1000)
    """
    rng = np.random.default_rng(seed)
    n_noise = int(num_samples) // 2
    noise = rng.uniform(0.0, 1.0, (n_noise,) + INPUT_SHAPE)
    levels = rng.uniform(0.0, 1.0, (int(num_samples) - n_noise, 1, 1, 1))
    constant = np.broadcast_to(levels, (len(levels),) + INPUT_SHAPE)
    return np.concatenate([noise, constant]).astype("float32")


def _versions():
    import keras

    backend = keras.backend.backend()
    versions = {"python": platform.python_version(), "keras": keras.__version__,
                "numpy": np.__version__, "machine": platform.machine()}
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    if module and module in sys.modules:
        versions[module] = getattr(sys.modules[module], "__version__", None)
    return backend, versions


def _protocol_text(key, n_fit, n_val, n_test, n_outliers, holdout, stop_at):
    stop = f"training stops once validation accuracy reaches {stop_at}" if stop_at and n_val else (
        "no early stopping")
    if holdout:
        text = (f"MNIST test split only (10,000 images; no train split on this machine): the first "
                f"5,000 ('holdout_train') train the classifier ({n_fit:,} fit, the last {n_val:,} "
                f"validate; {stop}); accuracy on the last {n_test:,} ('holdout_test'), never used "
                f"for training or stopping")
    else:
        text = (f"train split: {n_fit:,} fit, the last {n_val:,} validate ({stop}); accuracy on "
                f"the {n_test:,}-image test split, never used for training or stopping")
    if n_outliers:
        text += (f"; outlier exposure: {n_outliers:,} synthetic images (half U(0, 1) noise, half "
                 f"constant gray) trained towards uniform class probabilities")
    return text


def train_classifier(dataset="fashion_mnist", path=None, epochs=None, batch_size=None,
                     learning_rate=None, seed=None, limit=None, data_dir=None, target_accuracy=None,
                     verbose=2, resume=False, outlier_exposure=None, command=None, **architecture):
    """Trains the domain classifier of `dataset`; saves it when `path` is given; returns it.

    Training stops early once the validation accuracy reaches the recipe's
    `stop_at_val_accuracy` (validation: the last 5,000 training images; for
    MNIST holdout data, the last 500 of the 5,000 training images); the stop
    level sits above `target_accuracy` so that the test accuracy clears it.
    The reported `test_accuracy` is measured on the test split, never used for
    training or stopping.

    Args:
        dataset: A judge's name: "fashion_mnist", "mnist", or a second judge
            ("fashion_mnist_b", "mnist_b"); its recipe (`RECIPES`), seed and
            dataset (`JUDGES`) are the defaults.
        path: Destination `.weights.h5` file (metadata goes beside it as
            `.json`); None trains without saving.
        epochs, batch_size, learning_rate, target_accuracy, outlier_exposure: Override
            the recipe (`outlier_exposure`: synthetic outliers as a fraction of the
            training set, trained towards uniform class probabilities; see `RECIPES`).
        seed: Weight init and shuffling seed (default: the judge's, see `JUDGES`).
        limit: Train on the first `limit` images only (tests, quick runs).
        data_dir: Directory holding the dataset's IDX files.
        verbose: Keras fit verbosity.
        resume: Continue training the classifier already saved at `path` (its
            recorded epochs are added up) instead of starting from scratch.
        command: The command line recorded in the metadata (default: this call).
        **architecture: `build_classifier` arguments overriding the recipe.

    Example:
    >>> clf = kerasgan.metrics.train_classifier("mnist", path="/tmp/mnist_classifier.weights.h5")
    >>> clf.info["test_accuracy"]
    >>> second = kerasgan.metrics.train_classifier(
    ...     "fashion_mnist_b", path="/tmp/fashion_mnist_b_classifier.weights.h5")

    Reference: Karuvally, A Study into the similarity in generator and
    discriminator in GAN architecture (a 99.23% MNIST classifier, section 6.1.1).
    """
    import keras

    if path is not None:
        metadata_path(path)  # validates the suffix before minutes of training
    name = canonical_name(dataset)
    judge = JUDGES.get(name)
    key = judge["dataset"] if judge else name  # the data it judges
    data = key if judge else dataset
    seed = int(seed if seed is not None else (judge or {}).get("seed", 0))
    recipe = dict(RECIPES.get(name, RECIPES["fashion_mnist"]))
    overrides = {"epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
                 "target_accuracy": target_accuracy, "outlier_exposure": outlier_exposure}
    recipe.update({k: v for k, v in overrides.items() if v is not None})
    arch = {k: recipe.pop(k) for k in ARCHITECTURE_KEYS if k in recipe}
    arch.update(architecture)
    arch["filters"] = [int(v) for v in arch["filters"]]
    arch.setdefault("dropout", 0.5)
    # The recorded recipe names the conv and feature layers too (as the shipped JSON files do).
    recipe.update({k: v for k, v in arch.items() if k != "dropout"})

    x_train, y_train, train_split = real_arrays(data, "train", data_dir=data_dir, with_split=True)
    x_test, y_test, test_split = real_arrays(data, "test", data_dir=data_dir, with_split=True)
    holdout = train_split.startswith("holdout_")
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    n_val = min(5000, len(x_train) // 10) if len(x_train) > 1000 else 0
    x_val, y_val = x_train[len(x_train) - n_val :], y_train[len(y_train) - n_val :]
    x_fit, y_fit = x_train[: len(x_train) - n_val], y_train[: len(y_train) - n_val]

    y_fit = np.eye(NUM_CLASSES, dtype="float32")[np.asarray(y_fit, dtype="int64")]
    y_val = np.eye(NUM_CLASSES, dtype="float32")[np.asarray(y_val, dtype="int64")]
    n_outliers = int(round(float(recipe.get("outlier_exposure", 0.0)) * len(x_fit)))
    if n_outliers:
        x_fit = np.concatenate([np.asarray(x_fit, "float32"), outlier_images(n_outliers, seed + 1)])
        y_fit = np.concatenate([y_fit, np.full((n_outliers, NUM_CLASSES), 1.0 / NUM_CLASSES,
                                               "float32")])

    keras.utils.set_random_seed(int(seed))
    previous_epochs = 0
    if resume and path and os.path.exists(path):
        previous = load_classifier(name, path=path)
        model, previous_epochs = previous.model, int(previous.info.get("epochs_run", 0))
    else:
        model = build_classifier(**arch)
    model.compile(
        optimizer=keras.optimizers.Adam(recipe["learning_rate"]),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    callbacks = []
    target = recipe.get("target_accuracy")
    stop_at = recipe.get("stop_at_val_accuracy", target)
    if n_val and stop_at:
        callbacks.append(_StopAtAccuracy(stop_at))
    start = time.time()
    history = model.fit(
        x_fit, y_fit, batch_size=recipe["batch_size"], epochs=int(recipe["epochs"]),
        validation_data=(x_val, y_val) if n_val else None, shuffle=True, verbose=verbose,
        callbacks=callbacks,
    )
    seconds = time.time() - start
    clf = DomainClassifier(model)
    from kerasgan.metrics.scores import entropy

    # Protocol check: real test images near 0 entropy, uniform noise near log 10.
    test_probs, _ = clf.predict(x_test)
    test_accuracy = float((test_probs.argmax(axis=1) == y_test).mean())
    noise_probs, _ = clf.predict(
        np.random.default_rng(0).uniform(0.0, 1.0, (1000,) + INPUT_SHAPE).astype("float32"))
    backend, versions = _versions()
    if command is None:
        args = [f"{dataset!r}", f"seed={seed}"] + [
            f"{k}={v!r}" for k, v in {**overrides, "limit": limit, **architecture}.items()
            if v is not None]
        command = f"kerasgan.metrics.train_classifier({', '.join(args)}, path=...)"
    clf.info = {
        **({"judge": name} if judge and name != key else {}),
        "dataset": key,
        "test_accuracy": test_accuracy,
        "test_examples": int(len(x_test)),
        "test_split": test_split,
        "train_examples": int(len(x_fit) - n_outliers),
        "outlier_examples": n_outliers,
        "validation_examples": int(n_val),
        "protocol": _protocol_text(key, len(x_fit) - n_outliers, n_val, len(x_test), n_outliers,
                                   holdout, stop_at),
        "training_command": command,
        "epochs_run": previous_epochs + len(history.history.get("loss", [])),
        "resumed_after_epochs": previous_epochs if resume else None,
        "train_seconds": round(seconds, 1),
        "recipe": {**recipe, "filters": list(arch["filters"])},
        "architecture": {**arch, "dropout": float(arch["dropout"])},
        "feature_layer": FEATURE_LAYER,
        "feature_dim": int(model.get_layer(FEATURE_LAYER).output.shape[-1]),
        "seed": seed,
        "backend": backend,
        "versions": versions,
        "target_accuracy": target,
        "meets_target": bool(target is None or test_accuracy >= target),
        "test_entropy_mean": float(entropy(test_probs).mean()),
        "uniform_noise_entropy_mean": float(entropy(noise_probs).mean()),
    }
    if path:
        save_classifier(clf, path)
    return clf


class _StopAtAccuracy:
    """Stops `fit` once `val_accuracy` reaches the target (built lazily to import keras late)."""

    def __new__(cls, target):
        import keras

        class StopAtAccuracy(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if (logs or {}).get("val_accuracy", 0.0) >= target:
                    self.model.stop_training = True

        return StopAtAccuracy()


def _main(argv):
    from absl import flags

    f = flags.FLAGS
    if len(argv) > 1:
        raise SystemExit(f"Unexpected arguments: {argv[1:]}")
    import keras

    command = " ".join([f"KERAS_BACKEND={keras.backend.backend()}",
                        "python -m kerasgan.metrics.classifier"] + sys.argv[1:])
    clf = train_classifier(
        f.judge or f.dataset, path=f.output, epochs=f.epochs, learning_rate=f.learning_rate,
        seed=f.seed, limit=f.limit, data_dir=f.data_dir, target_accuracy=f.target_accuracy,
        resume=f.resume, command=command,
    )
    print(json.dumps(clf.info, indent=2))
    print(f"Saved: {f.output}")


def _define_flags():
    from absl import flags

    flags.DEFINE_string("judge", None, "A judge's name (its recipe, seed and dataset): "
                        + ", ".join(JUDGES) + ". Default: --dataset's first judge.")
    flags.DEFINE_string("dataset", "fashion_mnist", "fashion_mnist or mnist (its first judge).")
    flags.DEFINE_string("output", None, f"Destination {WEIGHTS_SUFFIX} file (metadata goes beside it "
                        "as .json). The shipped judges live in kerasgan/metrics/weights/.")
    flags.DEFINE_string("data_dir", None, "Directory with the dataset's IDX files.")
    flags.DEFINE_integer("epochs", None, "Maximum epochs (default: the dataset's recipe).")
    flags.DEFINE_float("learning_rate", None, "Adam learning rate (default: the recipe's).")
    flags.DEFINE_float("target_accuracy", None, "Test accuracy the run is checked against.")
    flags.DEFINE_integer("seed", None, "Seed (default: the judge's, see JUDGES).")
    flags.DEFINE_integer("limit", None, "Train on the first N images only.")
    flags.DEFINE_bool("resume", False, "Continue training the classifier saved at --output.")
    flags.mark_flag_as_required("output")


if __name__ == "__main__":
    from absl import app

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _define_flags()
    app.run(_main)
