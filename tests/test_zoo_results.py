"""tools/zoo_results.py bookkeeping: Keras' epoch times, summaries and the results table rows."""

import json

import pytest

from tools import results_table, zoo_results

# The subject does not depend on the Keras backend: the TensorFlow pass runs these.
pytestmark = pytest.mark.backend_neutral


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
    runs = [{"steps": 1500, "train_seconds_keras": t,
             "report": {k: (v + 2 if i else v) for k, v in report.items()}}
            for i, t in enumerate((300.0, 320.0))]
    result = {"preset": "dcgan", "name": "quickstart", "arguments": "--preset=dcgan --seeds=0,1",
              "machine": {"cpu": "Some CPU", "cores": 2}, "runs": runs}
    path = tmp_path / "quickstart.json"
    path.write_text(json.dumps(result))
    lines = results_table.markdown([str(path)]).splitlines()
    header = [i for i, line in enumerate(lines) if line.startswith("| preset |")][0]
    row = lines[header + 2]
    assert row.startswith("| dcgan | [quickstart](")
    assert "| 2 | 1,500 steps, below it (step 1,500 of 11,700) |" in row  # dcgan's train.flags
    assert "| 51.0 [50.0-52.0] |" in row and "| 310 [300-320] |" in row
    assert "11.0 [10.0-12.0]" in row and "Some CPU, 2 cores" in row
    assert "| 11.0 [10.0-12.0] | n/a |" in row  # unconditional: no class accuracy
    assert "python -m tools.zoo_results" not in row


def test_class_accuracy_column_from_the_runs_of_a_conditional_preset(tmp_path):
    runs = [{"steps": 1500, "train_seconds_keras": 1.0, "report": {"conditional_accuracy": a}}
            for a in (0.9, 0.8, 0.85)]
    result = {"preset": "cdcgan", "name": "train", "arguments": "--preset=cdcgan",
              "machine": {"cpu": "Some CPU", "cores": 2}, "runs": runs}
    path = tmp_path / "train.json"
    path.write_text(json.dumps(result))
    row = results_table.row(str(path))
    assert "| 0.850 [0.800-0.900] |" in row
    assert zoo_results._summary_of(runs + [{"report": {}}], "conditional_accuracy") is None


def test_recorded_arguments_name_the_judge_dataset_when_not_the_default():
    from absl import flags

    values = flags.FlagValues()
    zoo_results._define_flags(values)
    values(["prog", "--preset=wgan", "--seeds=0,1", "--name=short", "--dataset=mnist",
            "--trainer_flag=--epochs=1"])
    assert zoo_results.recorded_arguments(values, "zoo/wgan/train.flags") == (
        "--preset=wgan --flagfile_for_trainer=zoo/wgan/train.flags --seeds=0,1 --name=short "
        "--backend=tensorflow --dataset=mnist --trainer_flag=--epochs=1")
    values(["prog", "--preset=dcgan", "--dataset=fashion_mnist"])
    assert "--dataset" not in zoo_results.recorded_arguments(values, "f")
