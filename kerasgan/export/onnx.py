"""Exports a GAN's generator as an ONNX model, for ONNX Runtime and other ONNX servers.

An export directory holds `generator.onnx` and the marker file `kerasgan_export.json`
(`kerasgan.export.MARKER`, which also lists the inputs and outputs), under the same rules as
the SavedModel export: a new or empty directory, or a previous export with `overwrite=True`.

The model (`ONNX_FILE`):
    inputs:  noise  float32[batch, latent_dim]
             labels int32[batch]            (class ids; class-conditional GANs only)
    outputs: images float32[batch, H, W, C]
Images lie in [0, 1], rescaled from the GAN's `output_range` and clipped exactly like
`GAN.generate` (raw values for `output_range=None`); with `ema_decay` the averaged generator is
exported. Noise is the caller's: draw it from the GAN's distribution (`gan.noise`: N(0, 1) or
U(-1, 1)), e.g. `gan.sample_noise(n, seed)`. A generator trained in mixed precision
(`mixed_bfloat16`, `mixed_float16`; its variables are float32) is exported computing in float32,
since ONNX Runtime's CPU kernels lack bfloat16 for most ops: its images differ from `generate`'s
by that precision's rounding only.

Keras writes the file (`keras.Model.export(format="onnx")`): under TensorFlow with tf2onnx,
under JAX with jax2onnx, under torch with PyTorch's own exporter; each needs the `onnx`
package (`pip install 'kerasgan[onnx]'` installs onnx, onnxruntime and tf2onnx; JAX users add
jax2onnx).

Example:
    python -m kerasgan.export --format=onnx --checkpoint=runs/mlp/checkpoint.keras \
        --output_dir=runs/mlp/onnx
>>> runtime = onnxruntime.InferenceSession("runs/mlp/onnx/generator.onnx")
>>> images, = runtime.run(["images"], {"noise": gan.sample_noise(4, seed=0)})
"""

import contextlib
import json
import os
import shutil
import tempfile
import warnings

#: The ONNX model's file name inside an export directory.
ONNX_FILE = "generator.onnx"
#: The model's input and output names.
NOISE, LABELS, IMAGES = "noise", "labels", "images"
# The converter Keras' ONNX export needs per backend, beside `onnx` (torch: its own exporter).
_CONVERTERS = {"tensorflow": "tf2onnx", "jax": "jax2onnx", "torch": "onnx"}


def _check_converter():
    """Raises ImportError naming the package this backend's ONNX export lacks."""
    import importlib.util

    import keras

    backend = keras.backend.backend()
    needed = dict.fromkeys(["onnx", _CONVERTERS.get(backend, "onnx")])
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(
            f"Expected {' and '.join(missing)} for ONNX export under the {backend} backend. "
            f"Received: an environment without {' and '.join(missing)}. Install them: pip install "
            f"{' '.join(missing)} (or pip install 'kerasgan[onnx]').")


def serving_model(gan):
    """A `keras.Model` `noise (, labels) -> images in [0, 1]` around `gan`'s generator."""
    import keras
    from keras import ops

    noise = keras.Input((int(gan.latent_dim),), dtype="float32", name=NOISE)
    inputs = [noise]
    if getattr(gan, "conditioning", None) is not None:
        inputs.append(keras.Input((), dtype="int32", name=LABELS))
    images = ops.cast(gan.generator(inputs if len(inputs) > 1 else noise, training=False),
                      "float32")
    if gan.output_range is not None:
        low, high = gan.output_range
        images = ops.clip((images - low) / (high - low), 0.0, 1.0)
    return keras.Model(inputs if len(inputs) > 1 else noise, images, name="generator_onnx")


@contextlib.contextmanager
def _float32_compute(model):
    """Runs the block with every layer of `model` (nested models too) computing in float32; puts
    each layer's own dtype policy back afterwards."""
    saved = [(layer, layer.dtype_policy) for layer in _all_layers(model)]
    try:
        for layer, policy in saved:  # quantized layers keep theirs
            if policy.name != "float32" and getattr(policy, "quantization_mode", None) is None:
                layer.dtype_policy = "float32"
        yield
    finally:
        for layer, policy in saved:
            layer.dtype_policy = policy


def _all_layers(model):
    """Every layer `model` tracks, including those a custom layer holds as attributes."""
    return list(model._flatten_layers(include_self=False, recursive=True))


def _compute_dtype(model):
    """The dtype most of `model`'s layers with weights compute in ("float32", "bfloat16", ...)."""
    dtypes = [layer.compute_dtype for layer in _all_layers(model)
              if layer.weights and not hasattr(layer, "layers")]
    return max(set(dtypes), key=dtypes.count) if dtypes else "float32"


