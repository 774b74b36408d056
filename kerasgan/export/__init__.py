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

An export directory holds the SavedModel and a marker file, `kerasgan_export.json`. An export
goes only into a new or empty directory, or replaces a directory holding that marker (a
previous export) when asked to (`overwrite=True`); any other directory is refused, never
deleted.

Example:
    python -m kerasgan.export --checkpoint=runs/mlp/checkpoint.keras --output_dir=runs/mlp/generator
"""

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile

__all__ = ["export_generator", "is_export", "load_gan", "MARKER"]

#: The file every export directory holds; only a directory holding it is ever replaced.
MARKER = "kerasgan_export.json"


def is_export(path):
    """True when `path` is a directory written by `export_generator` (it holds `MARKER`)."""
    return os.path.isfile(os.path.join(os.fspath(path), MARKER))


def _check_destination(path, overwrite):
    """Raises FileExistsError unless `path` is absent, an empty directory, or (with
    `overwrite`) a previous export."""
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path) or os.path.islink(path):
        raise FileExistsError(
            f"Expected a new or empty directory for the export. Received: '{path}', which is a "
            "file. Pass another output path.")
    entries = sorted(os.listdir(path))
    if not entries:
        return
    if MARKER in entries:
        if overwrite:
            return
        raise FileExistsError(
            f"Expected a new or empty directory for the export. Received: '{path}', which holds "
            "an earlier kerasgan export. Pass overwrite=True (--overwrite) to replace it, or "
            "another output path.")
    shown = ", ".join(repr(e) for e in entries[:3]) + (", ..." if len(entries) > 3 else "")
    raise FileExistsError(
        f"Expected a new or empty directory for the export. Received: '{path}', which holds "
        f"files that are not a kerasgan export ({shown}); nothing was changed. Pass another "
        f"output path, e.g. '{os.path.join(path, 'generator')}'.")


def export_generator(gan, path, verbose=False, use_ema=None, overwrite=False):
    """Writes `gan`'s generator to `path` as a SavedModel, atomically.

    The SavedModel is written into a temporary sibling directory and moved into
    place only once complete: a failed or killed export leaves an earlier
    export at `path` whole. `path` must be absent, an empty directory, or a
    previous export (a directory holding `MARKER`) with `overwrite=True`; any
    other directory is refused and left untouched. Works under the TensorFlow
    and JAX backends (Keras' `ExportArchive`, which converts JAX functions with
    jax2tf); under torch it raises a ValueError pointing to the ONNX export.

    Args:
        gan: A built `kerasgan.GAN`.
        path: Destination directory.
        verbose: Let Keras print the endpoints it wrote.
        use_ema: Export the averaged generator (default: when the GAN has
            `ema_decay`); False exports the raw, last-trained weights.
        overwrite: Replace a previous export at `path`.

    Returns:
        `path`.

    Raises:
        FileExistsError: `path` is a file, a directory of other files, or a
            previous export without `overwrite=True`.

    Example:
    >>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
    >>> kerasgan.export.export_generator(gan, "/tmp/mnist_mlp_generator")
    >>> served = tf.saved_model.load("/tmp/mnist_mlp_generator")
    >>> served.signatures["generate"](num_samples=tf.constant(4), seed=tf.constant(0, tf.int64))
    """
    import keras
    import tensorflow as tf

    from kerasgan import validation

    if keras.backend.backend() == "torch":
        raise ValueError(
            "Expected the TensorFlow or JAX backend for a SavedModel export. Received: the "
            "'torch' backend, from which Keras writes SavedModels only through torch_xla. Export "
            "ONNX instead (kerasgan.export.onnx.export_onnx, --format=onnx), or export the "
            "checkpoint under TensorFlow (checkpoints load under every backend): "
            "python -m kerasgan.export --backend=tensorflow ..."
        )
    from kerasgan.utils import io

    path = os.path.abspath(os.fspath(path))
    _check_destination(path, overwrite)
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
            _write_marker(tmp, gan, conditional)
            _fsync_tree(tmp)
            _replace_dir(tmp, path, overwrite)
        except BaseException as e:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(e, OSError) and e.errno in io.NO_SPACE:
                raise io.no_space_error(path, e) from e
            raise
    return path


def _write_marker(directory, gan, conditional):
    """Writes `MARKER` (what the directory is and what wrote it) into `directory`."""
    import keras

    info = {
        "format": "kerasgan generator SavedModel",
        "signatures": ["serving_default", "generate"],
        "latent_dim": int(gan.latent_dim),
        "image_shape": [int(d) for d in gan.image_shape],
        "conditional": conditional,
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
    }
    with open(os.path.join(directory, MARKER), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


def _fsync_tree(directory):
    """Flushes every file under `directory` to disk before it is moved into place."""
    for root, _, files in os.walk(directory):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a, b):
    """Swaps directories `a` and `b` in one atomic step (Linux renameat2); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # kernel or file system without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), b)


def _replace_dir(new, path, overwrite):
    """Moves the complete export `new` to `path`.

    An absent or empty `path` is simply replaced. A previous export is swapped
    out in one atomic step where the system allows (else two renames) and then
    removed; it is checked again right before, so a directory that is not an
    export is never removed.
    """
    with contextlib.suppress(FileNotFoundError, OSError):
        if os.path.isdir(path) and not os.listdir(path):
            os.rmdir(path)  # empty: gone only if still empty, so the rename below is atomic
    if not os.path.lexists(path):
        os.rename(new, path)
        return
    _check_destination(path, overwrite)  # again: it may have changed while the export ran
    if _exchange(new, path):
        old = new  # now holds the previous export
    else:
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=os.path.dirname(path))
        os.rmdir(old)
        os.rename(path, old)
        try:
            os.rename(new, path)
        except BaseException:
            os.rename(old, path)
            raise
    if is_export(old):
        shutil.rmtree(old, ignore_errors=True)


def load_gan(path):
    """Loads a `.keras` GAN checkpoint (`kerasgan.load_gan`: clear errors for missing or corrupt files)."""
    from kerasgan.gan import load_gan as _load_gan

    return _load_gan(path)
