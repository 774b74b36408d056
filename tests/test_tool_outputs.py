"""The tools never replace a file they did not write: each refuses an existing output before any
work unless `--overwrite`, and the refused file survives byte for byte."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kerasgan.plotting import save_image_grid, written_by_kerasgan
from tools import evaluate, ship_weights
from tools.outputs import refuse_existing

# The subject does not depend on the Keras backend; the JAX pass is the shorter one.
pytestmark = pytest.mark.backend_neutral("jax")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SENTINEL = b"a user's own file\n"


def _sentinel(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(SENTINEL)
    return path


def _unchanged(path):
    with open(path, "rb") as f:
        return f.read() == SENTINEL


def test_refuse_existing_names_the_file_and_the_flag(tmp_path):
    path = _sentinel(str(tmp_path / "results.json"))
    with pytest.raises(FileExistsError, match=r"results\.json.*already exists.*--overwrite"):
        refuse_existing(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        refuse_existing(path, flag="overwrite=True")
    assert _unchanged(path)
    refuse_existing(path, overwrite=True)  # asked for: no error
    refuse_existing(str(tmp_path / "new.json"))
    refuse_existing("")  # no output requested
    os.symlink(str(tmp_path / "missing"), str(tmp_path / "dangling"))
    with pytest.raises(FileExistsError):  # a dangling link is still in the way
        refuse_existing(str(tmp_path / "dangling"))


def test_grids_carry_kerasgan_as_their_software(tmp_path):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    ours = str(tmp_path / "ours.png")
    save_image_grid(np.random.default_rng(0).random((4, 8, 8, 1)), ours, title="t")
    save_image_grid(np.random.default_rng(0).normal(size=(64, 2)), str(tmp_path / "hist.png"))
    fig = plt.figure()
    fig.savefig(str(tmp_path / "theirs.png"))
    plt.close(fig)
    assert written_by_kerasgan(ours) and written_by_kerasgan(str(tmp_path / "hist.png"))
    assert not written_by_kerasgan(str(tmp_path / "theirs.png"))
    assert not written_by_kerasgan(_sentinel(str(tmp_path / "text.png")))
    assert not written_by_kerasgan(str(tmp_path / "absent.png"))


def test_evaluate_replaces_only_its_own_earlier_files(tmp_path):
    out = str(tmp_path / "judged")
    metrics, samples = os.path.join(out, "metrics.json"), os.path.join(out, "samples.png")
    _sentinel(metrics)
    with pytest.raises(FileExistsError, match=r"'metrics\.json'.*--overwrite"):
        evaluate.check_outputs(out)
    # The library entry points refuse before loading anything: the checkpoint need not exist.
    with pytest.raises(FileExistsError):
        evaluate.evaluate_checkpoint(str(tmp_path / "absent.keras"), out)
    assert _unchanged(metrics)
    evaluate.check_outputs(out, overwrite=True)

    os.remove(metrics)
    _sentinel(samples)  # someone else's samples.png
    with pytest.raises(FileExistsError, match=r"'samples\.png'"):
        evaluate.check_outputs(out, grid_samples=16)
    evaluate.check_outputs(out, grid_samples=0)  # not written: not in the way
    assert _unchanged(samples)
    save_image_grid(np.zeros((4, 8, 8, 1)), samples)  # a kerasgan grid
    evaluate.check_outputs(out, grid_samples=16)

    _sentinel(samples)
    with open(metrics, "w", encoding="utf-8") as f:  # an earlier evaluation's report
        json.dump({"fd": 1.0, "protocol": {"judge": {"file": "x"}}}, f)
    evaluate.check_outputs(out, grid_samples=16)  # both its own: the grid came with the report


def test_ship_weights_refuses_an_existing_output_before_loading(tmp_path):
    output = _sentinel(str(tmp_path / "mine.generator.npz"))
    with pytest.raises(FileExistsError, match="--overwrite"):
        ship_weights.ship(str(tmp_path / "absent.keras"), output)
    assert _unchanged(output)
    # With overwrite the refusal is gone and the missing checkpoint is what fails.
    with pytest.raises((FileNotFoundError, ValueError, OSError)) as raised:
        ship_weights.ship(str(tmp_path / "absent.keras"), output, overwrite=True)
    assert not isinstance(raised.value, FileExistsError)
    assert _unchanged(output)


@pytest.mark.parametrize("command", [
    ["tools/bench.py", "--quick", "--backends=tensorflow", "--output={out}"],
    ["tools/bench_peak.py", "--output={out}"],
    ["-m", "tools.bench_keras_torch", "--rounds=1", "--output={out}"],
    ["-m", "tools.profiler", "--what=step_ops", "--output={out}"],
], ids=["bench", "bench_peak", "bench_keras_torch", "profiler"])
def test_each_benchmark_refuses_an_existing_output_before_any_work(tmp_path, command):
    out = _sentinel(str(tmp_path / "results.json"))
    env = dict(os.environ, KERASGAN_NO_DOWNLOAD="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, *[a.format(out=out) for a in command]], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "already exists" in proc.stderr and "--overwrite" in proc.stderr, proc.stderr[-2000:]
    assert _unchanged(out)


def test_zoo_results_refuses_an_existing_result_before_training(tmp_path, monkeypatch):
    from absl import flags

    from tools import zoo_results

    values = flags.FlagValues()
    zoo_results._define_flags(values)
    values(["prog", "--preset=dcgan", "--name=mine", "--seeds=0"])
    monkeypatch.setattr(zoo_results, "FLAGS", values)
    monkeypatch.setattr(zoo_results, "REPO", str(tmp_path))
    trained = []
    monkeypatch.setattr(zoo_results, "train_and_judge", lambda *a: trained.append(a))
    result = _sentinel(str(tmp_path / "zoo" / "dcgan" / "results" / "mine.json"))
    with pytest.raises(FileExistsError, match=r"mine\.json.*--overwrite"):
        zoo_results.main(["prog"])
    assert trained == [] and _unchanged(result)


def test_results_table_replaces_only_a_table_it_wrote(tmp_path, monkeypatch):
    from absl import flags

    from tools import results_table

    values = flags.FlagValues()
    results_table._define_flags(values)
    monkeypatch.setattr(results_table, "FLAGS", values)
    monkeypatch.setattr(results_table, "markdown", lambda: f"<!-- {results_table.GENERATED} -->\n")
    notes = _sentinel(str(tmp_path / "notes.md"))
    values(["prog", f"--output={notes}"])
    with pytest.raises(FileExistsError, match=r"notes\.md.*--overwrite"):
        results_table.main(["prog"])
    assert _unchanged(notes)
    table = tmp_path / "table.md"
    table.write_text(f"# old\n\n<!-- {results_table.GENERATED} from ... -->\nold rows\n")
    values(["prog", f"--output={table}"])
    results_table.main(["prog"])  # its own earlier table: replaced
    assert table.read_text() == f"<!-- {results_table.GENERATED} -->\n"
    values(["prog", f"--output={notes}", "--overwrite"])
    results_table.main(["prog"])
    assert not _unchanged(notes)
