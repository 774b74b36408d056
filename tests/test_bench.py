"""tools/bench.py: the --quick run end to end, its round-robin bookkeeping, and the PyTorch twins.

No timing assertions: the figures depend on the machine.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import kerasgan
from conftest import TOOL_CHILD_BACKENDS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRESETS = ("mnist_mlp", "dcgan", "dcgan_celeba", "shared_wgan", "l1_unbounded", "wgan_gp")


def _tool(name):
    """tools/<name>.py, loaded by path (tools/ is not a package, and holds a profile.py)."""
    if name not in sys.modules:
        path = os.path.join(ROOT, "tools", f"{name}.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            line = next((l for l in f if l.startswith(("flags", "Features"))), ":")
    except OSError:
        return set()
    return set(line.split(":", 1)[1].split())


_CPU_FLAGS = _cpu_flags()


def _positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


# The tool's driver imports no backend; its child runs the backend it is given.
@pytest.mark.parametrize("backend", TOOL_CHILD_BACKENDS)
def test_bench_quick_writes_json(tmp_path, backend):
    output = tmp_path / "bench.json"
    env = dict(os.environ, KERASGAN_NO_DOWNLOAD="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "bench.py"), "--quick", "--rounds=1",
         f"--backends={backend}", f"--output={output}"],
        env=env, capture_output=True, text=True, timeout=240, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "kerasgan" in proc.stdout and "fit/best_hand" in proc.stdout  # the printed tables

    results = json.loads(output.read_text())
    for key in ("command", "git_commit", "rounds", "load_average_start", "load_average_end",
                "machine", "rows", "summary", "pipeline", "table", "total_wall_s"):
        assert key in results, key
    assert results["rounds"] == 1 and "errors" not in results, results.get("errors")
    assert {(r["backend"], r["variant"]) for r in results["rows"]} == {
        (backend, "kerasgan"), (backend, "hand")}
    for row in results["rows"]:
        assert row["preset"] == "mnist_mlp" and row["round"] == 0
        for key in ("steps_per_s", "images_per_s", "ms_per_step", "first_step_s",
                    "rss_mb_after_first_step", "peak_rss_mb", "gflop_per_step", "gflop_per_s"):
            assert _positive(row[key]), (row["variant"], key, row[key])
        assert len(row["steps_per_s_repeats"]) == 2
        assert all(_positive(v) for v in row["steps_per_s_repeats"])
        assert row["steps_per_s"] == pytest.approx(float(np.median(row["steps_per_s_repeats"])))
        machine = row["machine"]  # with every row
        assert machine["cpu_model"] and machine["cores_available"] >= 1
        assert isinstance(machine["vector_extensions"], list)
        assert set(machine["vector_extensions"]) <= _CPU_FLAGS
        assert _CPU_FLAGS & {"sse4_2", "avx", "avx2", "avx512f", "avx512_bf16", "amx_tile",
                             "asimd", "sve"} <= set(machine["vector_extensions"])
        assert not set(machine["vector_extensions"]) & {"smep", "smap", "fpu", "sha_ni"}
        assert machine["versions"]["keras"] == keras.__version__
        assert len(row["load_average_start"]) == 3
    fit = next(r for r in results["rows"] if r["variant"] == "kerasgan")
    assert "fit_call_overhead_s" in fit and isinstance(fit["jit_compile"], bool)
    (ratio,) = [q for q in results["summary"]["ratios"]
                if q["ratio"] == f"fit/best_hand[{backend}]"]
    assert _positive(ratio["median"]) and ratio["n"] == 1
    hand = next(r for r in results["rows"] if r["variant"] == "hand")
    assert ratio["median"] == pytest.approx(fit["steps_per_s"] / hand["steps_per_s"])
    (pipe,) = results["pipeline"]
    assert pipe["preset"] == "mnist_mlp"
    for key in ("images_per_s", "batches_per_s", "first_batch_s", "headroom"):
        assert _positive(pipe[key]), (key, pipe[key])


def _row(round_, backend, variant, sps, preset="p", **extra):
    return {"round": round_, "preset": preset, "backend": backend, "variant": variant,
            "steps_per_s": sps, **extra}


def test_round_robin_bookkeeping_on_synthetic_timings():
    stats = _tool("bench_stats")
    plan = ["a", "b", "c"]
    assert [stats.rotated(plan, r) for r in range(4)] == [
        ["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]]
    assert stats.variants_of("tensorflow", True, True, [4]) == [
        "kerasgan", "hand", "kerasgan_xla", "hand_xla", "kerasgan_spe4"]
    assert stats.variants_of("jax", True, True, []) == ["kerasgan", "hand", "hand_fastgrad"]
    assert stats.variants_of("torch", True, True, [4]) == ["torch", "torch_fused"]
    assert stats.variants_of("torch", True, True, [], torch_passive=True) == [
        "torch", "torch_fused", "torch_passive", "torch_fused_passive"]

    tf = {"kerasgan": [10, 12, 8], "hand": [11, 10, 9], "hand_xla": [9, 15, 10],
          "kerasgan_xla": [30, 30, 30]}  # kerasgan_xla is no "fit as a user calls it"
    jax = {"kerasgan": [9, 13, 6], "hand": [10, 13, 8]}
    torch = {"torch": [5, 20, 4], "torch_fused": [8, 6, 5]}
    rows = [_row(r, b, v, s[r]) for b, d in (("tensorflow", tf), ("jax", jax), ("torch", torch))
            for v, s in d.items() for r in range(3)]
    rows.append(_row(1, "jax", "hand_fastgrad", None, skipped="no Conv*Transpose"))
    rows.append(_row(2, "tensorflow", "hand", 1000.0, error="ignored"))
    rows.append(_row(0, "jax", "kerasgan", 50.0, preset="other"))  # no partner: no ratios
    out = stats.summarize(rows)

    variants = {(v["preset"], v["backend"], v["variant"]): v for v in out["variants"]}
    s = variants[("p", "tensorflow", "hand_xla")]["steps_per_s"]
    assert (s["n"], s["median"], s["min"], s["max"]) == (3, 10, 9, 15)
    assert (s["q1"], s["q3"]) == (9.5, 12.5)
    assert ("p", "jax", "hand_fastgrad") not in variants
    assert variants[("p", "tensorflow", "hand")]["steps_per_s"]["max"] == 11  # error row dropped

    ratios = {(q["preset"], q["ratio"]): q for q in out["ratios"]}
    assert not [k for k in ratios if k[0] == "other"]
    # Per round: kerasgan over the fastest hand loop of that round (hand, hand_xla, hand_xla).
    tf_fit = ratios[("p", "fit/best_hand[tensorflow]")]
    assert [p["value"] for p in tf_fit["per_round"]] == pytest.approx([10 / 11, 12 / 15, 8 / 10])
    assert [p["denominator"] for p in tf_fit["per_round"]] == [
        "tensorflow:hand", "tensorflow:hand_xla", "tensorflow:hand_xla"]
    assert (tf_fit["median"], tf_fit["min"], tf_fit["max"]) == pytest.approx((0.8, 0.8, 10 / 11))
    jax_fit = ratios[("p", "fit/best_hand[jax]")]
    assert [p["value"] for p in jax_fit["per_round"]] == pytest.approx([0.9, 1.0, 0.75])
    # The faster kerasgan backend of the round over the faster PyTorch loop of the round.
    vs_torch = ratios[("p", "best_kerasgan/best_torch")]
    assert [p["value"] for p in vs_torch["per_round"]] == pytest.approx([10 / 8, 13 / 20, 8 / 5])
    assert [p["numerator"] for p in vs_torch["per_round"]] == [
        "tensorflow:kerasgan", "jax:kerasgan", "tensorflow:kerasgan"]
    assert vs_torch["median"] == pytest.approx(1.25)
    ratio = ratios[("p", "jax_fit/tf_fit")]
    assert [p["value"] for p in ratio["per_round"]] == pytest.approx([0.9, 13 / 12, 0.75])
    # Every PyTorch variant competes for "best PyTorch loop" (e.g. under OMP_WAIT_POLICY=PASSIVE).
    passive = rows + [_row(r, "torch", "torch_fused_passive", 40.0) for r in range(3)]
    ratios = {q["ratio"]: q for q in stats.summarize(passive)["ratios"]}
    vs_torch = ratios["best_kerasgan/best_torch"]
    assert {p["denominator"] for p in vs_torch["per_round"]} == {"torch:torch_fused_passive"}
    assert [p["value"] for p in vs_torch["per_round"]] == pytest.approx([10 / 40, 13 / 40, 8 / 40])
    # A round in which one side is missing gives no value for that round.
    rows = [r for r in rows if not (r["round"] == 1 and r["backend"] == "torch")]
    vs_torch = {q["ratio"]: q for q in stats.summarize(rows)["ratios"]}["best_kerasgan/best_torch"]
    assert [p["round"] for p in vs_torch["per_round"]] == [0, 2] and vs_torch["n"] == 2


_TINY = {
    "mnist_mlp": {"batch_size": 4},
    "dcgan": {"batch_size": 4, "base_filters": 4},
    "dcgan_celeba": {"batch_size": 4, "base_filters": 4},
    "shared_wgan": {"batch_size": 2, "hidden": 8},
    "l1_unbounded": {"batch_size": 4},
    "wgan_gp": {"batch_size": 4},
}


@pytest.mark.parametrize("preset", PRESETS)
def test_torch_twin_matches_keras_parameter_counts_and_trains(preset, torch):
    bench_torch = _tool("bench_torch")
    gan = kerasgan.zoo.get(preset, seed=0, **_TINY[preset])
    step, info = bench_torch.make_torch_step(gan, fused=True, threads=1)
    counts = info["parameter_counts"]
    keras_counts = {
        "g_trainable": gan.generator.count_params() - sum(
            int(np.prod(v.shape)) for v in gan.generator.non_trainable_variables),
        "d_trainable": sum(int(np.prod(v.shape)) for v in gan.discriminator.trainable_variables),
        "g_optimizer": sum(int(np.prod(v.shape)) for v in gan.g_variables),
    }
    for key, value in keras_counts.items():
        assert counts["torch"][key] == counts["keras"][key] == value > 0, key
    assert counts["torch"] == counts["keras"]
    assert info["optimizer_implementation"]["d"] in ("fused", "foreach")
    assert info["layers"]["generator"] and info["layers"]["discriminator"]

    spec = kerasgan.zoo.spec(preset)
    batch = gan.d_steps * 2 if gan.real_batches == "split" else 4
    h, w, c = spec.image_shape
    low, high = spec.value_range
    real = torch.rand(batch, c, h, w) * (high - low) + low
    g_before = [p.detach().clone() for p in step.generator.parameters()]
    d_before = [p.detach().clone() for p in step.discriminator.parameters()]
    d_loss, g_loss = step(real)
    assert math.isfinite(float(d_loss)) and math.isfinite(float(g_loss))
    for before, net in ((g_before, step.generator), (d_before, step.discriminator)):
        assert any(not torch.equal(b, p) for b, p in zip(before, net.parameters()))
    if gan.clip_value is not None:  # WGAN clipping after every critic update
        largest = max(float(p.detach().abs().max()) for p in step.discriminator.parameters())
        assert largest <= gan.clip_value
    assert all(p.requires_grad for p in step.discriminator.parameters())  # unfrozen after G


def test_torch_twin_shares_the_critic_kernel(torch):
    from tools import bench_torch_nets

    gan = kerasgan.zoo.get("shared_wgan", seed=0, batch_size=2, hidden=8)
    generator, discriminator, _ = bench_torch_nets.torch_networks(gan)
    (tied,) = [m for m in generator.modules() if hasattr(m, "tied_weight")]
    d_weights = [p for p in discriminator.parameters()]
    assert any(tied.tied_weight is p for p in d_weights)
    assert not any(tied.tied_weight is p for p in generator.parameters())


@pytest.mark.parametrize("preset", ["mnist_mlp", "dcgan"])
def test_torch_twin_computes_the_keras_networks(preset, torch):
    # With the Keras weights copied over, the twins compute the same functions (in these two
    # presets the Reshape/Flatten unit order and the paddings agree between the layouts).
    from tools import bench_torch_nets

    gan = kerasgan.zoo.get(preset, seed=0, batch_size=4, **(
        {"base_filters": 4} if preset == "dcgan" else {}))
    generator, discriminator, _ = bench_torch_nets.torch_networks(gan)
    bench_torch_nets.load_keras_weights(gan.generator, generator)
    bench_torch_nets.load_keras_weights(gan.discriminator, discriminator)
    z = np.random.default_rng(0).normal(size=(4, gan.latent_dim)).astype("float32")
    for training in (False, True):
        generator.train(training)
        discriminator.train(training)
        images = keras.ops.convert_to_numpy(gan.generator(z, training=training))
        with torch.no_grad():
            twin = generator(torch.from_numpy(z)).permute(0, 2, 3, 1).numpy()
            twin_out = discriminator(torch.from_numpy(images).permute(0, 3, 1, 2).contiguous())
        np.testing.assert_allclose(twin, images, atol=2e-4, rtol=1e-3)
        np.testing.assert_allclose(
            twin_out.numpy(),
            keras.ops.convert_to_numpy(gan.discriminator(images, training=training)),
            atol=2e-4, rtol=1e-3)


def test_profiler_torch_column_times_the_same_convolutions(torch):
    # tools.profiler --what=convs: each convolution's PyTorch twin computes the Keras op (dcgan's
    # paddings agree between the layouts) and the three timings are real numbers.
    from tools import profiler

    gan = kerasgan.zoo.get("dcgan", seed=0, batch_size=2, base_filters=4)
    layers = profiler.conv_layers(gan)
    assert [name for name, _ in layers][:1] and any(n.startswith("D ") for n, _ in layers)
    rng = np.random.default_rng(0)
    for name, layer in layers:
        x = rng.standard_normal((2,) + tuple(layer.input.shape[1:])).astype("float32")
        k = (0.1 * rng.standard_normal(tuple(layer.kernel.shape))).astype("float32")
        expected = keras.ops.convert_to_numpy(profiler.layer_call(layer)(x, k))
        module = profiler.torch_conv(layer, k)
        assert module[-1].bias is None
        with torch.no_grad():
            got = module(torch.from_numpy(x.transpose(0, 3, 1, 2).copy())).permute(0, 2, 3, 1)
        np.testing.assert_allclose(got.numpy(), expected, atol=1e-4, rtol=1e-4, err_msg=name)
    times = profiler._torch_times(layer, x, k, rng.standard_normal(expected.shape).astype("float32"),
                                  repeats=1)
    assert sorted(times) == ["forward", "input_grad", "kernel_grad"]
    assert all(_positive(t) for t in times.values())


def test_bench_skips_torch_with_a_message_when_torch_is_missing(tmp_path):
    output = tmp_path / "bench.json"
    helper = os.path.join(ROOT, "tools", "bench_torch.py")
    script = f"""
