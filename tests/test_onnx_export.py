"""ONNX export of the generator: ONNX Runtime reproduces `GAN.generate`, under every backend.

Keras exports ONNX under TensorFlow (tf2onnx), JAX (jax2onnx) and torch (PyTorch's exporter).
The tests skip, naming the package, where the backend's converter or onnxruntime is missing
(`pip install -e '.[onnx]'`; JAX also needs jax2onnx).
"""

import importlib.util
import json
import os

import keras
import numpy as np
import pytest

import kerasgan
from conftest import random_images, tiny_mlp_gan
from kerasgan.export import MARKER
from kerasgan.export import onnx as export_onnx

_NEEDED = ["onnx", "onnxruntime", export_onnx._CONVERTERS[keras.backend.backend()]]
_MISSING = [name for name in dict.fromkeys(_NEEDED) if importlib.util.find_spec(name) is None]
pytestmark = pytest.mark.skipif(
    bool(_MISSING), reason=f"ONNX export under {keras.backend.backend()} needs "
    f"{', '.join(_MISSING)} (pip install {' '.join(_MISSING)})")


def _session(path):
    import onnxruntime

    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])


def _signature(session):
    inputs = [(i.name, i.type, list(i.shape)) for i in session.get_inputs()]
    outputs = [(o.name, o.type, list(o.shape)) for o in session.get_outputs()]
    return inputs, outputs


def test_unconditional_generator_reproduces_generate_with_ema(tmp_path):
    gan = tiny_mlp_gan(ema_decay=0.9)
    gan.compile()
    gan.fit(random_images(8), batch_size=4, epochs=1, verbose=0)  # EMA now differs from raw
    path = export_onnx.export_onnx(gan, tmp_path / "onnx")
    assert path == os.path.join(str(tmp_path / "onnx"), export_onnx.ONNX_FILE)
    session = _session(path)
    inputs, outputs = _signature(session)
    assert inputs == [("noise", "tensor(float)", ["batch", 8])]
    assert outputs == [("images", "tensor(float)", ["batch", 4, 4, 1])]
    noise = gan.sample_noise(5, seed=0)
    (images,) = session.run(["images"], {"noise": noise})
    np.testing.assert_allclose(images, gan.generate(5, noise=noise), atol=1e-5)
    # The averaged generator, not the raw one.
    assert not np.allclose(images, gan.generate(5, noise=noise, use_ema=False), atol=1e-5)
    with open(tmp_path / "onnx" / MARKER) as f:
        info = json.load(f)
    assert info["format"] == "kerasgan generator ONNX" and info["file"] == "generator.onnx"
    assert [i["name"] for i in info["inputs"]] == ["noise"]
    assert info["outputs"][0]["shape"] == ["batch", 4, 4, 1]
    assert info["backend"] == keras.backend.backend()


def test_conditional_generator_takes_labels(tmp_path):
    from kerasgan.networks import conditional

    classes, shape = 3, (28, 28, 1)
    keras.utils.set_random_seed(0)
    g = conditional.conditional_dcgan_generator(classes, 8, shape, base_filters=4)
    d = conditional.conditional_dcgan_discriminator(classes, shape, base_filters=4)
    gan = kerasgan.GAN(g, d, num_classes=classes, conditioning="projection",
                       output_range=(-1.0, 1.0), seed=0)
    path = export_onnx.export_onnx(gan, tmp_path / "onnx")
    session = _session(path)
    inputs, outputs = _signature(session)
    assert inputs == [("noise", "tensor(float)", ["batch", 8]),
                      ("labels", "tensor(int32)", ["batch"])]
    assert outputs == [("images", "tensor(float)", ["batch", 28, 28, 1])]
    noise, labels = gan.sample_noise(4, seed=1), np.array([0, 1, 2, 1], "int32")
    (images,) = session.run(["images"], {"noise": noise, "labels": labels})
    np.testing.assert_allclose(images, gan.generate(4, noise=noise, labels=labels), atol=1e-5)
    assert 0.0 <= images.min() and images.max() <= 1.0


def test_a_generator_trained_in_bfloat16_exports_a_float32_model(tmp_path):
    """A mixed_bfloat16 conditional generator: the ONNX model computes in float32 (a bfloat16
    graph does not load in ONNX Runtime), and the GAN keeps its own policy."""
    from kerasgan import distribution
    from kerasgan.networks import conditional

    if keras.backend.backend() == "torch" and not distribution.torch_has_native_bfloat16():
        pytest.skip("mixed_bfloat16 under torch needs a CPU with native bfloat16")
    classes, shape = 3, (16, 16, 1)
    distribution.set_mixed_precision("mixed_bfloat16")
    try:
        keras.utils.set_random_seed(0)
        g = conditional.conditional_dcgan_generator(classes, 8, shape, base_filters=4)
        d = conditional.conditional_dcgan_discriminator(classes, shape, base_filters=4)
        gan = kerasgan.GAN(g, d, num_classes=classes, conditioning="concat",
                           output_range=(-1.0, 1.0), seed=0)
    finally:
        distribution.set_mixed_precision("float32")
    policies = [layer.dtype_policy.name for layer in g.layers]
    assert "mixed_bfloat16" in policies
    path = export_onnx.export_onnx(gan, tmp_path / "onnx")
    session = _session(path)
    assert _signature(session)[1] == [("images", "tensor(float)", ["batch", 16, 16, 1])]
    noise, labels = gan.sample_noise(4, seed=1), np.array([0, 1, 2, 1], "int32")
    (images,) = session.run(["images"], {"noise": noise, "labels": labels})
    generated = gan.generate(4, noise=noise, labels=labels)
    # bfloat16 keeps 8 bits of mantissa: the float32 model agrees to its rounding, not to 1e-5.
    np.testing.assert_allclose(images, generated, atol=0.05)
    assert [layer.dtype_policy.name for layer in g.layers] == policies
    with open(tmp_path / "onnx" / MARKER) as f:
        info = json.load(f)
    assert (info["compute_dtype"], info["trained_compute_dtype"]) == ("float32", "bfloat16")


def test_command_line_writes_onnx_and_keeps_the_destination_rules(tmp_path, capsys):
    from absl import flags

    from kerasgan.export import __main__ as command

    gan = tiny_mlp_gan()
    gan.compile()
    checkpoint = tmp_path / "run.keras"
    gan.save(checkpoint)
    out = tmp_path / "onnx"

    def run(*extra):
        fv = flags.FlagValues()
        command.define_flags(fv)
        fv([__file__, f"--checkpoint={checkpoint}", f"--output_dir={out}", "--format=onnx",
            *extra])
        return command.run(fv)

    assert run() == 0
    path = os.path.join(str(out), "generator.onnx")
    assert f"ONNX: {path}" in capsys.readouterr().out
    noise = gan.sample_noise(2, seed=0)
    (images,) = _session(path).run(["images"], {"noise": noise})
    np.testing.assert_allclose(images, gan.generate(2, noise=noise), atol=1e-5)
    assert run() == 1  # a previous export is replaced only with --overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert run("--overwrite") == 0
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    out = tmp_path / "other"
    assert run("--overwrite") == 1  # never replaces a directory that is not an export
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
