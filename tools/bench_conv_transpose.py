"""Times the JAX transposed-convolution gradient workaround against JAX's default, and TF.

Measures, with `kerasgan.trainers.jax_conv_transpose` on and off (alternating,
median of `--repeats`):
  * the layer DESIGN.md names (batch 128, 128->64 channels, 7->14 px, stride-2
    "same"): forward, input gradient, kernel gradient, each one jitted call;
  * a full `kerasgan.GAN.fit` step of a 28x28 DCGAN (Dense -> ConvT 256->128 s1
    -> ConvT 128->64 s2 -> ConvT 64->1 s2; D: two stride-2 convs; Adam);
and the same GAN's step under the TensorFlow backend, in a subprocess (the
backend is fixed when keras is imported) that waits on stdin between timed
runs, so that TF is timed in the same alternation as the two JAX variants and
the JAX/TF ratio comes from one invocation on a machine whose load drifts.

Usage:
    python tools/bench_conv_transpose.py --repeats=5 --steps=10 \
        --json=/tmp/bench_conv_transpose.json

Reference: Radford et al., Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks, 2016 (the generator shape,
as in the TensorFlow DCGAN tutorial).
"""

import json
import os
import statistics
import subprocess
import sys
import time

from absl import app, flags

_BACKEND = flags.DEFINE_enum("backend", "jax", ["jax", "tensorflow"], "Keras backend of this process.")
_REPEATS = flags.DEFINE_integer("repeats", 5, "Timed repetitions per variant (median reported).")
_STEPS = flags.DEFINE_integer("steps", 10, "Training steps per timed fit() call.")
_BATCH = flags.DEFINE_integer("batch", 128, "Batch size.")
_KERNEL = flags.DEFINE_integer("kernel_size", 5, "Kernel size of every conv (the TF tutorial: 5).")
_BATCHNORM = flags.DEFINE_bool("batchnorm", True, "BatchNorm after the generator's hidden layers.")
_LAYER = flags.DEFINE_bool("layer", True, "Time the single-layer forward/gradients (JAX only).")
_TF = flags.DEFINE_bool("tf", True, "Also time the GAN step under TensorFlow in a subprocess.")
_SERVE = flags.DEFINE_bool("serve", False, "Internal: TF child; times one fit() per stdin line.")
_JSON = flags.DEFINE_string("json", "bench_conv_transpose.json", "Where to write the results.")


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _alternate(variants, repeats):
    """Times callables `{name: fn}` in alternation; returns {name: (median, all times)}."""
    times = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), t) for name, t in times.items()}


