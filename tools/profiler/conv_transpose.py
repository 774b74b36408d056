"""--what=conv_transpose: kerasgan's JAX transposed-convolution gradient against JAX's default.

`kerasgan.trainers.jax_conv_transpose` on and off (alternating, median of --repeats) for the
stride-2 layer of a DCGAN generator (batch 128, 128->64 channels, 7->14 px): forward, input
gradient, kernel gradient; and a whole fit() step of the 28x28 DCGAN of the TensorFlow tutorial
(Radford et al., Unsupervised Representation Learning with Deep Convolutional Generative
Adversarial Networks, 2016), with the same GAN's step under TensorFlow in a child process timed
in the same alternation.
    python -m tools.profiler --what=conv_transpose --repeats=5 --steps=10
"""

import os
import statistics
import subprocess
import sys
import time

from tools.profiler.common import FLAGS, child_process, opt, output_path, write_json

def _ct_batch():
    return FLAGS.batch_size or 128


def _alternate(variants, repeats):
    """Times callables `{name: fn}` in alternation; returns {name: (median, all times)}."""
    times = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), t) for name, t in times.items()}


def _tutorial_dcgan(keras, kernel_size, batchnorm):
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
    generator, discriminator = _tutorial_dcgan(keras, FLAGS.kernel_size, FLAGS.batchnorm)
    gan = kerasgan.GAN(generator, discriminator, output_range=(-1.0, 1.0), seed=0)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    steps, batch = opt("steps"), _ct_batch()
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
    jit = None
    for name, enable in variants.items():
        gan, run = _gan_stepper(enable)
        runners[name] = run
        jit = gan.jit_compile
    if tf_child is not None:
        runners["tensorflow"] = tf_child
    results = _alternate(runners, opt("repeats"))
    steps = opt("steps")
    return {
        name: {"s_per_step": med / steps, "steps_per_s": steps / med,
               "all_s_per_step": [t / steps for t in ts],
               "jit_compile": tf_child.jit_compile if name == "tensorflow" and tf_child else jit}
        for name, (med, ts) in results.items()
    }


def _time_layer():
    """Forward, input-gradient and kernel-gradient times of the DCGAN generator's stride-2 layer, on vs off."""
    import jax
    import keras
    import numpy as np

    from kerasgan.trainers import jax_conv_transpose

    rng = np.random.default_rng(0)
    batch, k = _ct_batch(), FLAGS.kernel_size
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
        results = _alternate(variants, opt("repeats"))
        out[op_name] = {name: {"s": med, "all_s": ts} for name, (med, ts) in results.items()}
    return out


def _start_tf_child():
    """Starts the TF child; returns it and a function that runs one timed fit() there."""
    args = ["--what=conv_transpose", "--backend=tensorflow", "--serve", f"--steps={opt('steps')}",
            f"--batch_size={_ct_batch()}", f"--kernel_size={FLAGS.kernel_size}",
            f"--batchnorm={FLAGS.batchnorm}"]
    cmd, kwargs = child_process(args, dict(os.environ, KERAS_BACKEND="tensorflow"),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    child = subprocess.Popen(cmd, **kwargs)

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


def main():
    """Times the layer and the GAN step with the gradient on and off (and TF); prints, writes."""
    backend = opt("backend")
    os.environ["KERAS_BACKEND"] = backend
    import keras

    if keras.backend.backend() != backend:
        raise RuntimeError(f"keras was imported with backend {keras.backend.backend()!r} first.")
    if FLAGS.serve:
        _serve_tf()
        return
    if backend == "tensorflow":
        result = {"gan_step": _time_gan({"tensorflow": None})}
    else:
        import jax

        result = {"device": str(jax.devices()[0]), "jax": jax.__version__,
                  "keras": keras.__version__}
        if FLAGS.layer:
            result["layer"] = _time_layer()
        child, tf_run = _start_tf_child() if FLAGS.tf else (None, None)
        try:
            result["gan_step"] = _time_gan({"fast": True, "default": False}, tf_run)
        finally:
            if child is not None:
                child.stdin.close()
                child.wait()
    result["flags"] = {"repeats": opt("repeats"), "steps": opt("steps"), "batch": _ct_batch(),
                       "kernel_size": FLAGS.kernel_size, "batchnorm": FLAGS.batchnorm}
    result["command"] = " ".join(sys.argv)
    _print_conv_transpose(result)
    write_json(result, output_path())


def _print_conv_transpose(result):
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


# ------------------------------------------------------------------------------------ main
