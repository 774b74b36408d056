r"""Writes a training checkpoint as shippable weights and prints the preset entry to list.

`.weights.h5`: both networks (and EMA averages), no optimizer state.
`.generator.npz`: the generator alone as `generate()` uses it, in `--storage`
float32, float16 or int8 (`kerasgan.zoo.weights.save_generator`).
The output is written atomically; an existing file is refused unless
`--overwrite`, and then replaced only by a complete new one.

Example (from the repository root):
    python -m tools.ship_weights --checkpoint=runs/dcgan/checkpoint.keras \
        --output=kerasgan/zoo/weights/dcgan-fashion_mnist.weights.h5
    python -m tools.ship_weights --checkpoint=runs/l1_unbounded/checkpoint.keras \
        --output=kerasgan/zoo/weights/l1_unbounded-fashion_mnist.generator.npz --storage=int8
"""

import json
import os

from absl import app, flags

FLAGS = flags.FLAGS


def _define_flags():
    # Defined only when run as a program, so tests can import this module next to others.
    flags.DEFINE_string("checkpoint", None, "A .keras GAN checkpoint (kerasgan.train writes one).")
    flags.DEFINE_string("output", None, "Destination ending in .weights.h5 or .generator.npz.")
    flags.DEFINE_enum("storage", "float32", ["float32", "float16", "int8"],
                      "How a .generator.npz stores float matrices and kernels.")
    flags.DEFINE_bool("overwrite", False, "Replace --output if it exists (otherwise refused).")
    flags.mark_flags_as_required(["checkpoint", "output"])


def ship(checkpoint, output, storage="float32", overwrite=False):
    """Writes `checkpoint`'s networks to `output`; returns `{"file", "sha256", "bytes", "step"}`.

    An existing `output` is refused (FileExistsError) unless `overwrite`.
    """
    import kerasgan
    from kerasgan.gan import GAN
    from kerasgan.utils.io import atomic_path
    from kerasgan.zoo import weights as weights_lib
    from tools.outputs import refuse_existing

    output = os.fspath(output)
    h5 = output.endswith(".weights.h5")
    if not h5 and not output.endswith(weights_lib.GENERATOR_SUFFIX):
        raise ValueError(
            f"Expected --output ending in .weights.h5 or {weights_lib.GENERATOR_SUFFIX}. "
            f"Received: {output!r}.")
    if h5 and storage != "float32":
        raise ValueError(
            f"Expected --storage=float32 for a .weights.h5 file (it stores the variables' own "
            f"dtype). Received: --storage={storage}. Use a {weights_lib.GENERATOR_SUFFIX} output "
            "for float16 or int8.")
    refuse_existing(output, overwrite)
    source = kerasgan.load_gan(checkpoint)
    step = int(source.optimizer.iterations) if getattr(source, "optimizer", None) else None
    if h5:
        # A fresh GAN of the same config holds the networks without the optimizers' state.
        networks = GAN.from_config(source.get_config())
        networks.set_weights(source.get_weights())
        with atomic_path(output, suffix=".weights.h5") as tmp:  # Keras checks the suffix
            networks.save_weights(tmp)
        digest = weights_lib.sha256(output)
    else:
        digest = weights_lib.save_generator(source, output, storage=storage)
    return {"file": os.path.basename(output), "sha256": digest,
            "bytes": os.path.getsize(output), "step": step}


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    result = ship(FLAGS.checkpoint, FLAGS.output, FLAGS.storage, FLAGS.overwrite)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _define_flags()
    app.run(main)
