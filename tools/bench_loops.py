"""The training loops tools/bench.py times: `fit()` and hand-written TensorFlow and JAX loops.

The hand loops run the same networks, losses, optimizers and update schedule as kerasgan's step,
written as a user would without kerasgan (TensorFlow: `tf.function` + `GradientTape` +
`optimizer.apply`; JAX: `jax.jit` + `value_and_grad` over `stateless_call` +
`optimizer.stateless_apply`, state donated). The PyTorch loop is tools/bench_torch.py. Callers
check `bench_torch.check_supported(gan)` first.
"""

import time


def d_parts(gan):
    """The discriminator update's parts: one joint update, or real and fake apart."""
    return [("real", "fake")] if gan.d_update == "joint" else [("real",), ("fake",)]


def hand_tensorflow(gan, jit_compile):
    """A minimal tf.function + GradientTape loop of `gan`'s networks and schedule."""
    import tensorflow as tf

    G, D = gan.generator, gan.discriminator
    d_vars, g_vars = gan.d_variables, gan.g_variables  # the shared kernel belongs to D
    d_opt, g_opt = gan.d_optimizer, gan.g_optimizer
    d_loss_fn, g_loss_fn = gan.d_loss_fn, gan.g_loss_fn
    rng = tf.random.Generator.from_seed(0)
    latent, d_steps, parts = gan.latent_dim, gan.d_steps, d_parts(gan)
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


def hand_jax(gan, fastgrad):
    """A minimal jax.jit + value_and_grad loop over `stateless_call` of `gan`'s networks."""
    import functools

    import jax
    import jax.numpy as jnp

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
    latent, d_steps, parts = gan.latent_dim, gan.d_steps, d_parts(gan)
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
        from kerasgan.trainers import jax_conv_split, jax_conv_transpose

        traced = step

        def step(state, real):  # noqa: F811  (traced inside kerasgan's convolution scopes)
            with jax_conv_transpose.fast_conv_transpose_grad(), jax_conv_split.split_kernel_grads():
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


class Timer:
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
                    drain(self._model)  # not .model: under JAX that forces a state sync
                    timer.marks[batch] = time.perf_counter()

        self.callback = Callback()
        self.marks = {}


def drain(model):
    """Waits for JAX's asynchronously dispatched work on `model`'s state (a no-op elsewhere)."""
    state = getattr(model, "_jax_state", None)
    if state is not None:
        import jax

        # Keras stores it as a TrackedDict, which JAX's tree utilities see as one leaf.
        jax.block_until_ready([list(v) for v in state.values()])


def fit_runner(gan, ds):
    """`(first, run, overheads)` of `gan.fit(ds)`: its first step, `run(steps)` timing steady
    steps, and `fit()`'s fixed cost per call (one entry per `run`)."""
    import keras

    spe = int(gan.steps_per_execution or 1)
    overheads = []  # per fit() call: wall time beyond its steps at the steady rate

    def run(steps):
        """fit() of 1 + steps + 1 steps (in executions); (seconds, steps) of the middle ones."""
        executions = max(1, -(-steps // spe))
        timer = Timer(start=spe, stop=(1 + executions) * spe)
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
