"""Benchmarks kerasgan `fit()` against a hand-written minimal training loop, per backend.

For each preset and backend, one subprocess (KERAS_BACKEND is fixed at import)
builds the preset twice or more from the same seed (same weights) and times:

  * `kerasgan`: `GAN.fit()` with the preset's defaults (TensorFlow:
    `jit_compile="auto"`, which Keras resolves to False on a CPU-only machine);
  * `kerasgan_xla` (TensorFlow only): the same with `jit_compile=True`;
  * `hand`: a minimal hand-written loop of the same networks, losses,
    optimizers and update schedule (TensorFlow: `tf.function` +
    `GradientTape` + `optimizer.apply`; JAX: `jax.jit` + `value_and_grad`
    over `stateless_call` + `optimizer.stateless_apply`, state donated);
  * `hand_xla` (TensorFlow only): the same loop under `tf.function(jit_compile=True)`;
  * `hand_fastgrad` (JAX, generators with a Conv*Transpose only): the hand
    loop traced inside `kerasgan.trainers.jax_conv_transpose.fast_conv_transpose_grad()`,
    i.e. with the same transposed-convolution gradient kerasgan's JAX step uses;
  * optionally `kerasgan_spe<N>`: `fit()` with `steps_per_execution=N`.

Every variant reads the same `kerasgan.data.load("fashion_mnist", ...)`
pipeline at the preset's step batch size. Steady-state speed: after warm-up,
each repeat runs `steps` training steps and is timed from the start of its
second step (the first step of every `fit()` call, i.e. its fixed set-up, is
excluded; JAX's asynchronous dispatch is drained before the clock starts and
before it stops). Variants run alternately (order rotated per repeat); the
median over repeats is reported, and the ratio kerasgan / hand-written of the
same backend and XLA setting.

Also recorded: time to the first step (tracing + compilation + one step;
for `fit()` the whole first `fit(steps_per_epoch=1)` call), resident memory
after each variant's first step, the subprocess's peak RSS (ru_maxrss), and
the input pipeline alone (images/s) against what training consumes.

Usage:
    python tools/bench.py --output=tools/results/bench.json
    python tools/bench.py --presets=dcgan --backends=jax --repeats=7
    python tools/bench.py --quick --backends=jax --output=/tmp/bench.json  # tiny (tests)
"""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

DEFAULT_PRESETS = ("mnist_mlp", "dcgan", "shared_wgan", "l1_unbounded", "wgan_gp")

_PRESETS = flags.DEFINE_list("presets", list(DEFAULT_PRESETS), "Presets to benchmark.")
_BACKENDS = flags.DEFINE_list("backends", ["tensorflow", "jax"], "Keras backends to benchmark.")
_REPEATS = flags.DEFINE_integer("repeats", 5, "Timed repeats per variant (median reported).")
_STEPS = flags.DEFINE_integer(
    "steps", 0, "Training steps per timed repeat; 0: calibrate so a repeat lasts --target_seconds."
)
_TARGET_SECONDS = flags.DEFINE_float("target_seconds", 1.0, "Wanted length of one timed repeat.")
_MIN_STEPS = flags.DEFINE_integer("min_steps", 4, "Fewest steps per repeat when calibrating.")
_MAX_STEPS = flags.DEFINE_integer("max_steps", 200, "Most steps per repeat when calibrating.")
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", 0, "Override every preset's batch_size (images per D update); 0: preset default."
)
_XLA = flags.DEFINE_bool("xla", True, "TensorFlow: also time jit_compile=True variants.")
_FASTGRAD = flags.DEFINE_bool(
    "fastgrad", True, "JAX: also time the hand loop with kerasgan's Conv*Transpose gradient."
)
_SPE = flags.DEFINE_list(
    "steps_per_execution", [], "Extra fit() variants with these steps_per_execution (e.g. 4)."
)
_PIPELINE = flags.DEFINE_bool("pipeline", True, "Benchmark the input pipeline alone.")
_PIPELINE_SECONDS = flags.DEFINE_float("pipeline_seconds", 2.0, "Timed seconds per pipeline run.")
_QUICK = flags.DEFINE_bool(
    "quick", False, "Tiny run (mnist_mlp, batch 32, 2 repeats of 3 steps, no XLA variants)."
)
_OUTPUT = flags.DEFINE_string("output", "", "Write the results as JSON here.")
_CHILD = flags.DEFINE_string(
    "child", "", "Internal: run one measurement in this process ('train' or 'pipeline')."
)
_CHILD_OUTPUT = flags.DEFINE_string("child_output", "", "Internal: the child's JSON result file.")


