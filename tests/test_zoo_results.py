"""tools/zoo_results.py bookkeeping: Keras' epoch times, summaries and the results table."""

import json

import pytest

from tools import zoo_results


def test_keras_train_seconds_sums_epoch_times():
    log = ("Epoch 1/2\n100/100 - 87s - 870ms/step - d_loss: 0.33 - g_loss: 2.4\n"
           "Epoch 2/2\n100/100 - 950ms - 9ms/step - d_loss: 0.4\nSamples: x.png\n")
    assert zoo_results.keras_train_seconds(log) == pytest.approx(87.95)
    assert zoo_results.keras_train_seconds("no epochs here") == 0.0


def test_summarize():
    assert zoo_results.summarize([3.0, 1.0, 2.0]) == {"mean": 2.0, "min": 1.0, "max": 3.0, "n": 3}


def test_table_row_from_a_result_file(tmp_path):
    report = {"fd": 50.0, "kid": 0.3, "precision": 0.5, "recall": 0.4, "density": 0.45,
              "coverage": 0.25, "classes_covered": 10}
    summary = {key: zoo_results.summarize([report[key], report[key] + 2])
               for _, key, _ in zoo_results.COLUMNS}
    summary["train_seconds_keras"] = zoo_results.summarize([300.0, 320.0])
    result = {"preset": "dcgan", "name": "quickstart", "arguments": "--preset=dcgan --seeds=0,1",
              "machine": {"cpu": "Some CPU", "cores": 2}, "summary": summary,
              "runs": [{"steps": 1500}, {"steps": 1500}]}
    path = tmp_path / "quickstart.json"
    path.write_text(json.dumps(result))
    lines = zoo_results.table([str(path)]).splitlines()
    assert len(lines) == 3
    row = lines[2]
    assert row.startswith("| dcgan | quickstart | 2 | 1,500 | 310 [300-320] | 51.0 [50.0-52.0] |")
    assert "11.0 [10.0-12.0]" in row and "Some CPU, 2 cores" in row
    assert "`python -m tools.zoo_results --preset=dcgan --seeds=0,1`" in row
