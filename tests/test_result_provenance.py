"""Result files carry provenance, and the generated results table (docs/results.md) says which do not.

Every zoo/*/results/*.json either holds `kerasgan.utils.provenance.FIELDS` in each run (written by
`python -m tools.zoo_results`) or is marked as written before provenance was recorded; the table
marks such rows, compares each run's steps with its documented command, and is up to date.
"""

import glob
import json
import os
import subprocess

import pytest

from kerasgan.utils import provenance
from tools import results_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULT_FILES = sorted(glob.glob(os.path.join(ROOT, "zoo", "*", "results", "*.json")))


def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_there_are_result_files():
    assert RESULT_FILES


@pytest.mark.parametrize("path", RESULT_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_every_result_file_has_provenance_or_is_marked(path):
    result = _load(path)
    assert result["runs"], path
    marked = result.get("provenance") == results_table.MISSING
    for run in result["runs"]:
        if marked:
            assert "provenance" not in run, "a marked file must not hold partial provenance"
            continue
        assert isinstance(run.get("provenance"), dict), (
            f"{path}: run of seed {run.get('seed')} has no provenance; rerun it with "
            f"python -m tools.zoo_results, or mark the file "
            f'"provenance": "{results_table.MISSING}"')
        missing = [f for f in provenance.FIELDS if f not in run["provenance"]]
        assert not missing, f"{path}: seed {run.get('seed')} lacks {missing}"
        assert run["provenance"]["steps"] == run["steps"]


@pytest.mark.parametrize("path", RESULT_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_table_marks_rows_without_provenance(path):
    row = results_table.row(path)
    marked = _load(path).get("provenance") == results_table.MISSING
    assert (" † |" in row) == marked, row
    if marked:
        assert "committed 20" in row or "date not recorded" in row, row
    assert f"](../{os.path.relpath(path, ROOT)})" in row  # the row links its file


def _result(tmp_path, runs, arguments="--preset=dcgan --flagfile_for_trainer=zoo/dcgan/train.flags"):
    result = {"preset": "dcgan", "name": "x", "arguments": arguments, "runs": runs,
              "machine": {"cpu": "Some CPU", "cores": 2, "vector_extensions": ["avx2"]}}
    path = tmp_path / "x.json"
    path.write_text(json.dumps(result))
    return str(path), result


def test_table_row_from_a_file_with_provenance(tmp_path):
    prov = provenance.collect(config={"preset": "dcgan"}, steps=11700, command="python -m x",
                              train_seconds=10.0, wall_seconds=12.0, judge_sha256="ab")
    runs = [{"seed": s, "steps": 11700, "train_seconds_keras": t, "provenance": prov,
             "report": {"fd": fd, "kid": 0.3, "recall": 0.4, "coverage": 0.2,
                        "classes_covered": 10}}
            for s, t, fd in ((0, 300.0, 50.0), (1, 320.0, 52.0))]
    path, _ = _result(tmp_path, runs)
    row = results_table.row(path)
    # dcgan's train.flags: 25 epochs of the 468 batches of 128 in Fashion-MNIST's train split.
    assert "| 11,700 steps, at documented command |" in row, row
    assert "| 51.0 [50.0-52.0] |" in row and "| 310 [300-320] |" in row
    assert "| n/a |" in row  # unconditional: no class accuracy
    assert " † " not in row and prov["date_utc"][:10] in row


def test_table_row_below_the_documented_command_lists_added_flags(tmp_path):
    runs = [{"seed": 0, "steps": 2000, "train_seconds_keras": 1.0,
             "report": {"conditional_accuracy": 0.9}}]
    path, result = _result(tmp_path, runs, "--preset=wgan --flagfile_for_trainer=zoo/wgan/"
                           "train.flags --trainer_flag=--epochs=4 --trainer_flag=--override=hidden=16")
    result["preset"] = "wgan"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f)
    row = results_table.row(path)
    # wgan's train.flags: 10 epochs of 1,094 steps.
    assert "2,000 steps, below it (step 2,000 of 10,940); `--override=hidden=16`" in row, row
    assert "`--epochs=4`" not in row
    assert "| 0.900 [0.900-0.900] |" in row
    assert " † |" in row and "date not recorded" in row  # no provenance, not committed


def test_documented_steps_follow_the_trainer():
    config = {"batch_size": 128, "steps_per_execution": 4}
    # mnist_mlp's train.flags: 200 epochs of MNIST's 60,000 train images, batch 128, cut to
    # whole executions of 4 steps (468 batches).
    assert results_table.documented_steps(
        {"dataset": "mnist", "epochs": "200", "batch_size": "128"}, "mnist_mlp", config) == 93600
    split = {"batch_size": 64, "d_steps": 5, "real_batches": "split"}
    assert results_table.documented_steps(
        {"dataset": "mnist", "epochs": "2"}, "wgan", split) == 2 * (60000 // 320)
    assert results_table.documented_steps({"epochs": "3", "steps_per_epoch": "7"}, "x", {}) == 21


def test_docs_results_md_is_generated_from_the_result_files():
    if not results_table.git_history_available():
        pytest.skip("the dates of result files without provenance come from the git history")
    with open(results_table.OUTPUT, encoding="utf-8") as f:
        assert f.read() == results_table.markdown(), (
            "docs/results.md is out of date: run python -m tools.results_table")


def test_a_run_trained_in_sittings_names_them_and_their_seconds(tmp_path):
    zen5 = {"cpu": "AMD EPYC", "cpu_family": "26", "vector_extensions": ["avx2", "avx512f"],
            "cores": 2}
    avx2 = {"cpu": "AMD EPYC", "cpu_family": "23", "vector_extensions": ["avx2"], "cores": 2}
    sittings = [{"first_step": 0, "last_step": 1726, "unrecorded": True},
                {"first_step": 1726, "last_step": 6000, "train_seconds": 3700.0, "machine": zen5},
                {"first_step": 6000, "last_step": 10940, "train_seconds": 9800.0, "machine": avx2}]
    path, _ = _result(tmp_path, [{"seed": 0, "steps": 10940, "report": {"fd": 40.0},
                                  "train_seconds_keras": 13000.0, "sittings": sittings,
                                  "train_seconds_sittings": 13500.0}])
    row = results_table.row(path)
    assert "| 13500 [13500-13500] |" in row  # the sittings' seconds, not Keras' epoch times
    assert ("trained in 3 sittings on AMD EPYC family 23 (AVX2), AMD EPYC family 26 (AVX-512) "
            "(1,726 steps on an unrecorded machine)") in row, row


@pytest.mark.backend_neutral
def test_a_run_kept_in_the_repository_leaves_the_tree_clean(tmp_path):
    """A sitting's and a result's `tree_clean` describe the code: the run's own tracked files do
    not count."""
    repo, run = tmp_path / "repo", tmp_path / "repo" / "runs" / "a"
    run.mkdir(parents=True)
    (repo / "code.py").write_text("x = 1\n")
    (run / "train.log").write_text("epoch 1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(git + args, check=True, capture_output=True)
    (run / "train.log").write_text("epoch 1\nepoch 2\n")  # the run wrote its log
    assert provenance.code_state(repo, exclude=run)["tree_clean"] is True
    assert provenance.code_state(repo)["tree_clean"] is False
    # A result file's provenance (tools.zoo_results judges a run kept in the repository).
    assert provenance.collect(repo=repo, exclude=run)["tree_clean"] is True
    (repo / "code.py").write_text("x = 2\n")  # the code changed
    assert provenance.code_state(repo, exclude=run)["tree_clean"] is False
    assert provenance.collect(repo=repo, exclude=run)["tree_clean"] is False
    # A work directory outside the checkout, or the checkout itself, excludes nothing.
    assert provenance.code_state(repo, exclude=tmp_path / "elsewhere")["tree_clean"] is False
    assert provenance.code_state(repo, exclude=repo)["tree_clean"] is False
