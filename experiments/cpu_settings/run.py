"""Step time of a preset under CPU settings, each in its own process, round-robin.

--study=isa: the CPU's vector extensions capped at AVX2 against uncapped. The slowest
machine type here has AVX2 only; this one has AVX-512. Capping oneDNN
(`ONEDNN_MAX_CPU_ISA=AVX2`) and XLA (`--xla_cpu_max_isa=AVX2`) separates what the
missing AVX-512 costs a preset's step from what the older cores cost; a preset whose
step was measured on the AVX2 type (dcgan) then calibrates the second factor.

--study=threads: TensorFlow's intra-/inter-op thread pools (`TF_NUM_INTRAOP_THREADS`,
`TF_NUM_INTEROP_THREADS`) and XLA:CPU's threading under JAX, on 2 cores.

    KERASGAN_NO_DOWNLOAD=1 python experiments/cpu_settings/run.py --study=isa \
        --presets=dcgan,cdcgan_small --output=experiments/cpu_settings/<name>.json

A process times --steps steps of batch 128 after a warm-up epoch and reports the
median of --repeats such epochs; the summary gives, per preset and settings, the median
over rounds and the fastest epoch of all.
"""

import json
import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

flags.DEFINE_list("presets", ["dcgan", "cdcgan_small"], "Presets to time.")
flags.DEFINE_integer("steps", 30, "Steps per timed epoch.")
flags.DEFINE_integer("repeats", 3, "Timed epochs per process.")
flags.DEFINE_integer("rounds", 2, "Round-robin rounds over the configurations.")
flags.DEFINE_string("output", "", "Write the results as JSON here.")
flags.DEFINE_string("child", "", "Internal: preset,config to time in this process.")
FLAGS = flags.FLAGS

# study -> name -> (backend, environment, jit_compile)
_CAP = {"ONEDNN_MAX_CPU_ISA": "AVX2", "XLA_FLAGS": "--xla_cpu_max_isa=AVX2"}
STUDIES = {
    "isa": {
        "native_auto": ("tensorflow", {}, "auto"),
        "avx2_xla": ("tensorflow", _CAP, True),
        "avx2_graph": ("tensorflow", _CAP, False),
    },
    "threads": {
        "tf_default": ("tensorflow", {}, "auto"),
        "tf_intra2_inter1": ("tensorflow", {"TF_NUM_INTRAOP_THREADS": "2",
                                            "TF_NUM_INTEROP_THREADS": "1"}, "auto"),
        "tf_intra1_inter2": ("tensorflow", {"TF_NUM_INTRAOP_THREADS": "1",
                                            "TF_NUM_INTEROP_THREADS": "2"}, "auto"),
        "tf_intra1_inter1": ("tensorflow", {"TF_NUM_INTRAOP_THREADS": "1",
                                            "TF_NUM_INTEROP_THREADS": "1"}, "auto"),
        "jax_default": ("jax", {}, "auto"),
        "jax_single_thread_eigen": ("jax", {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"},
                                    "auto"),
    },
}
flags.DEFINE_enum("study", "isa", list(STUDIES), "Which settings to compare.")


def child(preset, config):
    import keras
    import numpy as np

    import kerasgan

    jit = STUDIES[FLAGS.study][config][2]
    gan = kerasgan.zoo.get(preset, seed=0, batch_size=128, jit_compile=jit)
    n = 128 * FLAGS.steps
    low, high = gan.output_range
    x = np.random.default_rng(0).uniform(low, high, (n,) + gan.image_shape).astype("float32")
    y = (np.arange(n) % gan.num_classes).astype("int32") if gan.conditioning else None
    gan.fit(x, y, batch_size=128, epochs=1, verbose=0)  # compiles
    times = []
    for _ in range(FLAGS.repeats):
        start = time.perf_counter()
        gan.fit(x, y, batch_size=128, epochs=1, verbose=0)
        keras.ops.convert_to_numpy(gan.g_optimizer.iterations)
        times.append(1e3 * (time.perf_counter() - start) / FLAGS.steps)
    return {"preset": preset, "config": config, "jit_compile": str(jit),
            "ms_per_step": statistics.median(times), "ms_per_step_repeats": times}


def main(argv):
    del argv
    if FLAGS.child:
        preset, config = FLAGS.child.split(",")
        print("RESULT " + json.dumps(child(preset, config)), flush=True)
        return
    from kerasgan.utils import provenance

    rows = []
    for r in range(FLAGS.rounds):
        for preset in FLAGS.presets:
            for config, (backend, env_extra, _) in STUDIES[FLAGS.study].items():
                env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2",
                           **env_extra)
                proc = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), f"--child={preset},{config}",
                     f"--study={FLAGS.study}",
                     f"--steps={FLAGS.steps}", f"--repeats={FLAGS.repeats}"],
                    env=env, capture_output=True, text=True, cwd=ROOT)
                lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
                if proc.returncode or not lines:
                    raise RuntimeError(f"{preset} {config} failed:\n{proc.stderr[-3000:]}")
                row = dict(json.loads(lines[-1][7:]), round=r)
                rows.append(row)
                print(f"round {r} {preset:14s} {config:12s} {row['ms_per_step']:8.1f} ms/step",
                      flush=True)
    summary = {}
    for preset in FLAGS.presets:
        med = {c: statistics.median(x["ms_per_step"] for x in rows
                                    if x["preset"] == preset and x["config"] == c)
               for c in STUDIES[FLAGS.study]}
        # Interference only slows an epoch down, so the fastest epoch is the step's own cost.
        fastest = {c: min(t for x in rows if x["preset"] == preset and x["config"] == c
                          for t in x["ms_per_step_repeats"])
                   for c in STUDIES[FLAGS.study]}
        summary[preset] = {"median": med, "fastest": fastest}
        print(preset, json.dumps(summary[preset]))
    if FLAGS.output:
        result = {"command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
                  "date": time.strftime("%Y-%m-%d"), "machine": provenance.machine(),
                  "code": provenance.code_state(ROOT), "versions": provenance.package_versions(),
                  "rows": rows, "summary": summary}
        with open(FLAGS.output, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    app.run(main)
