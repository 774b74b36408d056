"""--what=convs: every convolution of a preset, forward and both gradients, per backend.

Every Conv2D / Conv2DTranspose of the preset's generator and discriminator, timed (median of
--repeats, one compiled call each, at the preset's batch size) for the three operations a step
runs: forward, input gradient, kernel gradient; under JAX with kerasgan's transposed-convolution
gradient and batch-split kernel gradients (the fit() defaults), under TensorFlow with and without
XLA, and, where PyTorch is installed (an optional bench-only dependency), as the PyTorch eager
twin of tools/bench_torch.py computes it (NCHW, `torch.autograd.grad` of one recorded forward for
each gradient, so each gradient is its own kernel call): the per-op account of the bench's
kerasgan vs PyTorch ratio.
    python -m tools.profiler --what=convs --preset=dcgan --repeats=7 --rounds=2
"""

import os
import statistics
import sys

from tools.profiler.common import FLAGS, median_ms, opt, output_path, run_child, write_json

_CONV_OPS = ("forward", "input_grad", "kernel_grad")


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


def torch_conv(layer, kernel):
    """The PyTorch twin of `layer`'s convolution, without bias or activation, NCHW.

    Built by tools/bench_torch_nets.py.

    `kernel`: the weights, in Keras' layout (as `layer.kernel`).

    A "same" padding that is odd in total is symmetric in PyTorch (one row shifted, the usual
    PyTorch spelling): the same shapes and work, values equal where the padding is even or "valid".
    """
    import numpy as np
    import torch
    import torch.nn as nn

    from tools import bench_torch_nets

    if getattr(layer, "is_tied", False):
        raise ValueError(f"Expected a layer with a kernel of its own. Received: layer "
                         f"'{layer.name}', which shares another layer's kernel. Its PyTorch twin "
                         "needs the whole network: use tools/bench_torch_nets.keras_to_torch.")
    in_shape, out_shape = (tuple(int(d) for d in t.shape[1:]) for t in (layer.input, layer.output))
    module = bench_torch_nets.convert_layer(layer, in_shape, out_shape, tied_sources={})
    ops = [m for m in module.modules() if isinstance(m, (nn.ZeroPad2d, nn.Conv2d, nn.ConvTranspose2d))]
    ops[-1].register_parameter("bias", None)
    with torch.no_grad():
        ops[-1].weight.copy_(torch.from_numpy(np.asarray(kernel).transpose(3, 2, 0, 1).copy()))
    return nn.Sequential(*ops)


def _torch_times(layer, x, k, g, repeats):
    """ms per call of the PyTorch twin: forward, input gradient, kernel gradient."""
    import torch

    from tools import bench_torch

    torch.set_num_threads(bench_torch.cores())
    module = torch_conv(layer, k)
    weight = module[-1].weight
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
    gt = torch.from_numpy(g.transpose(0, 3, 1, 2).copy())
    y = module(xt)  # recorded once; each gradient replays its own backward kernel

    def forward():
        with torch.no_grad():
            module(xt)

    return {"forward": median_ms(forward, repeats),
            "input_grad": median_ms(lambda: torch.autograd.grad(y, xt, gt, retain_graph=True),
                                     repeats),
            "kernel_grad": median_ms(lambda: torch.autograd.grad(y, weight, gt, retain_graph=True),
                                      repeats)}