def _dcgan(keras, kernel_size, batchnorm):
    """The 28x28 DCGAN of the TensorFlow tutorial: generator and discriminator."""
    layers = keras.layers

    def norm():
        return [layers.BatchNormalization()] if batchnorm else []

    generator = keras.Sequential(
        [
            keras.Input((100,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            *norm(),
            layers.LeakyReLU(0.2),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, kernel_size, strides=1, padding="same", use_bias=False),
            *norm(),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(64, kernel_size, strides=2, padding="same", use_bias=False),
            *norm(),
            layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, kernel_size, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Dropout(0.3),
            layers.Conv2D(128, kernel_size, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    return generator, discriminator


def _gan_stepper(enable):
    """A compiled, warmed-up GAN and a function running `--steps` fit() steps."""
    import keras
    import numpy as np

    import kerasgan

    if enable is not None:
        from kerasgan.trainers import jax_conv_transpose

        jax_conv_transpose.enabled = enable
    keras.utils.set_random_seed(0)
    generator, discriminator = _dcgan(keras, _KERNEL.value, _BATCHNORM.value)
    gan = kerasgan.GAN(generator, discriminator, output_range=(-1.0, 1.0), seed=0)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    steps, batch = _STEPS.value, _BATCH.value
    n_images = max(steps, 2) * batch  # the warm-up runs 2 steps
    images = np.random.default_rng(0).uniform(-1, 1, (n_images, 28, 28, 1)).astype("float32")

    def run(n_steps=steps):
        history = gan.fit(images, batch_size=batch, epochs=1, steps_per_epoch=n_steps,
                          shuffle=False, verbose=0)
        # fit() returns after the last step's logs were read back: the work is done.
        return history.history["g_loss"][-1]

    run(2)  # traces and compiles the step (the switch is read here), then warms up
    return gan, run


def _time_gan(variants, tf_child=None):
    """Median seconds per training step of each `{name: enable}` GAN (and TF), alternating."""
    runners = {}
    for name, enable in variants.items():
        gan, run = _gan_stepper(enable)
        runners[name] = run
        jit = gan.jit_compile
    if tf_child is not None:
        runners["tensorflow"] = tf_child
    results = _alternate(runners, _REPEATS.value)
    steps = _STEPS.value
    return {
        name: {"s_per_step": med / steps, "steps_per_s": steps / med,
               "all_s_per_step": [t / steps for t in ts],
               "jit_compile": tf_child.jit_compile if name == "tensorflow" else jit}
        for name, (med, ts) in results.items()
    }


def _time_layer():
    """Forward, input-gradient and kernel-gradient times of DESIGN.md's layer, on vs off."""
    import jax
    import keras
    import numpy as np

    from kerasgan.trainers import jax_conv_transpose

    rng = np.random.default_rng(0)
    batch, k = _BATCH.value, _KERNEL.value
    x = jax.numpy.asarray(rng.standard_normal((batch, 7, 7, 128)), "float32")
    kernel = jax.numpy.asarray(0.02 * rng.standard_normal((k, k, 64, 128)), "float32")
    g = jax.numpy.asarray(rng.standard_normal((batch, 14, 14, 64)), "float32")

    def conv(x, kernel):
        return keras.ops.conv_transpose(x, kernel, strides=2, padding="same")

    ops = {
        "forward": lambda x, kernel, g: conv(x, kernel),
        "input_grad": lambda x, kernel, g: jax.vjp(lambda x: conv(x, kernel), x)[1](g)[0],
        "kernel_grad": lambda x, kernel, g: jax.vjp(lambda k: conv(x, k), kernel)[1](g)[0],
    }
    out = {}
    for op_name, op in ops.items():
        variants = {}
        for name, enable in (("fast", True), ("default", False)):
            fn = jax.jit(lambda x, kernel, g, op=op: op(x, kernel, g))
            with jax_conv_transpose.fast_conv_transpose_grad(enable):
                jax.block_until_ready(fn(x, kernel, g))  # traced under the switch
            jax.block_until_ready(fn(x, kernel, g))
            variants[name] = lambda fn=fn: jax.block_until_ready(fn(x, kernel, g))
        results = _alternate(variants, _REPEATS.value)
        out[op_name] = {name: {"s": med, "all_s": ts} for name, (med, ts) in results.items()}
    return out


def _start_tf_child():
    """Starts the TF child; returns a function that runs one timed fit() there."""
    cmd = [sys.executable, os.path.abspath(__file__), "--backend=tensorflow", "--serve",
           f"--steps={_STEPS.value}", f"--batch={_BATCH.value}",
           f"--kernel_size={_KERNEL.value}", f"--batchnorm={_BATCHNORM.value}"]
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    child = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)

    def read():
        line = child.stdout.readline()
        if not line:
            raise RuntimeError(f"TensorFlow child exited ({child.wait()}); run: {' '.join(cmd)}")
        return line.strip()


    def run():
        child.stdin.write("run\n")
        child.stdin.flush()
        return float(read())

    line = read()
    while not line.startswith("ready"):
        line = read()
    run.jit_compile = line.split()[-1] == "True"  # Keras' "auto" resolves per backend
    return child, run


def _serve_tf():
    """The TF child: builds and warms up, then runs one fit() per stdin line."""
    gan, run = _gan_stepper(None)
    print("ready", gan.jit_compile, flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        run()
        print(time.perf_counter() - start, flush=True)


def main(argv):
    del argv
    os.environ["KERAS_BACKEND"] = _BACKEND.value
    import keras

    if keras.backend.backend() != _BACKEND.value:
        raise RuntimeError(f"keras was imported with backend {keras.backend.backend()!r} first.")
    if _SERVE.value:
        _serve_tf()
        return
    if _BACKEND.value == "tensorflow":
        result = {"gan_step": _time_gan({"tensorflow": None})}
    else:
        import jax

        result = {"device": str(jax.devices()[0]), "jax": jax.__version__,
                  "keras": keras.__version__}
        if _LAYER.value:
            result["layer"] = _time_layer()
        child, tf_run = _start_tf_child() if _TF.value else (None, None)
        try:
            result["gan_step"] = _time_gan({"fast": True, "default": False}, tf_run)
        finally:
            if child is not None:
                child.stdin.close()
                child.wait()
    holders = (_REPEATS, _STEPS, _BATCH, _KERNEL, _BATCHNORM)
    result["flags"] = {h.name: h.value for h in holders}
    result["command"] = " ".join(sys.argv)
    _print_table(result)
    with open(_JSON.value, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {_JSON.value}")


def _print_table(result):
    print(f"\n{'what':<34}{'fast (ms)':>12}{'default (ms)':>14}{'speed-up':>10}")
    for op_name, r in result.get("layer", {}).items():
        fast, default = r["fast"]["s"] * 1e3, r["default"]["s"] * 1e3
        print(f"{'layer ' + op_name:<34}{fast:>12.1f}{default:>14.1f}{default / fast:>9.2f}x")
    steps = result["gan_step"]
    if "fast" in steps:
        fast, default = steps["fast"]["s_per_step"] * 1e3, steps["default"]["s_per_step"] * 1e3
        print(f"{'GAN train step (JAX)':<34}{fast:>12.1f}{default:>14.1f}{default / fast:>9.2f}x")
    if "tensorflow" in steps:
        tf_ms = steps["tensorflow"]["s_per_step"] * 1e3
        print(f"{'GAN train step (TensorFlow)':<34}{tf_ms:>12.1f}")
        if "fast" in steps:
            print(f"JAX/TF step-time ratio: fast {steps['fast']['s_per_step'] * 1e3 / tf_ms:.2f}, "
                  f"default {steps['default']['s_per_step'] * 1e3 / tf_ms:.2f}")


if __name__ == "__main__":
    app.run(main)
