"""Data-parallel training and mixed precision with the engines each backend already has.

TensorFlow: `tf.distribute.MirroredStrategy` (several devices, one process) or
`tf.distribute.MultiWorkerMirroredStrategy` (several processes, `TF_CONFIG`).
JAX: `keras.distribution.DataParallel`, after `keras.distribution.initialize`
(which calls `jax.distributed.initialize`) for several processes.
PyTorch: one device only (Keras' torch backend has no data-parallel engine);
`setup("mirrored")` and `setup("multi_worker")` raise a ValueError saying so.

The batch size given to `kerasgan.data.load` / `fit` is always the *global*
batch; each of the N replicas sees `batch_size / N` images per step, and the
GAN's losses are reduced so that the update equals a one-device update on the
global batch (for networks without BatchNorm; BatchNorm statistics stay
per replica).

Example:
>>> dist = kerasgan.distribution.setup("mirrored")
>>> with dist.scope():
...     gan = kerasgan.zoo.get("mnist_mlp", seed=0)
...     gan.fit(kerasgan.data.load("mnist", preset="mnist_mlp", batch_size=256), epochs=1)
"""

import contextlib
import dataclasses
import json
import os
from typing import Any

from kerasgan import validation

STRATEGIES = ("none", "mirrored", "multi_worker")
POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclasses.dataclass
class Distribution:
    """What `setup` returns: the backend's distribution object and facts about this process.

    Attributes:
        name: One of `STRATEGIES`.
        num_replicas: Replicas (devices) that share each global batch.
        is_chief: Whether this process writes outputs (checkpoints, samples, logs).
        task_id: This process's index among the workers (0 for one process).
        engine: The `tf.distribute.Strategy` (TensorFlow), the
            `keras.distribution.DataParallel` (JAX), or None.
    """

    name: str
    num_replicas: int = 1
    is_chief: bool = True
    task_id: int = 0
    engine: Any = None

    def scope(self):
        """Context manager to build *and* fit models in (strategy / distribution scope).

        Example:
        >>> with kerasgan.distribution.setup("mirrored").scope():
        ...     gan = kerasgan.zoo.get("mnist_mlp")
        """
        if self.engine is None:
            return contextlib.nullcontext()
        return self.engine.scope()


def setup(name="none", devices=None):
    """Creates the backend's data-parallel engine for `name`.

    Call it at program start, before building any model (and, for
    `"multi_worker"`, before any other TensorFlow / JAX computation).

    Args:
        name: `"none"` (one device), `"mirrored"` (every local accelerator, else
            every local CPU device, in one process) or `"multi_worker"` (several
            processes: TensorFlow reads `TF_CONFIG`; JAX reads Keras'
            `KERAS_DISTRIBUTION_JOB_ADDRESSES`, `KERAS_DISTRIBUTION_NUM_PROCESSES`
            and `KERAS_DISTRIBUTION_PROCESS_ID`).
        devices: Optional device names for `"mirrored"` (TF: `"/gpu:0"`, JAX:
            `"gpu:0"`); default: all local GPUs/TPUs, else all local CPUs.

    Returns:
        A `kerasgan.distribution.Distribution`; build and fit inside its `scope()`.

    Example:
    >>> dist = kerasgan.distribution.setup("mirrored")
    >>> dist.num_replicas
    2
    """
    import keras

    validation.check_choice("distribution", name, STRATEGIES)
    if name == "none":
        return Distribution("none")
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _setup_tensorflow(name, devices)
    if backend == "jax":
        return _setup_jax(name, devices)
    raise single_device_error(f"distribution={name!r}", backend)


def single_device_error(what, backend):
    """The error for multi-device training under a backend without a data-parallel engine."""
    return ValueError(
        f"Expected the TensorFlow or JAX backend for multi-device training ({what}). Received: "
        f"the '{backend}' backend, which Keras gives no data-parallel engine. Train on one device "
        "(distribution='none'), or set KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax before "
        "importing keras to train on several."
    )


def _setup_tensorflow(name, devices):
    import tensorflow as tf

    if name == "mirrored":
        if devices is None:
            accelerators = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU")
            devices = [d.name for d in (accelerators or tf.config.list_logical_devices("CPU"))]
        strategy = tf.distribute.MirroredStrategy(devices)
        return Distribution(name, strategy.num_replicas_in_sync, engine=strategy)
    if devices is not None:
        raise ValueError(
            "Expected devices=None with distribution='multi_worker' (devices=... applies to "
            f"'mirrored' only). Received: devices={devices!r}. Leave devices out: multi_worker "
            "uses each worker's devices."
        )
    if "TF_CONFIG" not in os.environ:
        raise ValueError(
            "Expected TF_CONFIG in the environment for distribution='multi_worker' under "
            "TensorFlow. Received: no TF_CONFIG. Set it on each worker, e.g. "
            'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}\' on the first worker.'
        )
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    task = json.loads(os.environ["TF_CONFIG"]).get("task", {})
    task_type, task_id = task.get("type", "worker"), int(task.get("index", 0))
    # MultiWorkerMirroredStrategy's chief is "chief" if the cluster has one, else worker 0.
    cluster = json.loads(os.environ["TF_CONFIG"]).get("cluster", {})
    is_chief = task_type == "chief" or ("chief" not in cluster and task_type == "worker" and task_id == 0)
    return Distribution(name, strategy.num_replicas_in_sync, is_chief, task_id, strategy)