import importlib.util, runpy, sys
sys.path.insert(0, {ROOT!r})  # as tools/bench.py does, for the modules' `tools.` imports
spec = importlib.util.spec_from_file_location("bench_torch", {helper!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.available = lambda: False  # as if PyTorch were not installed
sys.modules["bench_torch"] = module
sys.argv = ["bench.py", "--quick", "--backends=torch", "--output={output}"]
runpy.run_path({os.path.join(ROOT, "tools", "bench.py")!r}, run_name="__main__")
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "torch variants skipped: PyTorch is not installed" in proc.stdout
    results = json.loads(output.read_text())
    assert results["rows"] == [] and results["summary"] == {"variants": [], "ratios": []}
    assert "pip install torch==2.13.0" in results["skipped"][0]


def _flop_gan(**kwargs):
    layers = keras.layers
    z = keras.Input((4,))
    h = layers.Dense(7 * 7 * 8)(z)  # 2 * 4 * 392
    h = layers.Reshape((7, 7, 8))(h)
    h = layers.Conv2DTranspose(6, 3, strides=2, padding="same")(h)  # 2 * 49 * 9 * 8 * 6
    x = layers.Conv2D(1, 3, padding="same")(h)  # 2 * 196 * 9 * 6 * 1
    g = keras.Model(z, x)
    images = keras.Input((14, 14, 1))
    h = layers.Conv2D(5, 3, strides=2, padding="same")(images)  # 2 * 49 * 9 * 1 * 5
    h = layers.Flatten()(h)
    d = keras.Model(images, layers.Dense(1)(h))  # 2 * 245 * 1
    return kerasgan.GAN(g, d, **kwargs)


def test_flop_count_follows_the_layer_shapes_and_the_update_schedule():
    flops = _tool("bench_flops")
    g_fwd = 2 * 4 * 392 + 2 * 49 * 9 * 8 * 6 + 2 * 196 * 9 * 6
    d_fwd = 2 * 49 * 9 * 5 + 2 * 245
    one = flops.step_flops(_flop_gan(), step_batch=10)
    assert one["generator_forward"] == g_fwd and one["discriminator_forward"] == d_fwd
    # One critic update: fakes drawn, D trained on 10 reals and 10 fakes; then G trained.
    assert one["discriminator"] == g_fwd * 10 + 3 * d_fwd * 20
    assert one["generator"] == 3 * g_fwd * 10 + 2 * d_fwd * 10
    assert one["total"] == one["discriminator"] + one["generator"]
    # Five critic updates on fresh fifths of the batch, each with a gradient penalty.
    wgan = flops.step_flops(_flop_gan(d_steps=5, real_batches="split",
                                      gradient_penalty_weight=10.0), step_batch=10)
    assert wgan["discriminator"] == 5 * (g_fwd * 2 + 3 * d_fwd * 4 + 3 * d_fwd * 2)
    assert wgan["generator"] == 3 * g_fwd * 2 + 2 * d_fwd * 2