def child(variant):
    """One variant's process: times every convolution of the preset."""
    import numpy as np

    import kerasgan

    repeats = opt("repeats")
    overrides = {"batch_size": FLAGS.batch_size} if FLAGS.batch_size else {}
    gan = kerasgan.zoo.get(FLAGS.preset, seed=0, **overrides)
    batch = int({**kerasgan.zoo.spec(FLAGS.preset).config, **overrides}["batch_size"])
    rng = np.random.default_rng(0)
    rows = {}
    for name, layer in conv_layers(gan):
        f = layer_call(layer)
        x = rng.standard_normal((batch,) + tuple(layer.input.shape[1:])).astype("float32")
        k = (0.02 * rng.standard_normal(tuple(layer.kernel.shape))).astype("float32")
        g = rng.standard_normal((batch,) + tuple(layer.output.shape[1:])).astype("float32")
        if variant == "torch":
            times = _torch_times(layer, x, k, g, repeats)
        elif variant == "jax":
            import jax

            from kerasgan.trainers import jax_conv_split, jax_conv_transpose

            fns = {
                "forward": lambda x, k, g: f(x, k),
                "input_grad": lambda x, k, g: jax.vjp(lambda x: f(x, k), x)[1](g)[0],
                "kernel_grad": lambda x, k, g: jax.vjp(lambda k: f(x, k), k)[1](g)[0],
            }
            times = {}
            for op, fn in fns.items():
                jitted = jax.jit(fn)
                with jax_conv_transpose.fast_conv_transpose_grad(True), \
                        jax_conv_split.split_kernel_grads():  # traced as fit() does
                    jax.block_until_ready(jitted(x, k, g))
                times[op] = median_ms(lambda: jax.block_until_ready(jitted(x, k, g)), repeats)
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
                times[op] = median_ms(lambda: compiled(xv, kv, gv).numpy(), repeats)
        rows[name] = {"times_ms": times, "input": list(x.shape), "kernel": list(k.shape),
                      "strides": list(layer.strides), "transposed": "Transpose" in type(layer).__name__}
    return {"batch": batch, "layers": rows}


def main():
    """Runs the variants round-robin; prints and writes ms per call of each convolution."""
    from tools import bench_torch

    variants = {"jax": "jax", "tensorflow": "tensorflow", "tensorflow_xla": "tensorflow"}
    if bench_torch.available():
        variants["torch"] = "tensorflow"  # Keras builds the preset; the child times PyTorch
    else:
        print("[profile] PyTorch column skipped: PyTorch is not installed (optional, bench-only: "
              "pip install torch==2.13.0)", flush=True)
    runs = {v: [] for v in variants}
    for _ in range(FLAGS.rounds):
        for variant, backend in variants.items():
            args = ["--what=convs", f"--child={variant}", f"--preset={FLAGS.preset}",
                    f"--repeats={opt('repeats')}"]
            if FLAGS.batch_size:
                args.append(f"--batch_size={FLAGS.batch_size}")
            runs[variant].append(run_child(args, {**os.environ, "KERAS_BACKEND": backend}))
            print(f"[profile] {variant} round done", flush=True)
    layers = list(runs["jax"][0]["layers"])
    table = {}
    for name in layers:
        table[name] = {v: {op: statistics.median(r["layers"][name]["times_ms"][op] for r in runs[v])
                           for op in _CONV_OPS} for v in variants}
    batch = runs["jax"][0]["batch"]
    labels = {"jax": "JAX (kerasgan's gradients)", "tensorflow": "TF",
              "tensorflow_xla": "TF+XLA", "torch": "PyTorch"}
    width = 10 * len(variants) + 7
    print(f"\n{FLAGS.preset}, batch {batch}: ms per call (median), "
          + " | ".join(labels[v] for v in variants))
    print(f"{'layer':<22}{'input':<18}" + "".join(f"{op:>{width}}" for op in _CONV_OPS))
    totals = {v: 0.0 for v in variants}
    for name in layers:
        info = runs["jax"][0]["layers"][name]
        cells = []
        for op in _CONV_OPS:
            vals = [table[name][v][op] for v in variants]
            cells.append(" / ".join(f"{t:7.1f}" for t in vals))
            for v in variants:
                totals[v] += table[name][v][op]
        shape = "x".join(str(d) for d in info["input"][1:])
        print(f"{name:<22}{shape:<18}" + "".join(f"{c:>{width}}" for c in cells))
    print("sum of the convolutions (one forward + both gradients per layer), ms: "
          + ", ".join(f"{v} {t:.0f}" for v, t in totals.items()))
    write_json({"preset": FLAGS.preset, "batch": batch, "command": sys.argv,
                 "median_ms": table, "totals_ms": totals, "runs": runs,
                 "load_average_end": os.getloadavg()},
                output_path())
