r"""What one option costs: a preset's `fit()` steps/s under variants (config overrides or env).

Each variant runs in its own process (so environment variables such as `XLA_FLAGS` apply);
variants run round-robin for `--rounds` rounds to spread machine drift, and each child times
`--chunks` chunks of `--steps` steps within one `fit()` call, after its first
(compiling) execution. Prints a table (median chunk
steps/s per variant, its ratio to the first variant) and writes JSON.

Examples:
    # Cost of the gradient penalty in wgan_gp (double backward through the critic):
    python tools/profile_step.py --preset=wgan_gp --backend=tensorflow --batch_size=16 \
        --variants='{"gp": {}, "no_gp": {"overrides": {"gradient_penalty_weight": 0}}}'
    # An XLA:CPU flag under JAX:
    python tools/profile_step.py --preset=dcgan --backend=jax \
        --variants='{"default": {}, "xnn": {"env": {"XLA_FLAGS": "--xla_cpu_use_xnnpack=true"}}}'
"""

import json
import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

_PRESET = flags.DEFINE_string("preset", "dcgan", "Preset to time.")
_BACKEND = flags.DEFINE_enum("backend", "tensorflow", ["tensorflow", "jax"], "Keras backend.")
_BATCH = flags.DEFINE_integer("batch_size", None, "Batch size override (default: the preset's).")
_VARIANTS = flags.DEFINE_string(
    "variants", '{"default": {}}',
    'JSON: {"label": {"overrides": {config: value}, "env": {VAR: value}}}; the first is the base.')
_STEPS = flags.DEFINE_integer("steps", 4, "Steps per timed chunk.")
_CHUNKS = flags.DEFINE_integer("chunks", 3, "Timed chunks per child run.")
_ROUNDS = flags.DEFINE_integer("rounds", 2, "Round-robin rounds over the variants.")
_OUTPUT = flags.DEFINE_string("output", "", "Write the results as JSON here.")
_CHILD = flags.DEFINE_string("child", "", "Internal: run one variant (its JSON) and print JSON.")


def child(spec):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    import kerasgan

    overrides = dict(spec.get("overrides", {}))
    if _BATCH.value:
        overrides["batch_size"] = _BATCH.value
    gan = kerasgan.zoo.get(_PRESET.value, seed=0, **overrides)
    preset = kerasgan.zoo.spec(_PRESET.value)
    config = {**preset.config, **overrides}
    batch = int(config["batch_size"])
    if config.get("real_batches") == "split":
        batch *= int(config.get("d_steps", 1))
    ds = kerasgan.data.load("fashion_mnist", image_shape=gan.image_shape,
                            value_range=tuple(config["value_range"]), batch_size=batch, seed=0,
                            repeat=True)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    executions = max(1, -(-_STEPS.value // spe))  # per chunk
    marks = []

    class Marks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            marks.append(time.perf_counter())

    # One fit() call: the first execution (tracing and compilation) is not timed, then
    # `chunks` chunks of `executions` executions each, timed at batch ends.
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=spe * (1 + executions * _CHUNKS.value), verbose=0,
            callbacks=[Marks()])
    first = marks[0] - start
    rates = [executions * spe / (marks[(i + 1) * executions] - marks[i * executions])
             for i in range(_CHUNKS.value)]
    steps = executions * spe
    import resource

    return {"first_call_s": first, "steps_per_s": rates, "batch": batch, "steps": steps,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv):
    del argv
    if _CHILD.value:
        print("RESULT " + json.dumps(child(json.loads(_CHILD.value))), flush=True)
        return
    variants = json.loads(_VARIANTS.value)
    if not variants:
        raise app.UsageError("--variants is empty; give at least one, e.g. '{\"default\": {}}'.")
    results = {label: [] for label in variants}
    for _ in range(_ROUNDS.value):
        for label, spec in variants.items():
            env = {**os.environ, "KERAS_BACKEND": _BACKEND.value,
                   **{k: str(v) for k, v in spec.get("env", {}).items()}}
            args = [sys.executable, os.path.abspath(__file__), f"--child={json.dumps(spec)}",
                    f"--preset={_PRESET.value}", f"--steps={_STEPS.value}",
                    f"--chunks={_CHUNKS.value}"] + ([f"--batch_size={_BATCH.value}"] if _BATCH.value else [])
            proc = subprocess.run(args, env=env, capture_output=True, text=True)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode or not lines:
                raise SystemExit(f"variant {label!r} failed (exit {proc.returncode}):\n"
                                 f"{proc.stderr[-3000:]}")
            results[label].append(json.loads(lines[-1][len("RESULT "):]))
            print(f"{label}: {[round(r, 3) for r in results[label][-1]['steps_per_s']]} steps/s",
                  flush=True)
    base = None
    print(f"\n{_PRESET.value} ({_BACKEND.value}), batch {results[next(iter(results))][0]['batch']}:")
    print(f"{'variant':<16}{'steps/s':>10}{'ratio':>8}{'1st call s':>12}{'RSS MB':>8}")
    summary = {}
    for label, runs in results.items():
        rates = [r for run in runs for r in run["steps_per_s"]]
        med = statistics.median(rates)
        base = base or med
        summary[label] = {"median_steps_per_s": med, "ratio_to_first": med / base,
                          "all_steps_per_s": rates, "runs": runs, "spec": variants[label]}
        print(f"{label:<16}{med:>10.3f}{med / base:>8.3f}"
              f"{statistics.median(r['first_call_s'] for r in runs):>12.1f}"
              f"{max(r['rss_mb'] for r in runs):>8.0f}")
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f}")
    if _OUTPUT.value:
        os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
        with open(_OUTPUT.value, "w", encoding="utf-8") as f:
            json.dump({"preset": _PRESET.value, "backend": _BACKEND.value, "command": sys.argv,
                       "load_average_end": load, "variants": summary}, f, indent=2)
        print(f"wrote {_OUTPUT.value}")


if __name__ == "__main__":
    app.run(main)
