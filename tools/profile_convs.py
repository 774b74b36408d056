r"""Per-convolution profile of a preset's training step, TensorFlow vs JAX on the same machine.

For every `Conv2D` / `Conv2DTranspose` layer of the preset's generator and discriminator,
times (median of `--repeats`, one compiled call each, at the preset's batch size) the three
operations a training step runs: the forward pass, the input gradient and the kernel
gradient; under JAX with kerasgan's transposed-convolution gradient (the `fit()` default) and
under TensorFlow with and without XLA. Each backend runs in its own process, round-robin for
`--rounds` rounds. Prints a table (ms per call) and the per-backend sum of the convolutions,
next to the whole `fit()` step time measured by `tools/bench.py`.

Example:
    python tools/profile_convs.py --preset=dcgan --output=tools/results/profile_convs_dcgan.json
"""

import json
import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

_PRESET = flags.DEFINE_string("preset", "dcgan", "Preset whose convolutions are timed.")
_BATCH = flags.DEFINE_integer("batch_size", None, "Batch size (default: the preset's).")
_REPEATS = flags.DEFINE_integer("repeats", 7, "Timed calls per operation (median reported).")
_ROUNDS = flags.DEFINE_integer("rounds", 2, "Round-robin rounds over the backend processes.")
_OUTPUT = flags.DEFINE_string("output", "", "Write the results as JSON here.")
_CHILD = flags.DEFINE_string("child", "", "Internal: tensorflow | tensorflow_xla | jax.")

OPS = ("forward", "input_grad", "kernel_grad")


def conv_layers(gan):
    """`[(name, layer)]` of the convolutions of the generator, then the discriminator."""
    import keras

    out = []
    for net, prefix in ((gan.generator, "G"), (gan.discriminator, "D")):
        for layer in net.layers:
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
                out.append((f"{prefix} {layer.name}", layer))
    return out


def layer_call(layer):
    """A pure function `(x, kernel) -> y` doing what `layer` does, without bias/activation."""
    import keras

    kw = dict(strides=layer.strides, padding=layer.padding, data_format=layer.data_format,
              dilation_rate=layer.dilation_rate)
    if isinstance(layer, keras.layers.Conv2DTranspose):
        return lambda x, k: keras.ops.conv_transpose(x, k, output_padding=layer.output_padding, **kw)
    return lambda x, k: keras.ops.conv(x, k, **kw)


def _median_ms(fn, repeats):
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


def child(variant):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np

    import kerasgan

    overrides = {"batch_size": _BATCH.value} if _BATCH.value else {}
    gan = kerasgan.zoo.get(_PRESET.value, seed=0, **overrides)
    batch = int({**kerasgan.zoo.spec(_PRESET.value).config, **overrides}["batch_size"])
    rng = np.random.default_rng(0)
    rows = {}
    for name, layer in conv_layers(gan):
        f = layer_call(layer)
        x = rng.standard_normal((batch,) + tuple(layer.input.shape[1:])).astype("float32")
        k = (0.02 * rng.standard_normal(tuple(layer.kernel.shape))).astype("float32")
        g = rng.standard_normal((batch,) + tuple(layer.output.shape[1:])).astype("float32")
        if variant == "jax":
            import jax

            from kerasgan.trainers import jax_conv_transpose

            fns = {
                "forward": lambda x, k, g: f(x, k),
                "input_grad": lambda x, k, g: jax.vjp(lambda x: f(x, k), x)[1](g)[0],
                "kernel_grad": lambda x, k, g: jax.vjp(lambda k: f(x, k), k)[1](g)[0],
            }
            times = {}
            for op, fn in fns.items():
                jitted = jax.jit(fn)
                with jax_conv_transpose.fast_conv_transpose_grad(True):  # traced as fit() does
                    jax.block_until_ready(jitted(x, k, g))
                times[op] = _median_ms(lambda: jax.block_until_ready(jitted(x, k, g)), _REPEATS.value)
        else:
            import tensorflow as tf

            xla = variant == "tensorflow_xla"
            xv, kv, gv = tf.constant(x), tf.constant(k), tf.constant(g)

            def grad(wrt):
                def fn(x, k, g):
                    with tf.GradientTape() as tape:
                        tape.watch([x, k])
                        y = f(x, k)
                    return tape.gradient(y, [x, k][wrt], output_gradients=g)
                return fn

            fns = {"forward": lambda x, k, g: f(x, k), "input_grad": grad(0), "kernel_grad": grad(1)}
            times = {}
            for op, fn in fns.items():
                compiled = tf.function(fn, jit_compile=xla)
                times[op] = _median_ms(lambda: compiled(xv, kv, gv).numpy(), _REPEATS.value)
        rows[name] = {"times_ms": times, "input": list(x.shape), "kernel": list(k.shape),
                      "strides": list(layer.strides), "transposed": "Transpose" in type(layer).__name__}
    return {"batch": batch, "layers": rows}


def main(argv):
    del argv
    if _CHILD.value:
        print("RESULT " + json.dumps(child(_CHILD.value)), flush=True)
        return
    variants = {"jax": "jax", "tensorflow": "tensorflow", "tensorflow_xla": "tensorflow"}
    runs = {v: [] for v in variants}
    for _ in range(_ROUNDS.value):
        for variant, backend in variants.items():
            args = [sys.executable, os.path.abspath(__file__), f"--child={variant}",
                    f"--preset={_PRESET.value}", f"--repeats={_REPEATS.value}"]
            if _BATCH.value:
                args.append(f"--batch_size={_BATCH.value}")
            proc = subprocess.run(args, env={**os.environ, "KERAS_BACKEND": backend},
                                  capture_output=True, text=True)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode or not lines:
                raise SystemExit(f"{variant} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
            runs[variant].append(json.loads(lines[-1][len("RESULT "):]))
            print(f"[profile] {variant} round done", flush=True)
    layers = list(runs["jax"][0]["layers"])
    table = {}
    for name in layers:
        table[name] = {v: {op: statistics.median(r["layers"][name]["times_ms"][op] for r in runs[v])
                           for op in OPS} for v in variants}
    batch = runs["jax"][0]["batch"]
    print(f"\n{_PRESET.value}, batch {batch}: ms per call (median), JAX (kerasgan's ConvT gradient) "
          "| TF | TF+XLA")
    print(f"{'layer':<22}{'input':<18}" + "".join(f"{op:>27}" for op in OPS))
    totals = {v: 0.0 for v in variants}
    for name in layers:
        info = runs["jax"][0]["layers"][name]
        cells = []
        for op in OPS:
            vals = [table[name][v][op] for v in variants]
            cells.append(" / ".join(f"{t:7.1f}" for t in vals))
            for v in variants:
                totals[v] += table[name][v][op]
        shape = "x".join(str(d) for d in info["input"][1:])
        print(f"{name:<22}{shape:<18}" + "".join(f"{c:>27}" for c in cells))
    print("sum of the convolutions (one forward + both gradients per layer), ms: "
          + ", ".join(f"{v} {t:.0f}" for v, t in totals.items()))
    if _OUTPUT.value:
        os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
        with open(_OUTPUT.value, "w", encoding="utf-8") as f:
            json.dump({"preset": _PRESET.value, "batch": batch, "command": sys.argv,
                       "median_ms": table, "totals_ms": totals, "runs": runs,
                       "load_average_end": os.getloadavg()}, f, indent=2)
        print(f"wrote {_OUTPUT.value}")


if __name__ == "__main__":
    app.run(main)
