"""tools/profiler/step_ops.py (--what=step_ops): placing each traced op of a step on its layer and role.

The parsers are tested on op names and HLO text of the forms TensorFlow 2.21 and XLA:CPU (jaxlib
0.10) write; one short profile runs end to end under the test's backend. No timing assertions.
"""

import datetime
import json
import os
import subprocess
import sys
import types

import keras
import pytest

import kerasgan
from tools import profiler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def dcgan_layers():
    gan = kerasgan.zoo.get("dcgan", seed=0, batch_size=2, base_filters=4)
    return gan, profiler.network_layers(gan)


def test_layer_of_reads_tensorflow_and_jax_op_names(dcgan_layers):
    _, layers = dcgan_layers
    assert profiler.layer_of("StatefulPartitionedCall/generator_1/up_1_1/conv_transpose",
                             layers) == ("generator", "up_1")
    assert profiler.layer_of(
        "StatefulPartitionedCall/gradient_tape/discriminator_1/down_1_1/convolution/"
        "Conv2DBackpropFilter", layers) == ("discriminator", "down_1")
    assert profiler.layer_of("jit(train_step)/transpose(jvp(discriminator))/down_0/"
                             "conv_general_dilated", layers) == ("discriminator", "down_0")
    assert profiler.layer_of("jit(train_step)/jvp(generator)/project/bc,ijoc->bijo/dot_general",
                             layers) == ("generator", "project")
    # Inside a network but in no layer's scope; outside both networks.
    assert profiler.layer_of("jit(train_step)/jvp(generator)/add", layers) == ("generator", None)
    assert profiler.layer_of("jit(train_step)/adam/add", layers) == (None, None)


def test_tensorflow_roles_follow_the_layer_kind(dcgan_layers):
    _, layers = dcgan_layers
    conv, convt = layers["discriminator"]["down_1"], layers["generator"]["up_1"]
    role = profiler.tf_op_role
    assert role("_MklNativeConv2D", "d/down_1/convolution", conv) == "forward"
    assert role("_MklNativeConv2DBackpropInput", "g/down_1/x", conv) == "input gradient"
    # A transposed convolution's forward is TensorFlow's input-gradient kernel, and vice versa.
    assert role("_MklNativeConv2DBackpropInput", "g/up_1/conv_transpose", convt) == "forward"
    assert role("Conv2D", "gradient_tape/g/up_1/conv_transpose/Conv2D", convt) == "input gradient"
    assert role("Conv2DBackpropFilter", "g/up_1/x", convt) == "kernel gradient"
    # oneDNN fuses the bias gradient into the kernel gradient of a layer with a bias.
    assert role("_MklNativeConv2DBackpropFilterWithBias", "d/down_1/x", conv) == "kernel gradient"
    assert role("FusedBatchNormV3", "g/bn_1/x", conv) == "other"


def test_jax_roles_from_op_names_and_output_sizes(dcgan_layers):
    _, layers = dcgan_layers
    conv = layers["discriminator"]["down_1"]
    kernel = list(conv.kernel.shape)
    def role(path, shape, batch=2):
        return profiler.jax_op_role(path, shape, conv, batch)

    assert role("jit(train_step)/jvp(discriminator)/down_1/conv_general_dilated",
                [2, 7, 7, 8]) == "forward"
    grad = "jit(train_step)/transpose(jvp(discriminator))/down_1/conv_general_dilated"
    assert role(grad, [kernel[2], kernel[0], kernel[1], kernel[3]]) == "kernel gradient"
    assert role(grad, [2, 14, 14, kernel[2]]) == "input gradient"
    assert role(grad, [kernel[0] * kernel[1], kernel[2] * kernel[3]]) == "kernel gradient"  # flat
    # An input gradient as large as the kernel (dcgan_celeba's D down_3 at batch 128): its
    # dimensions decide.
    down_3 = types.SimpleNamespace(kernel=types.SimpleNamespace(shape=(4, 4, 256, 512)),
                                   input=types.SimpleNamespace(shape=(None, 8, 8, 256)))
    assert 128 * 8 * 8 * 256 == 4 * 4 * 256 * 512
    assert profiler.jax_op_role(grad, [128, 8, 8, 256], down_3, 128) == "input gradient"
    assert profiler.jax_op_role(grad, [256, 4, 4, 512], down_3, 128) == "kernel gradient"
    assert role(f"{grad}/layout_copy", [2, 14, 14, kernel[2]]) == "layout copies"
    assert role("jit(train_step)/jvp(discriminator)/bn_1/jit(_var)/reduce_sum", [8]) == "other"


