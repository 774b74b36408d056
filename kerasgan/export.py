r"""Exports a GAN's generator as a TensorFlow SavedModel for serving (from TF- or JAX-trained GANs).

Signatures of the SavedModel:
    serving_default(noise: float32[batch, latent_dim]) -> {"images": float32[batch, H, W, C]}
    generate(num_samples: int32[], seed: int64[]) -> {"images": ..., "noise": float32[n, latent_dim]}
A class-conditional GAN (`num_classes`, `conditioning`) takes class ids too:
    serving_default(noise: float32[batch, latent_dim], labels: int32[batch]) -> {"images": ...}
    generate(labels: int32[n], seed: int64[]) -> {"images": ..., "noise": ..., "labels": int32[n]}
Images lie in [0, 1], rescaled from the GAN's `output_range` and clipped exactly
like `GAN.generate`; a GAN with `output_range=None` exports its raw outputs. `generate` draws noise from the GAN's noise distribution
(`"normal"` or `"uniform"`) with TensorFlow stateless random ops: the same seed
gives the same images on every call and every machine.

Example:
    python -m kerasgan.export --checkpoint=runs/mlp/checkpoint.keras --output_dir=runs/mlp/generator
"""

import os
import shutil
import tempfile

from absl import app, flags

SIGNATURES = ("serving_default", "generate")


def export_generator(gan, path, verbose=False, use_ema=None):
    """Writes `gan`'s generator to `path` as a SavedModel, atomically.

    The SavedModel is written into a temporary sibling directory and renamed
    into place only once complete: a failed export leaves an earlier export at
    `path` intact. Works under the TensorFlow and JAX backends (Keras'
    `ExportArchive`, which converts JAX functions with jax2tf).

    Args:
        gan: A built `kerasgan.GAN`.
        path: Destination directory.
        verbose: Let Keras print the endpoints it wrote.
        use_ema: Export the averaged generator (default: when the GAN has
            `ema_decay`); False exports the raw, last-trained weights.

    Returns:
        `path`.

    Example:
    >>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
    >>> kerasgan.export.export_generator(gan, "/tmp/mnist_mlp_generator")
    >>> served = tf.saved_model.load("/tmp/mnist_mlp_generator")
    >>> served.signatures["generate"](num_samples=tf.constant(4), seed=tf.constant(0, tf.int64))
    """
    import keras
    import tensorflow as tf

    from kerasgan import validation

    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    with gan.ema_weights(use_ema):
        # The archive captures the variables' values: the averaged ones inside this block.
        latent_dim = int(gan.latent_dim)
        generator = gan.generator

        conditional = getattr(gan, "conditioning", None) is not None

        def images_from_noise(noise, labels=None):
            inputs = noise if labels is None else [noise, labels]
            images = keras.ops.cast(generator(inputs, training=False), "float32")
            if gan.output_range is None:
                return {"images": images}  # unbounded outputs: raw values, as GAN.generate
            low, high = gan.output_range
            return {"images": keras.ops.clip((images - low) / (high - low), 0.0, 1.0)}

        archive = keras.export.ExportArchive()
        archive.track(generator)
        noise_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="noise")
        labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
        serve = archive.add_endpoint(
            "serving_default", images_from_noise,
            input_signature=[noise_spec, labels_spec] if conditional else [noise_spec],
        )
        uniform = gan.noise == "uniform"

        def draw_noise(num_samples, seed):
            shape = tf.stack([num_samples, latent_dim])
            key = tf.stack([seed, tf.constant(0, tf.int64)])
            if uniform:
                return tf.random.stateless_uniform(shape, key, minval=-1.0, maxval=1.0)
            return tf.random.stateless_normal(shape, key)

        if conditional:
            num_classes = int(gan.num_classes)
            message = validation.labels_out_of_range_message(
                num_classes, "the labels of the generate signature",
                f"Pass class ids 0 to {num_classes - 1}: the model has num_classes={num_classes}.")

            @tf.function(input_signature=[labels_spec, tf.TensorSpec([], tf.int64, name="seed")])
            def generate(labels, seed):
                checks = [
                    tf.debugging.assert_non_negative(labels, message=message),
                    tf.debugging.assert_less(labels, num_classes, message=message),
                ]
                with tf.control_dependencies(checks):
                    labels = tf.identity(labels)
                noise = draw_noise(tf.shape(labels)[0], seed)
                return {"images": serve(noise, labels)["images"], "noise": noise,
                        "labels": labels}
        else:
            @tf.function(input_signature=[tf.TensorSpec([], tf.int32, name="num_samples"),
                                          tf.TensorSpec([], tf.int64, name="seed")])
            def generate(num_samples, seed):
                noise = draw_noise(num_samples, seed)
                return {"images": serve(noise)["images"], "noise": noise}

        generate.get_concrete_function()
        archive.add_endpoint("generate", generate)

        tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.tmp-", dir=parent)
        try:
            archive.write_out(tmp, verbose=verbose)
            _replace_dir(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return path


def _replace_dir(new, path):
    """Moves directory `new` to `path`; an existing `path` is removed only after the move."""
    if not os.path.exists(path):
        os.replace(new, path)
        return
    old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=os.path.dirname(path))
    os.rmdir(old)
    # Two renames: no moment leaves `path` half-written; if the second fails, restore the first.
    os.replace(path, old)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def load_gan(path):
    """Loads a `.keras` GAN checkpoint (`kerasgan.load_gan`: clear errors for missing or corrupt files)."""
    from kerasgan.gan import load_gan as _load_gan

    return _load_gan(path)


def _define_flags():
    # Defined only when run as a script: kerasgan.train defines flags of the same names.
    flags.DEFINE_string("checkpoint", None, "A .keras GAN checkpoint (from python -m kerasgan.train).")
    flags.DEFINE_string("output_dir", None, "Directory the SavedModel is written to (atomically).")
    flags.DEFINE_enum("backend", None, ["tensorflow", "jax"],
                      "Keras backend. Default: $KERAS_BACKEND, else tensorflow.")
    flags.mark_flags_as_required(["checkpoint", "output_dir"])


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    if flags.FLAGS.backend:
        os.environ["KERAS_BACKEND"] = flags.FLAGS.backend
    gan = load_gan(flags.FLAGS.checkpoint)
    export_generator(gan, flags.FLAGS.output_dir)
    print(f"SavedModel: {os.path.abspath(flags.FLAGS.output_dir)}")


if __name__ == "__main__":
    _define_flags()
    app.run(main)