# ---------------------------------------------------------------------------- helpers


def _load_average():
    return list(os.getloadavg())


def _rss_mb():
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _peak_rss_mb():
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings():
    """(presets, repeats, steps, batch_size override, xla, spe list, pipeline seconds)."""
    if _QUICK.value:
        return ["mnist_mlp"], 2, 3, 32, False, [], 0.3
    return (
        list(_PRESETS.value),
        _REPEATS.value,
        _STEPS.value,
        _BATCH_SIZE.value,
        _XLA.value,
        [int(s) for s in _SPE.value],
        _PIPELINE_SECONDS.value,
    )


def _step_batch(spec, batch_override):
    batch = batch_override or spec.batch_size
    if spec.config.get("real_batches", "reuse") == "split":
        return batch * int(spec.config.get("d_steps", 1))
    return batch


def _dataset(spec, step_batch):
    import kerasgan

    return kerasgan.data.load(
        "fashion_mnist",
        image_shape=spec.image_shape,
        value_range=spec.value_range,
        batch_size=step_batch,
        repeat=True,
        download=False,
    )


def _build(name, batch_override, **overrides):
    import kerasgan

    if batch_override:
        overrides["batch_size"] = batch_override
    return kerasgan.zoo.get(name, seed=0, **overrides)


def _check_supported(gan):
    # The hand-written loops below implement what the benchmarked presets use.
    if gan.fake_source != "generator" or gan.g_noise != "fresh":
        raise ValueError(
            f"tools/bench.py's hand-written loop supports fake_source='generator' and "
            f"g_noise='fresh'. Preset '{gan.name}' uses fake_source={gan.fake_source!r}, "
            f"g_noise={gan.g_noise!r}."
        )


def _d_parts(gan):
    return [("real", "fake")] if gan.d_update == "joint" else [("real",), ("fake",)]


# --------------------------------------------------------- hand-written loops