# Shaped after jaxlib 0.10's dump of the dcgan step: the generator's kernel gradient lost its name
# in XLA's rewrite and shares its output size with the discriminator's, which kept its name.
_BEFORE = """HloModule jit_train_step

ENTRY %main.1 (a: f32[2,14,14,4], b: f32[2,7,7,8]) -> f32[4,4,4,8] {
  %a = f32[2,14,14,4]{3,2,1,0} parameter(0)
  %b = f32[2,7,7,8]{3,2,1,0} parameter(1)
  %conv_general_dilated.40 = f32[4,4,4,8]{3,2,1,0} convolution(%a, %b), window={size=7x7}, dim_labels=f01b_i01o->01bf, metadata={op_name="jit(train_step)/transpose(jvp(discriminator))/down_1/conv_general_dilated" stack_frame_id=1}
  ROOT %conv_general_dilated.59 = f32[4,4,8,4]{3,2,1,0} convolution(%a, %b), window={size=7x7}, dim_labels=f01b_i01o->01fb, metadata={op_name="jit(train_step)/transpose(jvp(generator))/up_1/transpose(jvp(transpose()))/conv_general_dilated" stack_frame_id=2}
}
"""
_AFTER = """HloModule jit_train_step

%fused_computation.1 (param_0.1: f32[4,14,14,2], param_1.1: f32[7,7,2,8]) -> f32[4,4,4,8] {
  %param_0.1 = f32[4,14,14,2]{3,2,1,0} parameter(0)
  %param_1.1 = f32[7,7,2,8]{3,2,1,0} parameter(1)
  ROOT %convolution-window-dilated.7 = f32[4,4,4,8]{3,2,1,0} convolution(%param_0.1, %param_1.1), window={size=7x7}, dim_labels=b01f_01io->b01f
}

%fused_computation.20 (param_0.2: f32[4,14,14,2], param_1.2: f32[7,7,2,8]) -> f32[4,4,4,8] {
  %param_0.2 = f32[4,14,14,2]{3,2,1,0} parameter(0)
  %param_1.2 = f32[7,7,2,8]{3,2,1,0} parameter(1)
  ROOT %convolution.3 = f32[4,4,4,8]{3,2,1,0} convolution(%param_0.2, %param_1.2), window={size=7x7}, dim_labels=b01f_01io->b01f
}

ENTRY %main.2 (a: f32[2,14,14,4], b: f32[2,7,7,8]) -> f32[4,4,4,8] {
  %a = f32[2,14,14,4]{3,2,1,0} parameter(0)
  %b = f32[2,7,7,8]{3,2,1,0} parameter(1)
  %transpose_copy_fusion.3 = f32[4,14,14,2]{3,2,1,0} fusion(%a), kind=kLoop, calls=%fused_computation.77
  %ynn_fusion.20 = f32[4,4,4,8]{3,2,1,0} fusion(%transpose_copy_fusion.3, %b), kind=kCustom, calls=%fused_computation.20, metadata={op_name="jit(train_step)/transpose(jvp(discriminator))/down_1/conv_general_dilated" stack_frame_id=1}
  ROOT %ynn_fusion.1 = f32[4,4,4,8]{3,2,1,0} fusion(%transpose_copy_fusion.3, %b), kind=kCustom, calls=%fused_computation.1, backend_config={"fusion_config":{"kind":"__ynn_fusion"}}
}
"""


