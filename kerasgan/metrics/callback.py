"""`ClassifierMetrics`: a Keras callback logging the classifier metrics every N epochs."""

import os

import keras
import numpy as np

from kerasgan import validation
from kerasgan.metrics import scores
from kerasgan.metrics.evaluation import evaluate_images, real_reference

SCALAR_KEYS = ("fd", "fd_real_floor", "kid", "kid_se", "precision", "recall", "density",
               "coverage", "classes_covered", "low_confidence_fraction", "entropy_mean",
               "entropy_std", "classifier_score", "coverage_kl")


class ClassifierMetrics(keras.callbacks.Callback):
    """Logs the judge metrics of generated samples (`kerasgan.metrics.evaluate_images`) every N epochs.

    The values go into the epoch's `logs` dict as `<prefix><name>` (so
    `History`, `CSVLog` placed after this callback, and the progress bar see
    them) and, when `log_dir` is set, to TensorBoard via `tf.summary` (scalars
    plus a sample grid image). Epochs that are skipped log nothing.

    Args:
        classifier: A `kerasgan.metrics.DomainClassifier`, or a dataset name
            (its shipped judge, `load_classifier`).
        reference: A `kerasgan.metrics.RealReference`; default: built from the
            classifier's dataset with `num_samples` images per real sample.
        num_samples: Generated images per evaluation.
        every: Evaluate every `every` epochs (and never on others).
        seed: Noise seed of the generated images (fixed, so epochs compare).
        log_dir: TensorBoard directory; None skips TensorBoard.
        prefix: Prefix of the log keys.
        grid_samples: Images in the TensorBoard sample grid.
        min_fraction, min_confidence: Class coverage thresholds (see
            `kerasgan.metrics.mode_coverage`).

    Example:
    >>> cb = kerasgan.metrics.ClassifierMetrics("fashion_mnist", every=5, log_dir="runs/tb")
    >>> history = gan.fit(ds, epochs=20, callbacks=[cb])
    >>> history.history["eval_fd"], history.history["eval_kid"]

    Reference: Salimans et al., Improved Techniques for Training GANs, 2016;
    Heusel et al., GANs Trained by a Two Time-Scale Update Rule, 2017;
    Binkowski et al., 2018 (KID); Kynkaanniemi et al., 2019; Naeem et al., 2020.
    """

    def __init__(self, classifier="fashion_mnist", reference=None, num_samples=1000, every=1,
                 seed=0, log_dir=None, prefix="eval_", grid_samples=64,
                 min_fraction=scores.DEFAULT_MIN_FRACTION,
                 min_confidence=scores.DEFAULT_MIN_CONFIDENCE):
        super().__init__()
        validation.check_positive_int("every", every,
                                      fix="Pass every=1 to evaluate after each epoch.")
        self._classifier = classifier
        self.reference = reference
        self.num_samples = int(num_samples)
        self.every = int(every)
        self.seed = seed
        self.log_dir = log_dir
        self.prefix = prefix
        self.grid_samples = int(grid_samples)
        self.min_fraction = min_fraction
        self.min_confidence = min_confidence
        self.results = []  # (epoch, metrics dict) of every evaluation
        self._writer = None

    @property
    def classifier(self):
        if isinstance(self._classifier, str):
            from kerasgan.metrics.judges import load_classifier

            self._classifier = load_classifier(self._classifier)
        return self._classifier

    def evaluate(self):
        """The metrics of the model's current generator (a dict)."""
        if self.reference is None:
            self.reference = real_reference(self.classifier, num_samples=self.num_samples,
                                            seed=0, min_fraction=self.min_fraction,
                                            min_confidence=self.min_confidence, real_row=False)
        images = self.model.generate(self.num_samples, seed=self.seed)
        metrics = evaluate_images(images, self.classifier, self.reference,
                                  min_fraction=self.min_fraction, min_confidence=self.min_confidence)
        return metrics, images

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        metrics, images = self.evaluate()
        self.results.append((epoch + 1, metrics))
        if logs is not None:
            for key in SCALAR_KEYS:
                if key in metrics:
                    logs[self.prefix + key] = float(metrics[key])
        if self.log_dir:
            self._write_tensorboard(epoch + 1, metrics, images)

    def _write_tensorboard(self, epoch, metrics, images):
        import tensorflow as tf

        from kerasgan.plotting import image_grid

        if self._writer is None:
            os.makedirs(self.log_dir, exist_ok=True)
            self._writer = tf.summary.create_file_writer(self.log_dir)
        step = int(self.model.optimizer.iterations)
        grid = image_grid(images[: self.grid_samples])
        if grid.shape[-1] == 1:
            grid = np.repeat(grid, 3, axis=-1)
        # tf.summary.scalar/image need the tensorboard package; tf.summary.write with the
        # plugins' metadata writes the same records with TensorFlow alone.
        with self._writer.as_default(step=step):
            for key in SCALAR_KEYS:
                if key in metrics:
                    tf.summary.write(self.prefix + key, tf.constant(float(metrics[key]), tf.float32),
                                     metadata=_metadata("scalars"))
            tf.summary.write(self.prefix + "epoch", tf.constant(float(epoch), tf.float32),
                             metadata=_metadata("scalars"))
            png = tf.image.encode_png(tf.constant(np.round(grid * 255).astype("uint8")))
            h, w = grid.shape[:2]
            tf.summary.write(self.prefix + "samples", tf.stack([tf.as_string(w), tf.as_string(h), png]),
                             metadata=_metadata("images"))
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _metadata(plugin):
    from tensorflow.core.framework import summary_pb2

    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name = plugin
    return meta.SerializeToString()