def _hand_tensorflow(gan, jit_compile):
    """A minimal tf.function + GradientTape loop of `gan`'s networks and schedule."""
    import tensorflow as tf

    _check_supported(gan)
    G, D = gan.generator, gan.discriminator
    d_vars, g_vars = gan.d_variables, gan.g_variables  # the shared kernel belongs to D
    d_opt, g_opt = gan.d_optimizer, gan.g_optimizer
    d_loss_fn, g_loss_fn = gan.d_loss_fn, gan.g_loss_fn
    rng = tf.random.Generator.from_seed(0)
    latent, d_steps, parts = gan.latent_dim, gan.d_steps, _d_parts(gan)
    uniform = gan.noise == "uniform"
    gp_weight, d_weight = gan.gradient_penalty_weight, gan.d_loss_weight

    def noise(batch):
        if uniform:
            return rng.uniform((batch, latent), -1.0, 1.0)
        return rng.normal((batch, latent))

    def step(real):
        chunks = tf.split(real, d_steps) if gan.real_batches == "split" else [real] * d_steps
        for i in range(d_steps):
            x = chunks[i]
            b = x.shape[0]
            z = noise(b)
            alpha = rng.uniform((b,) + (1,) * (len(x.shape) - 1)) if gp_weight else None
            for terms in parts:
                with tf.GradientTape() as tape:
                    real_out = D(x, training=True) if "real" in terms else None
                    fake_out = None
                    if "fake" in terms:
                        fake = tf.stop_gradient(G(z, training=True))
                        fake_out = D(fake, training=True)
                    d_loss = d_loss_fn(real_out, fake_out) * d_weight
                    if gp_weight and "fake" in terms:
                        x_hat = x + alpha * (fake - x)
                        with tf.GradientTape() as gp_tape:
                            gp_tape.watch(x_hat)
                            critic = D(x_hat, training=True)
                        g = gp_tape.gradient(critic, x_hat)
                        norm = tf.sqrt(tf.reduce_sum(tf.square(g), axis=[1, 2, 3]) + 1e-12)
                        d_loss += gp_weight * tf.reduce_mean(tf.square(norm - 1.0))
                d_opt.apply(tape.gradient(d_loss, d_vars), d_vars)  # applies WGAN clipping too
        with tf.GradientTape() as tape:
            g_loss = g_loss_fn(D(G(noise(b), training=True), training=True))
        g_opt.apply(tape.gradient(g_loss, g_vars), g_vars)
        return d_loss, g_loss

    step_fn = tf.function(step, jit_compile=jit_compile)
    state = {"iterator": None}

    def run(ds_iter, steps):
        out = None
        for _ in range(steps):
            out = step_fn(next(ds_iter))
        float(out[1])  # synchronise
        return out

    return run, state