def test_hlo_names_recover_a_convolution_that_lost_its_name():
    names = profiler.hlo_op_names(_AFTER, _BEFORE)
    assert names["ynn_fusion.20"] == ([4, 4, 4, 8], "jit(train_step)/transpose(jvp(discriminator))/"
                                      "down_1/conv_general_dilated")
    assert names["ynn_fusion.1"][1].startswith("jit(train_step)/transpose(jvp(generator))/up_1/")
    # XLA's layout copy takes the name of the convolution it feeds, marked as such.
    assert names["transpose_copy_fusion.3"] == (
        [4, 14, 14, 2], "jit(train_step)/transpose(jvp(discriminator))/down_1/"
        "conv_general_dilated/layout_copy")
    parsed = profiler.parse_hlo(_AFTER)
    assert parsed["convolution-window-dilated.7"]["fused"] and not parsed["ynn_fusion.1"]["fused"]
    assert parsed["ynn_fusion.1"]["computes"] and not parsed["transpose_copy_fusion.3"]["computes"]
    # Without the source module nothing is guessed.
    assert profiler.hlo_op_names(_AFTER)["ynn_fusion.1"][1] == ""


@pytest.mark.backend_neutral
def test_a_profile_file_carries_its_provenance(tmp_path):
    from tools.profiler import common

    path = tmp_path / "profile.json"
    common.write_json({"preset": "dcgan"}, str(path))
    written = json.loads(path.read_text())
    assert written["preset"] == "dcgan"
    record = written["provenance"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    assert record["commit"] == (head.stdout.strip() if head.returncode == 0 else None)
    assert record["tree_clean"] in ((True, False) if head.returncode == 0 else (None,))
    assert record["packages"]["keras"] == keras.__version__
    assert record["machine"]["cpu"] and record["machine"]["cores"] >= 1
    assert datetime.datetime.fromisoformat(record["date_utc"]).utcoffset() == datetime.timedelta(0)


# The tool profiles in a child of the backend it is given, with --slow (a whole profiled run; the
# tests above cover placing ops on layers and roles by default, and
# test_hlo_names_recover_a_convolution_that_lost_its_name the JAX trace's HLO naming).
@pytest.mark.parametrize("backend", [
    pytest.param("tensorflow", marks=[pytest.mark.backend_neutral, pytest.mark.slow]),
    pytest.param("jax", marks=[pytest.mark.backend_neutral("jax"), pytest.mark.slow])])
def test_step_ops_profiles_a_dcgan_step(tmp_path, backend):
    output = tmp_path / "ops.json"
    env = dict(os.environ, KERASGAN_NO_DOWNLOAD="1")
    proc = subprocess.run(
        [sys.executable, "-m", "tools.profiler", "--what=step_ops", "--preset=dcgan",
         f"--backend={backend}", "--batch_size=8", "--steps=8", "--rounds=1",
         f"--output={output}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    result = json.loads(output.read_text())
    if backend == "tensorflow":  # its graph, whichever path "auto" picks on this CPU
        assert result["runs"]["tensorflow"][0]["jit_compile"] is False
    cells = result["cells_ms_per_step"][backend]
    gan = kerasgan.zoo.get("dcgan", seed=0)
    for net, layers in profiler.network_layers(gan).items():
        for name, layer in layers.items():
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
                # Every convolution runs forward and has its kernel gradient in every step.
                assert cells.get(f"{net}|{name}|forward", 0) > 0, (net, name)
                assert cells.get(f"{net}|{name}|kernel gradient", 0) > 0, (net, name)
    # Most of the step's op time lies in the layers (8 steps, so that one op the OS preempts on a
    # loaded machine does not outweigh the rest; the input pipeline runs beside the step; the
    # check that drops a non-finite step reads every variable once, a fixed cost that a batch of 8
    # makes large, and is placed under its own name).
    placed = sum(v for k, v in cells.items() if k.split("|")[1])
    step = (result["traced_op_ms_per_step"][backend] - cells.get("||(input pipeline)", 0.0)
            - cells.get("||(finite-step check)", 0.0))
    assert backend == "torch" or "||(finite-step check)" in cells, sorted(cells)
    assert placed > 0.5 * step, cells
    assert result["untraced_ms_per_step"][backend] > 0
    assert 0 < result["cores_busy_untraced"][backend] <= os.cpu_count() + 0.5
    assert "network/layer" in proc.stdout
