r"""`python -m kerasgan.export`: writes a checkpoint's generator as a SavedModel or an ONNX model.

Example:
    python -m kerasgan.export --checkpoint=runs/mlp/checkpoint.keras --output_dir=runs/mlp/generator
    python -m kerasgan.export --format=onnx --checkpoint=runs/mlp/checkpoint.keras \
        --output_dir=runs/mlp/onnx
    python -m kerasgan.export --checkpoint=runs/mlp/checkpoint.keras --output_dir=runs/mlp/generator \
        --overwrite

--output_dir must be new or empty, or a previous export (replaced only with --overwrite).
The flags are defined only when this module runs as the program (or by `define_flags()`).
"""

import os
import sys

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags(flag_values=FLAGS):
    """Defines the export command's flags on `flag_values`."""
    fv = dict(flag_values=flag_values)
    flags.DEFINE_string("checkpoint", None,
                        "A .keras GAN checkpoint (from python -m kerasgan.train).", **fv)
    flags.DEFINE_string(
        "output_dir", None,
        "Directory the SavedModel is written to (atomically): new or empty, or a previous "
        "export with --overwrite.", **fv)
    flags.DEFINE_bool(
        "overwrite", False,
        "Replace a previous export at --output_dir (a directory holding kerasgan_export.json). "
        "Other directories are never replaced.", **fv)
    flags.DEFINE_enum(
        "format", "savedmodel", ["savedmodel", "onnx"],
        "savedmodel: a TensorFlow SavedModel (kerasgan.export.export_generator); onnx: "
        "generator.onnx with inputs noise (and labels) and output images "
        "(kerasgan.export.onnx.export_onnx).", **fv)
    flags.DEFINE_enum("backend", None, ["tensorflow", "jax", "torch"],
                      "Keras backend. Default: $KERAS_BACKEND, else tensorflow.", **fv)
    flags.mark_flags_as_required(["checkpoint", "output_dir"], **fv)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    import keras

    if FLAGS.backend and keras.backend.backend() != FLAGS.backend:
        # The backend is fixed when keras is first imported: start again with it set.
        env = dict(os.environ, KERAS_BACKEND=FLAGS.backend)
        os.execve(sys.executable, [sys.executable, "-m", "kerasgan.export", *sys.argv[1:]], env)
    return run(FLAGS)


def run(flag_values):
    """Exports `--checkpoint` to `--output_dir`; returns the exit status (1: refused)."""
    from kerasgan import export

    f = flag_values
    try:
        # Refused before the checkpoint loads: the answer does not depend on it.
        export._check_destination(os.path.abspath(f.output_dir), f.overwrite)
        gan = export.load_gan(f.checkpoint)
        if f.format == "onnx":
            from kerasgan.export import onnx

            path = onnx.export_onnx(gan, f.output_dir, overwrite=f.overwrite)
        else:
            path = export.export_generator(gan, f.output_dir, overwrite=f.overwrite)
    except (FileExistsError, FileNotFoundError, ImportError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{'ONNX' if f.format == 'onnx' else 'SavedModel'}: {path}")
    return 0


if __name__ == "__main__":
    define_flags()
    app.run(main)
