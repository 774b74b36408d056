"""The study scripts run end to end on their --quick budget (one study; the others share its code)."""

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_gaussian_study_quick(tmp_path):
    # Seed 003's synthetic study: no classifier or image data needed, so it runs anywhere.
    # Its --quick budget is 20 steps; the process (mostly the framework's import) takes ~30-40 s.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, os.path.join(REPO, "tools", "study_gaussian.py"), "--quick",
         f"--output_dir={tmp_path}", "--nowrite_card"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=170,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(tmp_path / "results.json") as f:
        result = json.load(f)
    assert set(result["records"]) == {"gaussian_1d", "gaussian_1d_shared"}
    for recs in result["records"].values():
        assert recs[0]["trace"][-1]["step"] <= 20
    assert "| gaussian_1d |" in result["table_markdown"]
    assert os.path.getsize(tmp_path / "convergence.png") > 0


def test_study_common_card_section_is_replaced(tmp_path, monkeypatch):
    sys.path.insert(0, os.path.join(REPO, "tools"))
    try:
        import study_common as sc
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(sc, "REPO", str(tmp_path))
    card = tmp_path / "zoo" / "p" / "README.md"
    card.parent.mkdir(parents=True)
    card.write_text("# p\n\nText.\n")
    sc.write_card_section("p", "k", "table one")
    sc.write_card_section("p", "k", "table two")
    text = card.read_text()
    assert text.count("## Measured") == 1 and "table two" in text and "table one" not in text
    assert sc.card_path("other").endswith(os.path.join("other", "STUDY.md"))
