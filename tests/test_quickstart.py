"""`tools/quickstart.sh`: a new output directory goes through set-up, training and judging; a run of
another preset in its output directory is kept and named."""

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


_STUB_PYTHON = r"""#!/usr/bin/env bash
# Stands in for .venv/bin/python: records each call; the trainer and the judge succeed at once.
echo "$*" >> "$QUICKSTART_CALLS"
case "$2" in
  kerasgan.train)  # the trainer creates its output directory
    for arg in "$@"; do case $arg in --output_dir=*) mkdir -p "${arg#--output_dir=}" ;; esac; done
    exit 0 ;;
  tools.evaluate)
    out=$(dirname "${3#--checkpoint=}")
    echo '{"step": 2000, "judges": {"fashion_mnist": {"fd": 15.5}, "fashion_mnist_b": {"fd": 17.2}},
           "class_histogram": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
           "recall": 0.48, "precision": 0.74, "classes_covered": 10}' > "$out/metrics.json"
    exit 0 ;;
esac
exec python3 "$@"
"""


def test_a_fresh_output_directory_goes_through_setup_training_and_judging(tmp_path):
    """The script's own flow on a new directory (the first call on a fresh clone), with the set-up,
    trainer and judge stubbed so that only the script's logic runs."""
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    (repo / "zoo" / "msgan_small").mkdir(parents=True)
    (repo / ".venv" / "bin").mkdir(parents=True)
    with open(os.path.join(ROOT, "tools", "quickstart.sh")) as f:
        (repo / "tools" / "quickstart.sh").write_text(f.read())
    (repo / "tools" / "setup_env.sh").write_text("exit 0\n")
    with open(os.path.join(ROOT, "zoo", "msgan_small", "quickstart.flags")) as f:
        (repo / "zoo" / "msgan_small" / "quickstart.flags").write_text(f.read())
    python = repo / ".venv" / "bin" / "python"
    python.write_text(_STUB_PYTHON)
    python.chmod(0o755)
    calls = tmp_path / "calls.txt"
    out = repo / "runs" / "fresh"
    proc = subprocess.run(["bash", str(repo / "tools" / "quickstart.sh"), f"--output_dir={out}",
                           "--mixed_precision=mixed_bfloat16"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, QUICKSTART_CALLS=str(calls)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for line in ("== setting up", "== training on Fashion-MNIST", "== judging 5,000 samples",
                 "== done: trained 2000 steps", "fashion_mnist 15.5, fashion_mnist_b 17.2",
                 "10 of 10 classes"):
        assert line in proc.stdout, proc.stdout
    train, judge = calls.read_text().splitlines()[:2]
    assert train.startswith("-m kerasgan.train --flagfile=zoo/msgan_small/quickstart.flags --resume")
    assert train.endswith(f"--output_dir={out} --mixed_precision=mixed_bfloat16")
    assert judge == f"-m tools.evaluate --checkpoint={out}/checkpoint.keras --grid_samples=0"
