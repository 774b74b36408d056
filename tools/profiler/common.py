"""What the profiler's modes share: flags, child processes, the preset's data, traced fits."""

import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from absl import flags

FLAGS = flags.FLAGS
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(REPO, "experiments", "profiles")
MODES = ("step", "convs", "step_ops", "jax_ops", "conv_transpose")
# Per-mode defaults of the shared flags (None on the command line = this).
_DEFAULTS = {
    "step": {"steps": 4, "repeats": None, "backend": "tensorflow"},
    "convs": {"steps": None, "repeats": 7, "backend": None},
    "step_ops": {"steps": 4, "repeats": None, "backend": None},
    "jax_ops": {"steps": 4, "repeats": None, "backend": "jax"},
    "conv_transpose": {"steps": 10, "repeats": 5, "backend": "jax"},
}


def define_flags():
    """Defines the flags of every mode (called by `python -m tools.profiler`)."""
    flags.DEFINE_enum("what", None, MODES, "What to profile (see the module docstring).")
    flags.DEFINE_string("preset", "dcgan", "Preset to profile (step, convs, step_ops, jax_ops).")
    flags.DEFINE_enum("backend", None, ["tensorflow", "jax"],
                      "Keras backend (step: of the variants, default tensorflow; conv_transpose: "
                      "of this process, default jax; step_ops: that one, default both). convs "
                      "runs both; jax_ops runs JAX.")
    flags.DEFINE_integer("batch_size", None,
                         "Batch size (default: the preset's; conv_transpose: 128).")
    flags.DEFINE_integer("steps", None,
                         "Steps per timed chunk (step, default 4), traced (step_ops and jax_ops, 4) "
                         "or per timed fit() call (conv_transpose, 10).")
    flags.DEFINE_integer("repeats", None,
                         "Timed calls per operation, median reported (convs 7, conv_transpose 5).")
    flags.DEFINE_integer("rounds", 2, "Round-robin rounds over the variant processes (step, convs, "
                         "step_ops).")
    flags.DEFINE_integer("chunks", 3, "Timed chunks per child run (step).")
    flags.DEFINE_string(
        "variants", '{"default": {}}',
        'step: JSON {"label": {"overrides": {config: value}, "env": {VAR: value}}}; the first is '
        "the base.")
    flags.DEFINE_integer("top", 15, "Op kinds to print (jax_ops).")
    flags.DEFINE_integer("kernel_size", 5, "conv_transpose: kernel size of every conv (the TF "
                         "tutorial: 5).")
    flags.DEFINE_bool("batchnorm", True, "conv_transpose: BatchNorm after the generator's hidden "
                      "layers.")
    flags.DEFINE_bool("layer", True, "conv_transpose: time the single-layer forward/gradients.")
    flags.DEFINE_bool("tf", True, "conv_transpose: also time the GAN step under TensorFlow.")
    flags.DEFINE_string("output", None,
                        "JSON results file (default: one under experiments/profiles/ named after "
                        "the mode and preset; empty: none).")
    flags.DEFINE_bool("overwrite", False, "Replace the results file if it exists (otherwise "
                      "the profiler refuses it before profiling).")
    flags.DEFINE_string("child", "", "Internal: the variant a child process runs.")
    flags.DEFINE_bool("serve", False, "Internal: conv_transpose's TensorFlow child.")
    flags.mark_flag_as_required("what")


def opt(name):
    """A shared flag's value, or the current mode's default for it."""
    value = getattr(FLAGS, name)
    return _DEFAULTS[FLAGS.what][name] if value is None else value


# Each mode's results file under experiments/profiles/ (before any `_b<batch>` suffix).
_DEFAULT_NAMES = {"step": "profile_step_{preset}_{backend}", "convs": "profile_convs_{preset}",
                  "step_ops": "profile_step_ops_{preset}", "jax_ops": "profile_jax_step_{preset}",
                  "conv_transpose": "bench_conv_transpose_{backend}"}


def output_path():
    """--output, or experiments/profiles/<the mode's name>[_b<batch>].json."""
    if FLAGS.output is not None:
        return FLAGS.output
    name = _DEFAULT_NAMES[FLAGS.what].format(preset=FLAGS.preset, backend=opt("backend"))
    suffix = f"_b{FLAGS.batch_size}" if FLAGS.batch_size and FLAGS.what != "conv_transpose" else ""
    return os.path.join(RESULTS, name + suffix + ".json")


def write_json(obj, path):
    """Writes `obj` as JSON to `path` with where it came from (commit, tree state, packages,
    machine, date; the backends are the variants' own, the command is in `obj`); nothing for an
    empty path."""
    if not path:
        return
    from kerasgan.utils import provenance

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({**obj, "provenance": provenance.origin()}, f, indent=2)
    print(f"wrote {path}")


def child_process(args, env, **kwargs):
    """`python -m tools.profiler <args>` from the repository root."""
    return [sys.executable, "-m", "tools.profiler", *args], dict(cwd=REPO, env=env, **kwargs)


def run_child(args, env):
    """Runs a child; returns the JSON it printed on its `RESULT ` line."""
    cmd, kwargs = child_process(args, env, capture_output=True, text=True)
    proc = subprocess.run(cmd, **kwargs)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise SystemExit(f"{' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def preset_data(gan, config, kerasgan):
    """Fashion-MNIST batches of one training step of the preset's config, repeated.

    With labels when the GAN is class-conditional."""
    batch = int(config["batch_size"])
    if config.get("real_batches") == "split":
        batch *= int(config.get("d_steps", 1))
    ds = kerasgan.data.load("fashion_mnist", image_shape=gan.image_shape,
                            value_range=tuple(config["value_range"]), batch_size=batch, seed=0,
                            repeat=True, labels=bool(getattr(gan, "num_classes", None)))
    return ds, batch


def compiled_preset(kerasgan, **compile_overrides):
    """(gan, ds, batch, steps_per_execution, steps to trace) of --preset, after its first call.

    `compile_overrides` (e.g. jit_compile) go to `zoo.get` beside --batch_size."""
    overrides = {"batch_size": FLAGS.batch_size} if FLAGS.batch_size else {}
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides, **compile_overrides)
    config = {**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}
    ds, batch = preset_data(gan, config, kerasgan)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    gan.fit(ds, epochs=1, steps_per_epoch=spe, verbose=0)  # compile
    return gan, ds, batch, spe, max(spe, opt("steps") // spe * spe)


def traced_fit(gan, ds, steps, backend, tool):
    """Traces `steps` fit() steps; returns (the profiler plugin's `tool` output, ms per step)."""
    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin as plugin

    if backend == "jax":
        import jax

        start_trace, stop_trace = jax.profiler.start_trace, jax.profiler.stop_trace
    else:
        import tensorflow as tf

        start_trace, stop_trace = tf.profiler.experimental.start, tf.profiler.experimental.stop
    trace_dir = tempfile.mkdtemp(prefix="kerasgan-trace-")
    try:
        start_trace(trace_dir)
        start = time.perf_counter()
        gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
        ms = 1e3 * (time.perf_counter() - start) / steps
        stop_trace()
        paths = glob.glob(os.path.join(trace_dir, "**", "*.xplane.pb"), recursive=True)
        data, _ = plugin.xspace_to_tools_data(paths, tool, {})
    finally:
        shutil.rmtree(trace_dir, ignore_errors=True)
    return json.loads(data), ms


def median_ms(fn, repeats):
    """Median ms of `repeats` calls of `fn`, after one untimed call (compilation, warm-up)."""
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)