def _setup_jax(name, devices):
    import jax
    import keras

    if name == "multi_worker":
        if devices is not None:
            raise ValueError(
                "Expected devices=None with distribution='multi_worker' (devices=... applies to "
                f"'mirrored' only). Received: devices={devices!r}. Leave devices out: "
                "multi_worker uses all devices."
            )
        if "KERAS_DISTRIBUTION_NUM_PROCESSES" not in os.environ:
            raise ValueError(
                "Expected KERAS_DISTRIBUTION_NUM_PROCESSES in the environment for "
                "distribution='multi_worker' under JAX. Received: no "
                "KERAS_DISTRIBUTION_NUM_PROCESSES. Set KERAS_DISTRIBUTION_JOB_ADDRESSES "
                "(the coordinator's host:port first), KERAS_DISTRIBUTION_NUM_PROCESSES and "
                "KERAS_DISTRIBUTION_PROCESS_ID on each process, read by "
                "keras.distribution.initialize()."
            )
        try:
            # CPU collectives across processes need gloo; GPUs/TPUs ignore this option.
            jax.config.update("jax_cpu_collectives_implementation", "gloo")
        except (AttributeError, KeyError, ValueError):  # option absent in this JAX version
            pass
        keras.distribution.initialize()
        devices = jax.devices()
    elif devices is None:
        devices = jax.devices()
    dist = keras.distribution.DataParallel(devices=devices)
    task_id = jax.process_index()
    return Distribution(name, len(devices), task_id == 0, task_id, dist)


def simulate_cpu_devices(n):
    """Splits the host CPU into `n` devices, to try distribution without accelerators.

    Must run before the backend initialises its devices (TensorFlow: before any
    op runs; JAX: before `jax` is first imported).

    Args:
        n: Number of CPU devices.

    Example:
    >>> kerasgan.distribution.simulate_cpu_devices(2)
    >>> kerasgan.distribution.setup("mirrored").num_replicas
    2
    """
    import keras

    n = validation.check_positive_int("n", n, fix="Pass the number of CPU devices, e.g. 2.")
    if keras.backend.backend() not in ("tensorflow", "jax"):
        raise single_device_error(f"simulate_cpu_devices({n})", keras.backend.backend())
    if keras.backend.backend() == "jax":
        import sys

        flag = f"--xla_force_host_platform_device_count={n}"
        if "jax" in sys.modules and _jax_initialised():
            raise RuntimeError("simulate_cpu_devices() must run before JAX initialises its devices.")
        flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if "host_platform_device_count" not in f]
        os.environ["XLA_FLAGS"] = " ".join(flags + [flag])
        return
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)


def _jax_initialised():
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge._backends)
    except Exception:  # private API moved: assume not initialised, JAX raises later if it was
        return False


def set_mixed_precision(policy):
    """Sets Keras' global dtype policy; build GANs afterwards.

    Variables stay float32; layers compute in float16 / bfloat16. Under
    `"mixed_float16"`, `GAN.compile` wraps both optimizers in
    `keras.optimizers.LossScaleOptimizer` (dynamic loss scaling). `GAN.generate`
    and exported generators always return float32 images.

    Args:
        policy: `"float32"`, `"mixed_float16"` or `"mixed_bfloat16"`.

    Under the torch backend on a CPU, `"mixed_bfloat16"` needs a CPU with native
    bfloat16 (AVX-512 or AMX): PyTorch's fallback convolution fails on the kernels
    Keras passes it, so the policy is refused there with a ValueError.

    Example:
    >>> kerasgan.distribution.set_mixed_precision("mixed_bfloat16")
    >>> gan = kerasgan.zoo.get("mnist_mlp")
    """
    import keras

    validation.check_choice("policy", policy, POLICIES)
    if policy == "mixed_bfloat16" and keras.backend.backend() == "torch":
        _check_torch_bfloat16()
    keras.config.set_dtype_policy(policy)


def torch_has_native_bfloat16():
    """Whether PyTorch trains bfloat16 convolutions natively here (a GPU, or oneDNN on the CPU)."""
    import torch

    if torch.cuda.is_available():
        return True
    try:  # PyTorch's own check (private); a release without it is not refused
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return True


def _check_torch_bfloat16():
    if not torch_has_native_bfloat16():
        raise ValueError(
            "Expected a CPU with native bfloat16 (AVX-512 or AMX) for "
            "policy='mixed_bfloat16' under the torch backend: PyTorch's fallback convolution "
            "fails on Keras' kernels. Received: a CPU without it. Use policy='float32' here, "
            "or the tensorflow or jax backend.")
