"""tools/bench.py --quick runs end to end and writes the expected JSON (no timing assertions)."""

import json
import math
import os
import subprocess
import sys

import keras

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_bench_quick_writes_json(tmp_path):
    backend = keras.backend.backend()
    output = tmp_path / "bench.json"
    env = dict(os.environ, KERASGAN_NO_DOWNLOAD="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "bench.py"), "--quick",
         f"--backends={backend}", f"--output={output}"],
        env=env, capture_output=True, text=True, timeout=170, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "kerasgan" in proc.stdout  # the printed table

    results = json.loads(output.read_text())
    for key in ("command", "load_average_start", "load_average_end", "machine", "train",
                "pipeline", "table", "total_wall_s"):
        assert key in results, key
    assert len(results["load_average_start"]) == 3
    (train,) = results["train"]
    assert train["backend"] == backend
    assert train["preset"] == "mnist_mlp"
    assert train["step_batch"] > 0 and train["steps_per_repeat"] > 0
    assert set(train["variants"]) >= {"kerasgan", "hand"}
    for name, variant in train["variants"].items():
        for key in ("steps_per_s", "images_per_s", "ms_per_step", "first_step_s",
                    "rss_mb_after_first_step"):
            assert _positive(variant[key]), (name, key, variant[key])
        assert all(_positive(v) for v in variant["steps_per_s_all"]), name
    assert "fit_call_overhead_s" in train["variants"]["kerasgan"]
    assert _positive(train["ratios"]["kerasgan/hand"])
    assert _positive(train["peak_rss_mb"])
    assert isinstance(train["jit_compile_auto_resolves_to"], bool)
    (pipe,) = results["pipeline"]
    assert pipe["preset"] == "mnist_mlp"
    for key in ("images_per_s", "batches_per_s", "first_batch_s", "headroom"):
        assert _positive(pipe[key]), (key, pipe[key])