def _hand_jax(gan, fastgrad):
    """A minimal jax.jit + value_and_grad loop over `stateless_call` of `gan`'s networks."""
    import functools

    import jax
    import jax.numpy as jnp

    _check_supported(gan)
    G, D = gan.generator, gan.discriminator
    d_vars = list(D.trainable_variables)
    d_index = {id(v): i for i, v in enumerate(d_vars)}
    g_own = gan.g_variables
    g_index = {id(v): i for i, v in enumerate(g_own)}
    # Where each of G's trainable values lives: a shared kernel is read from D's values.
    g_src = [("d", d_index[id(v)]) if id(v) in d_index else ("g", g_index[id(v)])
             for v in G.trainable_variables]
    d_opt, g_opt = gan.d_optimizer, gan.g_optimizer
    d_loss_fn, g_loss_fn = gan.d_loss_fn, gan.g_loss_fn
    latent, d_steps, parts = gan.latent_dim, gan.d_steps, _d_parts(gan)
    uniform = gan.noise == "uniform"
    gp_weight, d_weight = gan.gradient_penalty_weight, gan.d_loss_weight

    def g_values(dp, gp):
        return [dp[j] if src == "d" else gp[j] for src, j in g_src]

    def noise(key, batch):
        if uniform:
            return jax.random.uniform(key, (batch, latent), minval=-1.0, maxval=1.0)
        return jax.random.normal(key, (batch, latent))

    def d_loss(dp, dn, gp, gn, x, z, alpha, terms):
        real_out = fake_out = None
        if "real" in terms:
            real_out, dn = D.stateless_call(dp, dn, x, training=True)
        loss_gp = 0.0
        if "fake" in terms:
            fake, gn = G.stateless_call(g_values(dp, gp), gn, z, training=True)
            fake = jax.lax.stop_gradient(fake)
            fake_out, dn = D.stateless_call(dp, dn, fake, training=True)
            if gp_weight:
                x_hat = x + alpha * (fake - x)

                def critic_sum(inputs):
                    out, _ = D.stateless_call(dp, dn, inputs, training=True)
                    return jnp.sum(out)

                g = jax.grad(critic_sum)(x_hat)
                norm = jnp.sqrt(jnp.sum(jnp.square(g), axis=tuple(range(1, g.ndim))) + 1e-12)
                loss_gp = gp_weight * jnp.mean(jnp.square(norm - 1.0))
        return d_loss_fn(real_out, fake_out) * d_weight + loss_gp, (dn, gn)

    def g_loss(gp, dp, dn, gn, z):
        fake, gn = G.stateless_call(g_values(dp, gp), gn, z, training=True)
        out, dn = D.stateless_call(dp, dn, fake, training=True)
        return g_loss_fn(out), (dn, gn)

    def step(state, real):
        dp, dn, gp, gn, dov, gov, key = state
        chunks = jnp.split(real, d_steps) if gan.real_batches == "split" else [real] * d_steps
        for i in range(d_steps):
            x = chunks[i]
            b = x.shape[0]
            key, kz, ka = jax.random.split(key, 3)
            z = noise(kz, b)
            alpha = jax.random.uniform(ka, (b,) + (1,) * (x.ndim - 1)) if gp_weight else None
            for terms in parts:
                (dl, (dn, gn)), grads = jax.value_and_grad(
                    functools.partial(d_loss, terms=terms), has_aux=True
                )(dp, dn, gp, gn, x, z, alpha)
                dp, dov = d_opt.stateless_apply(dov, grads, dp)  # applies WGAN clipping too
        key, kz = jax.random.split(key)
        (gl, (dn, gn)), grads = jax.value_and_grad(g_loss, has_aux=True)(
            gp, dp, dn, gn, noise(kz, b)
        )
        gp, gov = g_opt.stateless_apply(gov, grads, gp)
        return (dp, dn, gp, gn, dov, gov, key), (dl, gl)

    if fastgrad:
        from kerasgan.trainers import jax_conv_transpose

        traced = step

        def step(state, real):  # noqa: F811  (traced inside the fast-gradient scope)
            with jax_conv_transpose.fast_conv_transpose_grad():
                return traced(state, real)

    step_fn = jax.jit(step, donate_argnums=0)
    holder = {
        "state": (
            [v.value for v in d_vars],
            [v.value for v in D.non_trainable_variables],
            [v.value for v in g_own],
            [v.value for v in G.non_trainable_variables],
            [v.value for v in d_opt.variables],
            [v.value for v in g_opt.variables],
            jax.random.PRNGKey(0),
        )
    }
    # The model's own arrays stay referenced by its variables: donate copies.
    holder["state"] = jax.tree_util.tree_map(jnp.array, holder["state"])

    def run(ds_iter, steps):
        out = None
        for _ in range(steps):
            holder["state"], out = step_fn(holder["state"], next(ds_iter))
        jax.block_until_ready((holder["state"], out))
        return out

    return run, holder


# -------------------------------------------------------------- fit variant


class _Timer:
    """Clocks the steps between the start of execution `start` and the start of execution `stop`.

    Both instants come after draining JAX's asynchronous dispatch, so the
    interval holds exactly the steps in between, with fit()'s per-step work
    (iterator, callbacks, dispatch) but not its per-call set-up and teardown.
    """

    def __init__(self, start, stop):
        import keras

        timer = self

        class Callback(keras.callbacks.Callback):
            async_safe = True  # never makes Keras convert logs (i.e. synchronise) per step

            def on_train_batch_begin(self, batch, logs=None):
                if batch in (start, stop):
                    _drain(self._model)  # not .model: under JAX that forces a state sync
                    timer.marks[batch] = time.perf_counter()

        self.callback = Callback()
        self.marks = {}


def _drain(model):
    state = getattr(model, "_jax_state", None)
    if state is not None:
        import jax

        # Keras stores it as a TrackedDict, which JAX's tree utilities see as one leaf.
        jax.block_until_ready([list(v) for v in state.values()])