def _name_output(path):
    """Names the ONNX model's output `IMAGES` and every input's and output's first axis "batch".

    Each converter names them its own way (`output_0`, `Identity:0`, `unk__26`, ...).
    """
    import onnx

    model = onnx.load(path)
    (output,) = model.graph.output
    old = output.name
    if old != IMAGES:
        for node in model.graph.node:
            node.output[:] = [IMAGES if o == old else o for o in node.output]
            node.input[:] = [IMAGES if i == old else i for i in node.input]
        output.name = IMAGES
    for value in list(model.graph.input) + [output]:
        dims = value.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_param = "batch"
    onnx.save(model, path)
    return model


def export_onnx(gan, path, verbose=False, use_ema=None, overwrite=False, opset=None):
    """Writes `gan`'s generator to the directory `path` as `generator.onnx`, atomically.

    The directory is written beside `path` and moved into place once complete:
    a failed export leaves an earlier one whole. `path` must be absent, an
    empty directory, or a previous export (it holds `MARKER`) with
    `overwrite=True`.

    Args:
        gan: A built `kerasgan.GAN` (image or any other samples).
        path: Destination directory.
        verbose: Let Keras and its converter print what they do.
        use_ema: Export the averaged generator (default: when the GAN has
            `ema_decay`); False exports the raw, last-trained weights.
        overwrite: Replace a previous export at `path`.
        opset: ONNX opset version (default: the converter's).

    Returns:
        The path of the ONNX file.

    Raises:
        FileExistsError: `path` is a file, a directory of other files, or a
            previous export without `overwrite=True`.
        ImportError: The converter this backend needs is not installed.

    Example:
    >>> gan = kerasgan.zoo.get("mnist_mlp", seed=0)
    >>> onnx_path = kerasgan.export.onnx.export_onnx(gan, "/tmp/mnist_mlp_onnx")
    """
    import keras

    from kerasgan import export as export_lib
    from kerasgan.utils import io

    path = os.path.abspath(os.fspath(path))
    export_lib._check_destination(path, overwrite)
    _check_converter()
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    conditional = getattr(gan, "conditioning", None) is not None
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.tmp-", dir=parent)
    try:
        with gan.ema_weights(use_ema), _float32_compute(gan.generator):
            model = serving_model(gan)
            file = os.path.join(tmp, ONNX_FILE)
            specs = [keras.InputSpec(shape=(None, int(gan.latent_dim)), dtype="float32",
                                     name=NOISE)]
            if conditional:
                specs.append(keras.InputSpec(shape=(None,), dtype="int32", name=LABELS))
            with warnings.catch_warnings():
                if not verbose:  # the converters' tracing notes say nothing about this model
                    warnings.simplefilter("ignore")
                model.export(file, format="onnx", verbose=verbose, opset_version=opset,
                             input_signature=[specs] if conditional else specs)
        onnx_model = _name_output(file)
        inputs = [{"name": NOISE, "dtype": "float32", "shape": ["batch", int(gan.latent_dim)]}]
        if conditional:
            inputs.append({"name": LABELS, "dtype": "int32", "shape": ["batch"],
                           "classes": int(gan.num_classes)})
        info = {
            "format": "kerasgan generator ONNX",
            "file": ONNX_FILE,
            "inputs": inputs,
            "outputs": [{"name": IMAGES, "dtype": "float32",
                         "shape": ["batch", *(int(d) for d in gan.image_shape)],
                         "range": [0.0, 1.0] if gan.output_range is not None else None}],
            "noise": gan.noise,
            "opset": max(int(o.version) for o in onnx_model.opset_import
                         if o.domain in ("", "ai.onnx")),
            "latent_dim": int(gan.latent_dim),
            "image_shape": [int(d) for d in gan.image_shape],
            "conditional": conditional,
            "compute_dtype": "float32",
            "trained_compute_dtype": _compute_dtype(gan.generator),
            "backend": keras.backend.backend(),
            "keras_version": keras.__version__,
        }
        with open(os.path.join(tmp, export_lib.MARKER), "w", encoding="utf-8") as f:
            json.dump(info, f, indent=2)
            f.write("\n")
        export_lib._fsync_tree(tmp)
        export_lib._replace_dir(tmp, path, overwrite)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError) and e.errno in io.NO_SPACE:
            raise io.no_space_error(path, e) from e
        raise
    return os.path.join(path, ONNX_FILE)
