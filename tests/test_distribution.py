"""Data-parallel training on two virtual CPU devices (weights, clipping, diagnostics, batches that
do not split, the NaN stop), multi-worker training, mixed precision.

Device configuration and dtype policies are global and must be set before the
backend initialises, so each check runs in a fresh subprocess: this file is
also the script those subprocesses run (`python tests/test_distribution.py MODE`).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIMEOUT = 150


def _env(**extra):
    import keras
    from conftest import child_pythonpath

    env = dict(os.environ)
    env.update(KERAS_BACKEND=keras.backend.backend(), TF_CPP_MIN_LOG_LEVEL="2",
               KERASGAN_NO_DOWNLOAD="1", PYTHONPATH=child_pythonpath(ROOT, HERE))
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def _run_mode(mode):
    """Runs this file as `python test_distribution.py MODE`; returns its JSON report."""
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), mode], env=_env(), capture_output=True,
        text=True, timeout=TIMEOUT,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def two_devices():
    return _run_mode("two_devices")


def test_two_devices_match_one_device_on_the_global_batch(two_devices):
    assert two_devices["num_replicas"] == 2
    assert two_devices["max_weight_diff"] <= 1e-5, two_devices
    # Training moved the weights by far more than the tolerance.
    assert two_devices["max_weight_change"] > 1e-3, two_devices
    assert two_devices["iterations"] == [6, 3]  # two critic steps per generator step


def test_weight_clipping_under_data_parallel(two_devices):
    assert two_devices["clip_max_abs"] <= 0.01 + 1e-7, two_devices
    assert two_devices["clip_changed"], two_devices


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_trains_with_float32_variables(two_devices, policy):
    report = two_devices["mixed"][policy]
    assert all(np.isfinite(report["losses"])), report
    assert report["variable_dtypes"] == ["float32"], report
    assert report["compute_dtype"] == policy.split("_")[1], report
    assert report["generate_dtype"] == "float32", report
    assert report["loss_scaled"] == (policy == "mixed_float16"), report
    assert report["iterations"] == [6, 3], report


def test_uneven_or_small_batch_over_replicas_is_refused(two_devices):
    report = two_devices["replicas"]
    assert report["num_replicas"] == 2 and report["seen"] == 2, report
    assert "multiple of the 2 replicas" in report.get("error", ""), report
    assert "Received: a batch of 1 image(s)" in report["error"], report
    assert "Received: a batch of 9 image(s)" in report.get("uneven_error", ""), report
    assert report["iterations_after_error"] == 0, report  # rejected before any step
    assert report["iterations"] == 2, report  # batches of 2 train on 2 replicas


def test_diagnostics_under_data_parallel_match_one_device(two_devices):
    report = two_devices["diagnostics"]
    from test_diagnostics import DIAGNOSTICS

    for name in ("d_loss", "g_loss", *DIAGNOSTICS):
        np.testing.assert_allclose(report["two"][name], report["one"][name], rtol=1e-4,
                                   atol=1e-6, err_msg=name)
    # Loss scaling: norms are unscaled (near the float32 ones) and finite.
    for name in ("d_grad_norm", "g_grad_norm"):
        np.testing.assert_allclose(report["float16"][name], report["one"][name], rtol=0.05,
                                   err_msg=name)


def test_two_replicas_stop_together_with_the_weights_of_the_step_before(two_devices):
    # A NaN in one replica's half of batch 5: both replicas stop there, with the state (weights,
    # statistics, EMA, noise, optimizers) they had after batch 4.
    assert two_devices["nan_stop"] == {"num_replicas": 2, "steps": 4,
                                       "batches_seen": [0, 1, 2, 3, 4], "same_state": True}


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _run_workers(envs, args_for, timeout=TIMEOUT):
    """Starts one process per env; waits with a bound; always kills what is left."""
    procs = []
    try:
        for i, env in enumerate(envs):
            log = tempfile.TemporaryFile(mode="w+")
            procs.append((subprocess.Popen(args_for(i), env=env, stdout=log,
                                           stderr=subprocess.STDOUT, text=True), log))
        outputs = []
        for proc, log in procs:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            log.seek(0)
            outputs.append((proc.returncode, log.read()))
        return outputs
    finally:
        for proc, log in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()


def _write_idx(directory, n=64, seed=0):
    from test_resume import write_idx_images

    write_idx_images(directory, n=n, seed=seed)


def test_multi_worker_trainer_on_localhost(tmp_path):
    import keras

    data = tmp_path / "data"
    _write_idx(data)
    num_workers = 2
    ports = _free_ports(num_workers)
    if keras.backend.backend() == "tensorflow":
        cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
        envs = [_env(TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}))
                for i in range(num_workers)]
    else:
        envs = [_env(KERAS_DISTRIBUTION_JOB_ADDRESSES=",".join(f"127.0.0.1:{p}" for p in ports),
                     KERAS_DISTRIBUTION_NUM_PROCESSES=str(num_workers),
                     KERAS_DISTRIBUTION_PROCESS_ID=str(i)) for i in range(num_workers)]
    out = tmp_path / "run"

    def args(i):
        return [sys.executable, "-m", "kerasgan.train", "--preset=mnist_mlp", f"--dataset={data}",
                f"--output_dir={out}", "--distribution=multi_worker", "--epochs=1",
                "--steps_per_epoch=1", "--batch_size=8", "--num_samples=4", "--verbose=0",
                "--override=g_widths=(16,)", "--override=d_widths=(16,)"]

    results = _run_workers(envs, args)
    for i, (rc, log) in enumerate(results):
        assert rc == 0, f"worker {i} exit {rc}:\n{log[-5000:]}"
    assert (out / "checkpoint.keras").exists()
    assert (out / "checkpoint.keras.epoch").read_text().strip() == "1"
    config = json.loads((out / "config.json").read_text())
    assert config["distribution"] == "multi_worker" and config["num_replicas"] == 2, config
    # Only the chief writes outputs.
    assert not any(p.name.startswith("worker") for p in out.iterdir())


# --------------------------------------------------------------- subprocess side


def _values(variables):
    import keras

    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _tiny_gan(seed=0, **gan_kwargs):
    import keras

    import kerasgan
    from kerasgan.networks import mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    g = mlp_generator(8, (16,), (4, 4, 1), "sigmoid", batch_norm=False)
    d = mlp_discriminator((4, 4, 1), (16,))
    return kerasgan.GAN(g, d, seed=seed, **gan_kwargs)


def _dataset(global_batch=8, steps=3):
    import tensorflow as tf

    images = np.random.default_rng(0).uniform(0, 1, (global_batch * steps, 4, 4, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(images).batch(global_batch, drop_remainder=True)


def _train(dist, **gan_kwargs):
    """Three steps of two critic updates each, with the diagnostics logged."""
    import keras

    with dist.scope():
        gan = _tiny_gan(d_steps=2, diagnostics=True, **gan_kwargs)
        loss = "wasserstein" if gan_kwargs.get("clip_value") else "non_saturating"
        # SGD is linear in the gradients, so a wrong cross-replica reduction (sum instead of
        # mean) shows; Adam would hide it (it is invariant to the gradients' scale).
        gan.compile(d_optimizer=keras.optimizers.SGD(0.5, momentum=0.9),
                    g_optimizer=keras.optimizers.SGD(0.5, momentum=0.9), loss=loss)
        before = {"all": _values(gan.trainable_variables), "d": _values(gan.d_variables)}
        history = gan.fit(_dataset(), epochs=1, verbose=0)
    return gan, before, history


def _replicas_report(dist):
    """A batch that does not split over the replicas is refused, before any step."""
    import keras
    from conftest import TF_GRAPH, random_images, tiny_mlp_gan

    from kerasgan import validation

    report = {"num_replicas": dist.num_replicas}
    with dist.scope():
        # The GAN and batch of the NaN-stop check: one compiled step serves both.
        gan = tiny_mlp_gan(ema_decay=0.9)
        gan.compile(**TF_GRAPH)
        report["seen"] = validation.num_replicas(gan)
        try:
            gan.fit(random_images(1), batch_size=1, verbose=0)
        except ValueError as e:
            report["error"] = str(e)
        try:
            gan.fit(random_images(9), batch_size=9, verbose=0)
        except ValueError as e:
            report["uneven_error"] = str(e)
        report["iterations_after_error"] = int(
            keras.ops.convert_to_numpy(gan.g_optimizer.iterations))
        gan.fit(random_images(4), batch_size=2, verbose=0)
        report["iterations"] = int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations))
    return report


def _nan_stop_report(dist):
    """A NaN in the first replica's image of batch 5 of 8 (2 images each): the state after that
    batch and at the stop against the state a callback read after batch 4."""
    import keras
    import tensorflow as tf
    from conftest import TF_GRAPH, random_images, tiny_mlp_gan

    def state(gan):
        return [np.array(keras.ops.convert_to_numpy(v)) for v in
                gan.trainable_variables + gan.non_trainable_variables + gan.optimizer.variables]

    after = {}

    class AfterBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            after[batch] = state(self.model)

    ds = tf.data.Dataset.from_tensor_slices(random_images(16)).batch(2).enumerate().map(
        lambda i, b: tf.where(i == 4, tf.concat([b[:1] + np.float32("nan"), b[1:]], 0), b))
    with dist.scope():
        gan = tiny_mlp_gan(ema_decay=0.9)
        gan.compile(**TF_GRAPH)
    gan.fit(ds, verbose=0, validate_data=False, callbacks=[AfterBatch()])
    return {"num_replicas": dist.num_replicas,
            "steps": int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)),
            "batches_seen": sorted(after),
            "same_state": all(np.array_equal(a, b) for final in (state(gan), after.get(4, ()))
                              for a, b in zip(final, after[3]))}


def _logs(history):
    return {k: [float(x) for x in v] for k, v in history.history.items()}


def _two_devices_main():
    """Every two-device check in one process (devices are fixed when the backend starts)."""
    import kerasgan.distribution as kd

    kd.simulate_cpu_devices(2)
    import keras

    # One strategy for every check: TensorFlow's collectives clash between two in one process.
    dist = kd.setup("mirrored")
    report = {"num_replicas": dist.num_replicas, "replicas": _replicas_report(dist),
              "nan_stop": _nan_stop_report(dist)}
    single, before, single_history = _train(kd.setup("none"))
    multi, _, multi_history = _train(dist)
    a, b = _values(single.trainable_variables), _values(multi.trainable_variables)
    report["max_weight_diff"] = max(float(np.abs(x - y).max()) for x, y in zip(a, b))
    report["max_weight_change"] = max(float(np.abs(x - y).max()) for x, y in zip(a, before["all"]))
    report["iterations"] = [int(v) for v in _values([multi.d_optimizer.iterations, multi.g_optimizer.iterations])]

    clipped, clip_before, _ = _train(dist, clip_value=0.01)
    d_after = _values(clipped.d_variables)
    report["clip_max_abs"] = max(float(np.abs(v).max()) for v in d_after)
    report["clip_changed"] = any(not np.array_equal(x, y) for x, y in zip(d_after, clip_before["d"]))

    # The logged diagnostics on one device, on two, and on two under mixed_float16.
    report["diagnostics"] = {"one": _logs(single_history), "two": _logs(multi_history)}
    report["mixed"] = {}
    for policy in ("mixed_bfloat16", "mixed_float16"):
        kd.set_mixed_precision(policy)
        try:
            gan, _, history = _train(dist)
            if policy == "mixed_float16":
                report["diagnostics"]["float16"] = _logs(history)
            report["mixed"][policy] = {
                "losses": history.history["d_loss"] + history.history["g_loss"],
                "variable_dtypes": sorted({v.dtype for v in gan.trainable_variables}),
                "compute_dtype": str(gan.generator.layers[-2].compute_dtype),
                "generate_dtype": str(gan.generate(4, seed=0).dtype),
                "loss_scaled": isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer),
                "iterations": [int(v) for v in _values([gan.d_optimizer.iterations, gan.g_optimizer.iterations])],
            }
        finally:
            kd.set_mixed_precision("float32")
    print("RESULT " + json.dumps(report), flush=True)


if __name__ == "__main__":
    sys.path[:0] = [ROOT, HERE]
    {"two_devices": _two_devices_main}[sys.argv[1]]()
    os._exit(0)  # the report is printed; the interpreter's teardown adds seconds, not checks