def _fit_runner(gan, ds):
    import keras

    spe = int(gan.steps_per_execution or 1)
    overheads = []  # per fit() call: wall time beyond its steps at the steady rate

    def run(steps):
        """fit() of 1 + steps + 1 steps (in executions); returns (seconds, steps) of the middle ones."""
        executions = max(1, -(-steps // spe))
        timer = _Timer(start=spe, stop=(1 + executions) * spe)
        t0 = time.perf_counter()
        gan.fit(ds, epochs=1, steps_per_epoch=(2 + executions) * spe, verbose=0,
                callbacks=[timer.callback], validate_data=False)
        keras.ops.convert_to_numpy(gan.generator.trainable_variables[0])  # synchronise
        total = time.perf_counter() - t0
        seconds = timer.marks[(1 + executions) * spe] - timer.marks[spe]
        overheads.append(total - seconds * (2 + executions) / executions)
        return seconds, executions * spe

    def first():
        gan.fit(ds, epochs=1, steps_per_epoch=spe, verbose=0)
        keras.ops.convert_to_numpy(gan.generator.trainable_variables[0])

    return first, run, overheads


# ------------------------------------------------------------------ children


def _child_train(backend, preset):
    import keras

    import kerasgan

    _, repeats, steps, batch_override, xla, spe_list, _ = _settings()
    spec = kerasgan.zoo.spec(preset)
    step_batch = _step_batch(spec, batch_override)
    ds = _dataset(spec, step_batch)
    result = {
        "backend": backend,
        "preset": preset,
        "step_batch": step_batch,
        "jit_compile_auto_resolves_to": None,
        "rss_mb_start": _rss_mb(),
        "variants": {},
    }

    variants = {}  # name -> dict(first=callable, run=callable(steps) -> (seconds, steps))

    def add_fit(name, **overrides):
        gan = _build(preset, batch_override, **overrides)
        first, run, overheads = _fit_runner(gan, ds)
        variants[name] = {"first": first, "run": run, "kind": "kerasgan", "gan": gan,
                          "overheads": overheads}

    def add_hand(name, make):
        def first():
            it = iter(ds) if backend == "tensorflow" else ds.as_numpy_iterator()
            runner, _ = make()
            variants[name]["iterator"] = it
            variants[name]["runner"] = runner
            runner(it, 1)

        def run(steps):
            v = variants[name]
            v["runner"](v["iterator"], 1)  # the first step of a repeat is not timed (as fit's)
            t0 = time.perf_counter()
            v["runner"](v["iterator"], steps)
            return time.perf_counter() - t0, steps

        variants[name] = {"first": first, "run": run, "kind": "hand"}

    if backend == "tensorflow":
        add_fit("kerasgan")
        result["jit_compile_auto_resolves_to"] = bool(variants["kerasgan"]["gan"].jit_compile)
        add_hand("hand", lambda: _hand_tensorflow(_build(preset, batch_override), False))
        if xla:
            add_fit("kerasgan_xla", jit_compile=True)
            add_hand("hand_xla", lambda: _hand_tensorflow(_build(preset, batch_override), True))
    else:
        add_fit("kerasgan")
        result["jit_compile_auto_resolves_to"] = bool(variants["kerasgan"]["gan"].jit_compile)
        add_hand("hand", lambda: _hand_jax(_build(preset, batch_override), False))
        gen = variants["kerasgan"]["gan"].generator
        has_transpose = any("Transpose" in type(layer).__name__
                            for layer in gen._flatten_layers(include_self=False))
        if _FASTGRAD.value and has_transpose:
            add_hand("hand_fastgrad", lambda: _hand_jax(_build(preset, batch_override), True))
    for spe in spe_list:
        add_fit(f"kerasgan_spe{spe}", steps_per_execution=spe)

    names = list(variants)
    for name in names:
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        variants[name]["first"]()
        result["variants"][name] = {
            "first_step_s": time.perf_counter() - t0,
            "rss_mb_after_first_step": _rss_mb(),
            "rss_mb_increase_first_step": _rss_mb() - rss0,
        }
    # Warm-up: one short untimed repeat each (also the calibration of the repeat length).
    per_step = {}
    for name in names:
        seconds, n = variants[name]["run"](max(2, min(3, steps or 3)))
        per_step[name] = seconds / n
    if not steps:
        slowest = max(per_step.values())
        steps = int(min(_MAX_STEPS.value, max(_MIN_STEPS.value, round(_TARGET_SECONDS.value / slowest))))
    result["steps_per_repeat"] = steps
    times = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            seconds, n = variants[name]["run"](steps)
            times[name].append(n / seconds)
    for name in names:
        sps = times[name]
        med = statistics.median(sps)
        result["variants"][name].update(
            steps_per_s=med,
            images_per_s=med * step_batch,
            steps_per_s_all=sps,
            ms_per_step=1000.0 / med,
        )
        if "overheads" in variants[name]:
            # fit()'s fixed cost per call (set-up + teardown), amortised over an epoch.
            result["variants"][name]["fit_call_overhead_s"] = statistics.median(
                variants[name]["overheads"])
    v = result["variants"]
    ratios = {"kerasgan/hand": v["kerasgan"]["steps_per_s"] / v["hand"]["steps_per_s"]}
    if "kerasgan_xla" in v:
        ratios["kerasgan_xla/hand_xla"] = v["kerasgan_xla"]["steps_per_s"] / v["hand_xla"]["steps_per_s"]
        best_hand = max(v["hand"]["steps_per_s"], v["hand_xla"]["steps_per_s"])
        ratios["kerasgan/best_hand"] = v["kerasgan"]["steps_per_s"] / best_hand
    if "hand_fastgrad" in v:
        ratios["kerasgan/hand_fastgrad"] = v["kerasgan"]["steps_per_s"] / v["hand_fastgrad"]["steps_per_s"]
    result["ratios"] = ratios
    result["peak_rss_mb"] = _peak_rss_mb()
    result["keras_version"] = keras.__version__
    return result


def _child_pipeline(presets):
    import kerasgan

    _, _, _, batch_override, _, _, seconds = _settings()
    out = []
    for preset in presets:
        spec = kerasgan.zoo.spec(preset)
        step_batch = _step_batch(spec, batch_override)
        t0 = time.perf_counter()
        ds = _dataset(spec, step_batch)
        it = ds.as_numpy_iterator()  # what fit() under JAX and the JAX hand loop read
        next(it)
        first = time.perf_counter() - t0
        for _ in range(5):
            next(it)
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            next(it)
            n += 1
        elapsed = time.perf_counter() - t0
        out.append({
            "preset": preset,
            "batch": step_batch,
            "first_batch_s": first,
            "batches_per_s": n / elapsed,
            "images_per_s": n * step_batch / elapsed,
        })
    return {"pipeline": out, "peak_rss_mb": _peak_rss_mb()}


# -------------------------------------------------------------------- driver


def _spawn(backend, args):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    env.setdefault("KERASGAN_NO_DOWNLOAD", "1")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    cmd = [sys.executable, os.path.abspath(__file__), f"--child_output={path}"] + args + _passthrough()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise RuntimeError(f"bench child failed ({backend}, {args}): exit {proc.returncode}")
    with open(path) as f:
        result = json.load(f)
    os.unlink(path)
    result["subprocess_wall_s"] = wall
    return result


def _passthrough():
    keep = ("repeats", "steps", "target_seconds", "min_steps", "max_steps", "batch_size", "xla",
            "fastgrad", "steps_per_execution", "pipeline_seconds", "quick")
    out = []
    for name in keep:
        flag = flags.FLAGS[name]
        value = flag.value
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out.append(f"--{name}" if value else f"--no{name}")
            continue
        out.append(f"--{name}={value}")
    return out


def _table(results):
    rows = []
    head = (f"{'backend':<10} {'preset':<13} {'batch':>5} {'variant':<14} {'steps/s':>8} "
            f"{'img/s':>8} {'ratio':>6} {'1st step s':>10} {'RSS MB':>7}")
    rows.append(head)
    rows.append("-" * len(head))
    for res in results["train"]:
        v = res["variants"]
        for name, m in v.items():
            hand = {"kerasgan": "hand", "kerasgan_xla": "hand_xla"}.get(name)
            if name.startswith("kerasgan_spe"):
                hand = "hand"
            ratio = f"{m['steps_per_s'] / v[hand]['steps_per_s']:.3f}" if hand in v else ""
            rows.append(
                f"{res['backend']:<10} {res['preset']:<13} {res['step_batch']:>5} {name:<14} "
                f"{m['steps_per_s']:>8.2f} {m['images_per_s']:>8.0f} {ratio:>6} "
                f"{m['first_step_s']:>10.2f} {m['rss_mb_after_first_step']:>7.0f}"
            )
        rows.append(f"{'':<10} {'':<13} {'':>5} peak RSS (ru_maxrss) {res['peak_rss_mb']:.0f} MB; "
                    f"steps/repeat {res['steps_per_repeat']}; jit_compile='auto' -> "
                    f"{res['jit_compile_auto_resolves_to']}")
    for error in results.get("errors", []):
        rows.append(f"ERROR: {error}")
    if results.get("pipeline"):
        rows.append("")
        rows.append(f"{'input pipeline':<24} {'batch':>5} {'img/s':>9} {'train img/s (max)':>18} "
                    f"{'headroom':>9}")
        for p in results["pipeline"]:
            consumed = max((m["images_per_s"] for r in results["train"] if r["preset"] == p["preset"]
                            for m in r["variants"].values()), default=0.0)
            p["max_training_images_per_s"] = consumed
            p["headroom"] = p["images_per_s"] / consumed if consumed else None
            head = f"{p['headroom']:.1f}x" if consumed else ""
            rows.append(f"{p['preset']:<24} {p['batch']:>5} {p['images_per_s']:>9.0f} "
                        f"{consumed:>18.0f} {head:>9}")
    return "\n".join(rows)


def main(argv):
    del argv
    if _CHILD.value:
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        if _CHILD.value == "pipeline":
            presets = _settings()[0]
            result = _child_pipeline(presets)
        else:
            result = _child_train(backend, _CHILD.value)
        with open(_CHILD_OUTPUT.value, "w") as f:
            json.dump(result, f)
        return
    presets = _settings()[0]
    t_start = time.perf_counter()
    results = {
        "command": " ".join([os.path.basename(sys.executable)] + sys.argv),
        "load_average_start": _load_average(),
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "processor": _cpu_model(),
            "python": platform.python_version(),
        },
        "train": [],
        "pipeline": [],
    }
    for preset in presets:
        for backend in _BACKENDS.value:
            print(f"[bench] {backend} {preset} ...", flush=True)
            try:
                results["train"].append(_spawn(backend, [f"--child={preset}"]))
            except RuntimeError as e:  # keep the other measurements; the error goes in the JSON
                results.setdefault("errors", []).append(str(e))
    if _PIPELINE.value:
        print("[bench] input pipeline ...", flush=True)
        pipe = _spawn(_BACKENDS.value[0], ["--child=pipeline", f"--presets={','.join(presets)}"])
        results["pipeline"] = pipe["pipeline"]
    results["load_average_end"] = _load_average()
    results["total_wall_s"] = time.perf_counter() - t_start
    table = _table(results)
    results["table"] = table
    print(table)
    print(f"load average (1, 5, 15 min) at start {results['load_average_start']}, "
          f"at end {results['load_average_end']}; total {results['total_wall_s']:.0f} s")
    if _OUTPUT.value:
        os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
        with open(_OUTPUT.value, "w") as f:
            json.dump(results, f, indent=1)
        print(f"wrote {_OUTPUT.value}")


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    app.run(main)
