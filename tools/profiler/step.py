r"""--what=step: what one option costs, in steps/s of a preset's fit().

Each variant (config overrides and/or environment variables such as XLA_FLAGS) runs in its own
process for --rounds rounds; each process times --chunks chunks of --steps steps within one fit()
call, after its first (compiling) execution.
    # Cost of the gradient penalty in wgan_gp (double backward through the critic):
    python -m tools.profiler --what=step --preset=wgan_gp --backend=tensorflow --batch_size=16 \
        --variants='{"gp": {}, "no_gp": {"overrides": {"gradient_penalty_weight": 0}}}'
    # An XLA:CPU flag under JAX:
    python -m tools.profiler --what=step --preset=dcgan --backend=jax \
        --variants='{"default": {}, "xnn": {"env": {"XLA_FLAGS": "--xla_cpu_use_xnnpack=true"}}}'
"""

import json
import os
import statistics
import sys
import time

from absl import app

from tools.profiler.common import FLAGS, opt, output_path, preset_data, run_child, write_json


def child(spec):
    """One variant's process: times its chunks of fit() steps."""
    import resource

    import keras

    import kerasgan

    overrides = dict(spec.get("overrides", {}))
    if FLAGS.batch_size:
        overrides["batch_size"] = FLAGS.batch_size
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides)
    config = {**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}
    ds, batch = preset_data(gan, config, kerasgan)
    spe = int(getattr(gan, "steps_per_execution", 1) or 1)
    executions = max(1, -(-opt("steps") // spe))  # per chunk
    marks = []

    class Marks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            marks.append(time.perf_counter())

    # One fit() call: the first execution (tracing and compilation) is not timed, then
    # `chunks` chunks of `executions` executions each, timed at batch ends.
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=spe * (1 + executions * FLAGS.chunks), verbose=0,
            callbacks=[Marks()])
    first = marks[0] - start
    rates = [executions * spe / (marks[(i + 1) * executions] - marks[i * executions])
             for i in range(FLAGS.chunks)]
    return {"first_call_s": first, "steps_per_s": rates, "batch": batch, "steps": executions * spe,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main():
    """Runs every variant's processes round-robin; prints and writes the table."""
    variants = json.loads(FLAGS.variants)
    if not variants:
        raise app.UsageError("--variants is empty; give at least one, e.g. '{\"default\": {}}'.")
    backend = opt("backend")
    results = {label: [] for label in variants}
    for _ in range(FLAGS.rounds):
        for label, spec in variants.items():
            env = {**os.environ, "KERAS_BACKEND": backend,
                   **{k: str(v) for k, v in spec.get("env", {}).items()}}
            args = ["--what=step", f"--child={json.dumps(spec)}", f"--preset={FLAGS.preset}",
                    f"--steps={opt('steps')}", f"--chunks={FLAGS.chunks}"]
            if FLAGS.batch_size:
                args.append(f"--batch_size={FLAGS.batch_size}")
            results[label].append(run_child(args, env))
            print(f"{label}: {[round(r, 3) for r in results[label][-1]['steps_per_s']]} steps/s",
                  flush=True)
    base = None
    print(f"\n{FLAGS.preset} ({backend}), batch {results[next(iter(results))][0]['batch']}:")
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
    write_json({"preset": FLAGS.preset, "backend": backend, "command": sys.argv,
                 "load_average_end": load, "variants": summary},
                output_path())
