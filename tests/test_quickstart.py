"""`tools/quickstart.sh` keeps a run of another preset in its output directory and says so."""

import os
import subprocess

import pytest

pytestmark = pytest.mark.backend_neutral

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_run_of_another_preset_is_kept_and_named(tmp_path):
    out = tmp_path / "quickstart"
    out.mkdir()
    config = '{\n  "preset": "cdcgan_small",\n  "dataset": "fashion_mnist"\n}\n'
    (out / "config.json").write_text(config)
    (out / "checkpoint.keras").write_bytes(b"a user's checkpoint")
    log = os.path.join(ROOT, "runs", "quickstart.log")
    log_before = os.path.getmtime(log) if os.path.exists(log) else None
    proc = subprocess.run(["bash", os.path.join(ROOT, "tools", "quickstart.sh"),
                           f"--output_dir={out}"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{out} holds a run of the preset 'cdcgan_small', not 'msgan_small'" in proc.stderr
    assert "--output_dir=runs/quickstart_msgan_small" in proc.stderr
    assert "== setting up" not in proc.stdout  # refused before the set-up and the training
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.keras", "config.json"]
    assert (out / "config.json").read_text() == config
    assert (out / "checkpoint.keras").read_bytes() == b"a user's checkpoint"
    # The script's own log is not touched either.
    assert (os.path.getmtime(log) if os.path.exists(log) else None) == log_before
