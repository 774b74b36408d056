"""`GAN`: an adversarial `keras.Model` that trains with `fit()` under TensorFlow and JAX."""

import contextlib
import dataclasses
import os

import keras
import numpy as np
from keras import ops

from kerasgan import augment as augment_lib
from kerasgan import conditional as conditional_lib
from kerasgan import losses as losses_lib
from kerasgan import trainers, validation

_NOISE = ("normal", "uniform")
# Metrics of `GAN(diagnostics=True)`, after d_loss and g_loss.
DIAGNOSTICS = ("d_real", "d_fake", "d_grad_norm", "g_grad_norm")
_D_UPDATE = ("joint", "split")
_REAL_BATCHES = ("reuse", "split")
_G_NOISE = ("fresh", "reuse")
_SHARED_UPDATE = ("discriminator", "both")


@keras.saving.register_keras_serializable(package="kerasgan")
class GANOptimizer(keras.optimizers.Optimizer):
    """Holds the discriminator's and the generator's optimizers as one Keras optimizer.

    `fit()` threads `model.optimizer.variables` from step to step under JAX;
    exposing both optimizers' variables here keeps their state (moments,
    iteration counts) alive. `iterations` counts generator updates, i.e.
    training steps. Built by `GAN.compile`; users rarely create it directly.

    Args:
        d_optimizer: Optimizer (or identifier) for the discriminator.
        g_optimizer: Optimizer (or identifier) for the generator.
    """

    def __init__(self, d_optimizer, g_optimizer, name="gan_optimizer", **kwargs):
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        if self.d_optimizer is self.g_optimizer:
            raise ValueError(
                "Expected two different optimizer objects for d_optimizer and g_optimizer: one "
                "optimizer cannot hold the state of both networks. Received: the same object "
                f"twice ({self.d_optimizer!r}). Pass e.g. d_optimizer=keras.optimizers.Adam(2e-4), "
                "g_optimizer=keras.optimizers.Adam(2e-4)."
            )
        self._variable_lists = None

    def set_variable_lists(self, variable_lists):
        """Sets `variable_lists() -> (d_variables, g_variables)`, used by `build`."""
        self._variable_lists = variable_lists

    def build(self, var_list=None):
        if self._variable_lists is None:
            raise ValueError(
                "Expected a GANOptimizer built by GAN.compile() (it needs the GAN's variable "
                "lists). Received: one without variable lists. Call gan.compile(...) instead."
            )
        d_vars, g_vars = self._variable_lists()
        if not self.d_optimizer.built:
            self.d_optimizer.build(d_vars)
        if not self.g_optimizer.built:
            self.g_optimizer.build(g_vars)
        self.built = True

    @property
    def variables(self):
        return self._variables + self.d_optimizer.variables + self.g_optimizer.variables

    @property
    def iterations(self):
        return self.g_optimizer.iterations

    @property
    def optimizers(self):
        """`[d_optimizer, g_optimizer]`: Keras' multi-optimizer protocol.

        `keras.callbacks.LearningRateScheduler` and `ReduceLROnPlateau` look for
        this list and schedule each optimizer's own rate.
        """
        return [self.d_optimizer, self.g_optimizer]

    @property
    def learning_rate(self):
        """The generator's rate; setting it scales both rates by the same factor.

        Assigning `v` sets the generator's rate to `v` and multiplies the
        discriminator's rate by `v / old generator rate`, so a two time-scale
        ratio (TTUR) is kept. With a generator rate of 0 both become `v`.
        """
        return self.g_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if getattr(self, "g_optimizer", None) is None:
            return  # the base class assigns 0.0 at construction, before the two optimizers exist
        old_g = float(np.asarray(keras.ops.convert_to_numpy(self.g_optimizer.learning_rate)))
        old_d = float(np.asarray(keras.ops.convert_to_numpy(self.d_optimizer.learning_rate)))
        value = float(value)
        self.d_optimizer.learning_rate = old_d * value / old_g if old_g else value
        self.g_optimizer.learning_rate = value

    def apply(self, grads, trainable_variables=None):
        raise NotImplementedError(
            "GANOptimizer does not apply gradients itself; GAN.train_step uses "
            "d_optimizer and g_optimizer."
        )

    def save_own_variables(self, store):
        # The two inner optimizers are saved as their own children; avoid a second copy here.
        for i, v in enumerate(self._variables):
            store[str(i)] = v

    def load_own_variables(self, store):
        for i, v in enumerate(self._variables):
            if str(i) in store:
                v.assign(store[str(i)])

    def get_config(self):
        return {
            "name": self.name,
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        d = keras.saving.deserialize_keras_object(config.pop("d_optimizer"), custom_objects)
        g = keras.saving.deserialize_keras_object(config.pop("g_optimizer"), custom_objects)
        return cls(d, g, **config)


class ClipConstraint(keras.constraints.Constraint):
    """Clips every weight to [-clip_value, clip_value] (WGAN weight clipping)."""

    def __init__(self, clip_value):
        self.clip_value = float(clip_value)

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}


@dataclasses.dataclass(frozen=True)
class _EMAPairs:
    """(generator variable, its average) pairs of a GAN with `ema_decay`."""

    pairs: tuple


@dataclasses.dataclass(frozen=True)
class Phase:
    """One optimizer update inside a training step."""

    network: str  # "discriminator" or "generator"
    d_step: int = 0  # index of the discriminator step (0 for the generator phase)
    terms: tuple = ()  # ("real", "fake"), ("real",) or ("fake",) for the discriminator


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(keras.Model):
    """A generator and a discriminator trained by alternating adversarial updates.

    Each `fit()` step runs `d_steps` discriminator updates, then one generator
    update. The training logic is backend-neutral; the per-backend plumbing
    lives in `kerasgan.trainers`.

    Args:
        generator: A built `keras.Model` mapping noise `(batch, latent_dim)`
            to images `(batch, H, W, C)`.
        discriminator: A built `keras.Model` mapping images to `(batch, 1)`
            outputs (logits for the cross-entropy losses).
        latent_dim: Noise size; default: the generator's input size.
        noise: `"normal"` (N(0, 1)) or `"uniform"` (U(-1, 1)).
        d_steps: Discriminator updates per generator update (n_critic).
        d_update: `"joint"`: one update on the real and fake terms together;
            `"split"`: a real-only update, then a fake-only update.
        real_batches: `"reuse"`: every discriminator update sees the step's
            whole real batch; `"split"`: the step's batch is cut into
            `d_steps` consecutive parts, one fresh part per update. Any batch
            of at least `d_steps` images works: a batch of `B` gives the
            first `B % d_steps` parts `B // d_steps + 1` images and the
            others `B // d_steps` (64 images, 5 updates: 13, 13, 13, 13, 12).
        g_noise: `"fresh"` noise for the generator update, or `"reuse"` the
            last discriminator update's noise.
        output_range: `(low, high)` of the generator's output and of the
            training data; `generate()` rescales it to [0, 1]. `None` for
            unbounded outputs (no range check; `generate()` returns raw values).
        clip_value: If set, every discriminator weight is clipped to
            [-clip_value, clip_value] after each update (WGAN).
        gradient_penalty_weight: Weight of the WGAN-GP gradient penalty.
        d_loss_weight: Factor on the discriminator loss (0.5 averages the
            real and fake terms, as in the Coursera reference).
        shared_weights: Pairs `(generator_layer, discriminator_layer)` of
            layer names: the generator layer uses the discriminator layer's
            kernel, updated by the discriminator's optimizer only.
        shared_update: Who updates the `shared_weights` variables:
            `"discriminator"` (its optimizer only, as Karuvally's paper
            states) or `"both"` (each optimizer with its own network's
            gradient, as the variable lists of the paper's reference code).
        ema_decay: If set (e.g. 0.999), keep an exponential moving average
            of the generator's weights, updated after every generator update
            with decay `min(ema_decay, (1 + t) / (10 + t))` at update `t` (a
            warm-up, so early averages are not dominated by the random
            initialisation). `generate()` and `kerasgan.export` then use the
            averaged generator; the averages are saved with the model. All
            float generator variables are averaged, BatchNorm moving
            statistics too (they then describe the averaged weights' time
            window), and tied kernels as part of the generator.
            Reference: Yazici et al., The Unusual Effectiveness of Averaging
            in GAN Training, 2019; Karras et al., Progressive Growing of
            GANs, 2018.
        ema_start: Generator updates before averaging starts (default 0).
            Until then the average copies the generator (decay 0); from then
            on the warm-up above counts updates since `ema_start`, so the
            decay ramps up from the weights of a generator that has left its
            random initialisation.
        r1_weight: Weight `gamma` of the R1 penalty `gamma / 2 * E[||grad
            D(x_real)||^2]` added to the discriminator loss (0: off). Typical
            values for 28x28 images: 0.1 to 10. Reference: Mescheder et al.,
            Which Training Methods for GANs do actually Converge?, 2018.
        num_classes: Number of classes of a class-conditional GAN.
        conditioning: None (unconditional); `"concat"` or `"projection"`:
            labels go to both networks, `generator([noise, labels])` and
            `discriminator([images, labels])` (the networks decide how they
            use them, e.g. `kerasgan.networks.conditional`); `"acgan"`: the
            generator takes `[noise, labels]`, the discriminator images only
            and returns `[output, class_logits]`, and both networks add the
            auxiliary classification loss (Odena et al., 2017). A
            conditional GAN trains on `(images, labels)` batches.
        augment: A DiffAugment policy such as `"color,translation,cutout"`,
            applied to the discriminator's real and fake inputs in both
            phases (Zhao et al., 2020); see `kerasgan.augment`.
        aux_loss_weight: Weight of ACGAN's auxiliary classification loss.
        seed: Seed of the training noise.
        diagnostics: If True, also report, per training step, the discriminator's mean
            output on real images (`d_real`) and on fakes (`d_fake`) in its
            updates (the adversarial output, before any loss; logits for the
            cross-entropy losses) and the global L2 norm of each network's
            gradient (`d_grad_norm`, `g_grad_norm`; averaged over the
            discriminator's updates). They come from the passes and gradients
            the step computes anyway, so they change no update; `fit()`
            returns them with `d_loss` and `g_loss` (History, CSV and
            TensorBoard logs). Off by default: their cost per step was not
            shown to be negligible on tiny models. `python -m kerasgan.train`
            turns them on.

    Example:
    >>> gan = kerasgan.GAN(generator, discriminator)
    >>> gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    ...             g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    ...             loss="non_saturating")
    >>> gan.fit(kerasgan.data.load("fashion_mnist", image_shape=(28, 28, 1),
    ...                            value_range=(-1, 1)), epochs=1)

    Reference: Goodfellow et al., Generative Adversarial Nets, 2014.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        noise="normal",
        d_steps=1,
        d_update="joint",
        real_batches="reuse",
        g_noise="fresh",
        output_range=(0.0, 1.0),
        clip_value=None,
        gradient_penalty_weight=0.0,
        d_loss_weight=1.0,
        shared_weights=(),
        shared_update="discriminator",
        ema_decay=None,
        ema_start=0,
        r1_weight=0.0,
        num_classes=None,
        conditioning=None,
        augment=None,
        aux_loss_weight=1.0,
        seed=None,
        diagnostics=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        validation.check_choice("noise", noise, _NOISE)
        validation.check_choice("d_update", d_update, _D_UPDATE)
        validation.check_choice("real_batches", real_batches, _REAL_BATCHES)
        validation.check_choice("g_noise", g_noise, _G_NOISE)
        validation.check_choice("shared_update", shared_update, _SHARED_UPDATE)
        validation.check_positive_int("d_steps", d_steps)
        if clip_value is not None and not validation.is_positive_number(clip_value):
            raise validation.argument_error(
                "clip_value", clip_value, "a positive finite number or None",
                "The WGAN paper clips to 0.01.")
        if not (validation.is_finite_number(gradient_penalty_weight)
                and gradient_penalty_weight >= 0):
            raise validation.argument_error(
                "gradient_penalty_weight", gradient_penalty_weight,
                "a finite number >= 0", "WGAN-GP uses 10; pass 0 for no penalty.")
        if not validation.is_positive_number(d_loss_weight):
            raise validation.argument_error(
                "d_loss_weight", d_loss_weight, "a positive finite number", "The default is 1.0.")
        if ema_decay is not None and not (validation.is_number(ema_decay) and 0 < ema_decay < 1):
            raise validation.argument_error(
                "ema_decay", ema_decay, "a number in (0, 1) or None",
                "Typical values: 0.99 to 0.9999.")
        if isinstance(ema_start, bool) or not isinstance(ema_start, int) or ema_start < 0:
            raise validation.argument_error(
                "ema_start", ema_start, "an integer >= 0",
                "It counts generator updates before averaging starts; 0 starts at once.")
        if ema_start and ema_decay is None:
            raise validation.argument_error(
                "ema_start", ema_start, "0 unless ema_decay is set",
                "Pass ema_decay=0.999 (for example) with ema_start, or drop ema_start.")
        if not (validation.is_finite_number(r1_weight) and r1_weight >= 0):
            raise validation.argument_error(
                "r1_weight", r1_weight, "a finite number >= 0",
                "Typical values are 0.1 to 10; pass 0 for no R1 penalty.")
        if output_range is not None:
            output_range = validation.check_range_pair(
                "output_range", output_range,
                "Pass the generator's output range, e.g. (-1, 1) for tanh, or None.")
        self.generator = generator
        self.discriminator = discriminator
        self.noise = noise
        self.d_steps = int(d_steps)
        self.d_update = d_update
        self.real_batches = real_batches
        self.g_noise = g_noise
        self.output_range = output_range
        self.clip_value = None if clip_value is None else float(clip_value)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.d_loss_weight = float(d_loss_weight)
        self.shared_weights = tuple(tuple(pair) for pair in shared_weights)
        self.shared_update = shared_update
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_start = int(ema_start)
        self.r1_weight = float(r1_weight)
        self.num_classes, self.conditioning = conditional_lib.check_mode(num_classes, conditioning)
        augment_lib.parse_policy(augment)
        self.augment = augment or None
        if not (validation.is_finite_number(aux_loss_weight) and aux_loss_weight >= 0) or (
            self.conditioning != "acgan" and aux_loss_weight != 1.0
        ):
            raise ValueError(
                "Expected aux_loss_weight to be a finite number >= 0, set only with "
                f"conditioning='acgan'. Received: aux_loss_weight={aux_loss_weight!r}, "
                f"conditioning={self.conditioning!r}. Leave aux_loss_weight at 1.0 unless "
                "conditioning='acgan'."
            )
        self.aux_loss_weight = float(aux_loss_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.diagnostics = bool(diagnostics)
        self.diagnostic_trackers = (
            [keras.metrics.Mean(name=n) for n in DIAGNOSTICS] if self.diagnostics else [])
        self.latent_dim = int(latent_dim) if latent_dim is not None else self._infer_latent_dim()
        validation.check_positive_int("latent_dim", self.latent_dim)
        self.build()

    def _infer_latent_dim(self):
        try:
            shape = self.generator.input_shape
        except (AttributeError, ValueError) as e:
            raise ValueError(
                "Expected a generator whose input shape gives latent_dim. Received: a generator "
                f"without a known input shape ({e}). Pass latent_dim=..."
            ) from None
        if isinstance(shape, list):
            shape = shape[0]
        if shape is None or len(shape) != 2 or shape[-1] is None:
            raise ValueError(
                "Expected a generator taking noise of shape (batch, latent_dim). Received: a "
                f"generator with input shape {shape}."
            )
        return int(shape[-1])

    # ------------------------------------------------------------------ build

    def build(self, input_shape=None):
        g_shape = (None, self.latent_dim)
        if self.conditioning is not None:
            g_shape = [g_shape, (None,)]
            if len(getattr(self.generator, "inputs", None) or [0, 0]) != 2:
                raise ValueError(
                    f"Expected a generator taking [noise, labels] for conditioning="
                    f"{self.conditioning!r}. Received: a generator with inputs "
                    f"{getattr(self.generator, 'inputs', None)}. Build one with e.g. "
                    "kerasgan.networks.conditional.conditional_dcgan_generator(num_classes, ...)."
                )
        if not self.generator.built:
            self.generator.build(g_shape)
        self.image_shape = tuple(
            int(d) for d in self.generator.compute_output_shape(g_shape)[1:]
        )
        if self.augment is not None and len(self.image_shape) != 3:
            raise ValueError(
                f"Expected images (H, W, C) for augment={self.augment!r}. Received: samples of "
                f"shape {self.image_shape}"
            )
        d_shape = (None,) + self.image_shape
        if self.conditioning in ("concat", "projection"):
            d_shape = [d_shape, (None,)]
        if not self.discriminator.built:
            self.discriminator.build(d_shape)
        d_out = self.discriminator.compute_output_shape(d_shape)
        if self.conditioning == "acgan":
            shapes = [tuple(s) for s in d_out] if isinstance(d_out, (list, tuple)) and d_out and (
                isinstance(d_out[0], (list, tuple))) else [tuple(d_out)]
            if len(shapes) != 2 or shapes[1][-1] != self.num_classes:
                raise ValueError(
                    "Expected an ACGAN discriminator returning [output (batch, 1), class logits "
                    f"(batch, {self.num_classes})]. Received: output shapes {shapes}. Build one "
                    "with kerasgan.networks.conditional.acgan_discriminator(num_classes, ...)."
                )
            d_out = shapes[0]
        d_out = tuple(d_out)
        if len(d_out) != 2 or d_out[-1] != 1:
            raise ValueError(
                f"Expected a discriminator mapping images of shape {self.image_shape} to outputs "
                f"of shape (batch, 1). Received: a discriminator with output shape {d_out}."
            )
        for g_name, d_name in self.shared_weights:
            self.generator.get_layer(g_name).tie(self.discriminator.get_layer(d_name))
        if self.clip_value is not None:
            clip = ClipConstraint(self.clip_value)
            for v in self.discriminator.trainable_variables:
                v.constraint = clip
                # The reference clips before every critic update, so the first update too.
                v.assign(clip(v))
        if self.ema_decay is not None and getattr(self, "_ema", None) is None:
            self._build_ema()
        self.built = True

    def _build_ema(self):
        sources, seen = [], set()
        for v in self.generator.variables:
            if id(v) not in seen and "float" in str(v.dtype):
                seen.add(id(v))
                sources.append(v)
        # Every replica computes the same average: keep the first replica's value.
        self.ema_step = self.add_weight(
            shape=(), dtype="int32", initializer="zeros", trainable=False, name="ema_step",
            aggregation="only_first_replica")
        averages = []
        for i, v in enumerate(sources):
            average = self.add_weight(
                shape=v.shape, dtype=v.dtype, initializer="zeros", trainable=False,
                name=f"ema_{i}_{v.name}", aggregation="only_first_replica")
            # A copy: under JAX two variables must not share one buffer (fit() donates them).
            average.assign(np.array(ops.convert_to_numpy(v)))
            averages.append(average)
        # Kept out of Keras' attribute tracking: the sources belong to the generator.
        self._ema = _EMAPairs(tuple(zip(sources, averages)))

    @property
    def ema_variables(self):
        """The averaged copies of the generator's float variables (empty when EMA is off)."""
        ema = getattr(self, "_ema", None)
        return [a for _, a in ema.pairs] if ema is not None else []

    def after_generator_update(self):
        """Runs after every generator update, inside both trainers' step: the EMA update.

        Backend-neutral (`assign` on variables): under JAX the trainer runs
        it in a stateless scope and threads the new values.
        """
        if self.ema_decay is None:
            return
        t = ops.cast(self.ema_step, "float32") - float(self.ema_start)
        decay = ops.where(t < 0.0, 0.0,
                          ops.minimum(self.ema_decay, (1.0 + t) / (10.0 + ops.maximum(t, 0.0))))
        for source, average in self._ema.pairs:
            value = ops.cast(source, average.dtype)
            average.assign(decay * average + (1.0 - decay) * value)
        self.ema_step.assign(self.ema_step + 1)

    @contextlib.contextmanager
    def ema_weights(self, use_ema=True):
        """Within the block the generator holds its averaged weights (restored on exit).

        Args:
            use_ema: True: swap in the averages (requires `ema_decay`);
                False: leave the weights alone; None: swap iff `ema_decay` is set.

        Example:
        >>> with gan.ema_weights():
        ...     images = gan.predict(noise)
        """
        if use_ema is None:
            use_ema = self.ema_decay is not None
        if not use_ema:
            yield
            return
        if self.ema_decay is None:
            raise ValueError(
                "Expected a GAN built with ema_decay=... to use averaged weights. Received: "
                "ema_decay=None. Pass use_ema=False, or build the GAN with e.g. ema_decay=0.999."
            )
        saved = [ops.convert_to_numpy(source) for source, _ in self._ema.pairs]
        for source, average in self._ema.pairs:
            source.assign(np.array(ops.convert_to_numpy(average)))
        try:
            yield
        finally:
            for (source, _), value in zip(self._ema.pairs, saved):
                source.assign(value)

    @property
    def d_variables(self):
        """Variables the discriminator's optimizer updates (shared kernels included)."""
        return list(self.discriminator.trainable_variables)

    @property
    def g_variables(self):
        """Variables the generator's optimizer updates (shared kernels only if shared_update="both")."""
        d_ids = set() if self.shared_update == "both" else {
            id(v) for v in self.discriminator.trainable_variables}
        seen, out = set(), []
        for v in self.generator.trainable_variables:
            if id(v) not in d_ids and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    # ---------------------------------------------------------------- compile

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        loss="non_saturating",
        d_loss=None,
        g_loss=None,
        **kwargs,
    ):
        """Configures the two optimizers and the adversarial loss.

        Args:
            d_optimizer: Optimizer for the discriminator (default Adam 2e-4, beta_1 0.5).
            g_optimizer: Optimizer for the generator (default Adam 2e-4, beta_1 0.5).
            loss: A loss family name from `kerasgan.losses.names()`.
            d_loss: Optional callable `(real_output, fake_output) -> loss`,
                replacing the family's discriminator loss.
            g_loss: Optional callable `(fake_output) -> loss`.
            **kwargs: Passed to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, `run_eagerly`).

        Everything here is saved with the model (`get_compile_config`):
        `keras.saving.load_model` compiles the loaded GAN the same way.
        Custom `d_loss`/`g_loss` must be registered with
        `keras.saving.register_keras_serializable` to be saved; loading a
        model saved with an unregistered one raises an error naming it.
        """
        for bad in ("optimizer", "metrics", "loss_weights", "weighted_metrics"):
            if bad in kwargs:
                raise ValueError(
                    "Expected GAN.compile(d_optimizer=..., g_optimizer=..., loss=<family name>). "
                    f"Received: `{bad}`, which GAN.compile() does not take."
                )
        if d_optimizer is None:
            d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        if g_optimizer is None:
            g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        d_optimizer = keras.optimizers.get(d_optimizer)
        g_optimizer = keras.optimizers.get(g_optimizer)
        policy = keras.config.dtype_policy()
        if policy.name == "mixed_float16":
            scaled = keras.optimizers.LossScaleOptimizer
            if not isinstance(d_optimizer, scaled):
                d_optimizer = scaled(d_optimizer)
            if not isinstance(g_optimizer, scaled):
                g_optimizer = scaled(g_optimizer)
        family_d, family_g = losses_lib.get(loss)
        custom_losses = {
            "d_loss": _serialize_loss("d_loss", d_loss),
            "g_loss": _serialize_loss("g_loss", g_loss),
        }
        self.loss_family = loss
        self.d_loss_fn = d_loss or family_d
        self.g_loss_fn = g_loss or family_g
        pair = GANOptimizer(d_optimizer, g_optimizer)
        pair.set_variable_lists(lambda: (self.d_variables, self.g_variables))
        super().compile(optimizer=pair, auto_scale_loss=False, **kwargs)
        pair.build()
        self._gan_compile_config = {
            "d_optimizer": keras.saving.serialize_keras_object(d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(g_optimizer),
            "loss": loss,
            **{k: v for k, v in custom_losses.items() if v is not None},
            **{k: kwargs[k] for k in _SAVED_COMPILE_ARGS if k in kwargs},
        }

    @property
    def d_optimizer(self):
        return self.optimizer.d_optimizer

    @property
    def g_optimizer(self):
        return self.optimizer.g_optimizer

    def get_compile_config(self):
        return getattr(self, "_gan_compile_config", None)

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("d_loss", "g_loss"):
            if config.get(key) is not None:
                config[key] = _deserialize_loss(key, config[key])
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config.pop("d_optimizer")),
            g_optimizer=keras.saving.deserialize_keras_object(config.pop("g_optimizer")),
            **config,
        )

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker] + list(self.diagnostic_trackers)

    def step_metric_values(self, results):
        """The metric updates of one training step, from its phases' results.

        Backend-neutral; both trainers call it after the step's updates.

        Args:
            results: One dict per phase of `phase_plan()`, in order: `phase`,
                `loss`, and with `diagnostics` also `aux` (`phase_loss`'s
                auxiliary values) and `grad_norm` (`gradient_norm` of the
                phase's gradients).

        Returns:
            `{metric name: (values, sample_weight or None)}` for `metrics`.
        """
        d = [r for r in results if r["phase"].network == "discriminator"]
        g = [r for r in results if r["phase"].network == "generator"]
        values = {
            "d_loss": (ops.sum(ops.stack([r["loss"] for r in d])) / self.d_steps, None),
            "g_loss": (g[-1]["loss"], None),
        }
        if not self.diagnostics:
            return values
        for key in ("d_real", "d_fake"):
            terms = [ops.cast(r["aux"][key], "float32") for r in d if key in r["aux"]]
            values[key] = (ops.stack(terms), None)
        for name, rs in (("d_grad_norm", d), ("g_grad_norm", g)):
            norms = ops.stack([r["grad_norm"][0] for r in rs])
            weights = [r["grad_norm"][1] for r in rs]
            values[name] = (norms, None if weights[0] is None else ops.stack(weights))
        return values

    # ------------------------------------------------------------- inference

    def call(self, noise, training=False):
        """Raw generator output for `noise` of shape `(batch, latent_dim)`.

        A conditional GAN takes `[noise, labels]` (labels: int class ids `(batch,)`).

        `predict(noise)` returns these values, in `output_range` (as any
        Keras model returns its raw outputs), from the raw (not averaged)
        generator; `generate()` rescales to [0, 1] and uses the EMA weights
        when `ema_decay` is set. `with gan.ema_weights(): gan.predict(noise)`
        gives the averaged generator's raw outputs.
        """
        return self.generator(noise, training=training)

    def sample_noise(self, num_samples, seed=None):
        """Numpy noise `(num_samples, latent_dim)` from the training distribution."""
        rng = np.random.default_rng(seed)
        shape = (int(num_samples), self.latent_dim)
        if self.noise == "uniform":
            return rng.uniform(-1.0, 1.0, size=shape).astype("float32")
        return rng.standard_normal(size=shape).astype("float32")

    def generate(self, num_samples, seed=None, batch_size=256, use_ema=None, labels=None,
                 noise=None):
        """Generates images as numpy float32 `(num_samples, H, W, C)` rescaled to [0, 1].

        The generator's outputs are mapped from `output_range` to [0, 1] and
        clipped, ready to plot or save. With `output_range=None` the raw
        outputs are returned. For raw outputs in `output_range` (the data's
        range), call `predict(gan.sample_noise(n))`.

        Args:
            num_samples: How many images.
            seed: Integer seed; the same seed gives the same images.
            batch_size: Images per generator call.
            use_ema: Use the averaged generator (default: when `ema_decay`
                is set); False gives the raw, last-trained generator.
            labels: Class ids of a conditional GAN: an int (every sample) or
                `num_samples` ints; default: the classes in turn (0, 1, ...).
            noise: Optional noise `(num_samples, latent_dim)` to use instead
                of drawing it with `seed` (e.g. one noise vector per column
                of a class-per-row grid).

        Example:
        >>> sneakers = gan.generate(16, labels=7, seed=0)
        """
        num_samples = validation.check_positive_int(
            "num_samples", num_samples, fix="Pass how many images to draw, e.g. 16.")
        if self.conditioning is None and labels is not None:
            raise ValueError(
                "Expected labels=None: this GAN is unconditional. Received: labels. Build the "
                "GAN with num_classes=... and conditioning=... to generate by class."
            )
        if self.conditioning is not None:
            if labels is None:
                labels = np.arange(num_samples) % self.num_classes
            labels = conditional_lib.label_array(labels, self.num_classes, num_samples)
        if noise is None:
            noise = self.sample_noise(num_samples, seed)
        else:
            noise = np.asarray(noise, dtype="float32")
            if noise.shape != (num_samples, self.latent_dim):
                raise ValueError(
                    f"Expected noise of shape ({num_samples}, {self.latent_dim}) (num_samples, "
                    f"latent_dim). Received: noise of shape {noise.shape}."
                )
        outputs = []
        with self.ema_weights(use_ema):
            for start in range(0, num_samples, batch_size):
                part = slice(start, start + batch_size)
                inputs = noise[part] if labels is None else [noise[part], labels[part]]
                out = self.generator(inputs, training=False)
                outputs.append(np.asarray(ops.convert_to_numpy(ops.cast(out, "float32"))))
        images = np.concatenate(outputs, axis=0)
        if self.output_range is None:
            return images.astype("float32")
        low, high = self.output_range
        return np.clip((images - low) / (high - low), 0.0, 1.0).astype("float32")

    def fit(self, x=None, y=None, batch_size=None, validate_data=True, **kwargs):
        """Trains the GAN on images; takes the arguments of `keras.Model.fit`.

        Args:
            x: Images: a `tf.data.Dataset` of image batches or an array
                `(N, H, W, C)`, in `output_range`.
            y: Labels `(N,)` of array images `x` for a conditional GAN
                (datasets yield `(images, labels)` batches instead); None
                for an unconditional GAN.
            validate_data: Check the first batch (shape, dtype, value range,
                NaN) and raise a clear error before any training step.

        Under a data-parallel distribution every batch must divide evenly over
        the replicas (checked on the first batch, and on an array's last one).
        Training on the CPU, a dataset's tf.data autotuning is turned off unless
        the dataset sets it (`kerasgan.data.pipeline.without_cpu_autotune`: it
        stalled training on 2 cores).
        """
        if y is not None and self.conditioning is None:
            raise ValueError(
                "Expected images only (x) in GAN.fit(). Received: labels (y) too. This GAN is "
                "unconditional: call fit(images)."
            )
        validation.check_steps_per_execution(
            kwargs.get("steps_per_epoch"), getattr(self, "steps_per_execution", 1))
        replicas = validation.num_replicas(self)
        if validate_data or replicas > 1:
            # The replica rule holds even without validate_data: an uneven split trains wrongly.
            batch = validation.first_batch(x, batch_size)
            if batch is not None:
                if validate_data and self.conditioning is not None:
                    if y is not None:
                        conditional_lib.label_array(y, self.num_classes, validation.batch_length(
                            np.asarray(x)), name="fit() labels")
                        batch = (batch, np.asarray(y)[: validation.batch_length(batch)])
                    images = conditional_lib.check_label_batch(batch, self.num_classes)
                    validation.check_images(images, self.image_shape, self.output_range)
                elif validate_data:
                    validation.check_images(batch, self.image_shape, self.output_range)
                validation.check_replicas(batch, replicas)
                if self.real_batches == "split":
                    validation.check_split_batch(validation.batch_length(batch) // replicas,
                                                 self.d_steps)
            if isinstance(x, np.ndarray):
                validation.check_array_batches(len(x), batch_size, replicas)
        if not isinstance(x, np.ndarray):
            # Datasets arrive shuffled (kerasgan.data does it); Keras would warn that it ignores
            # shuffle=True for them.
            kwargs.setdefault("shuffle", False)
            from kerasgan.data import pipeline  # imports TensorFlow, as Keras' data adapters do

            x = pipeline.without_cpu_autotune(x)
        return super().fit(x, y, batch_size=batch_size, **kwargs)

    # --------------------------------------------------- backend-neutral step

    def train_step(self, *args, **kwargs):
        return trainers.get().train_step(self, *args, **kwargs)

    def test_step(self, *args, **kwargs):
        """`evaluate()`'s step: `d_loss` and `g_loss` on a batch of real images, no update."""
        return trainers.get().test_step(self, *args, **kwargs)

    def evaluation_losses(self, data):
        """The adversarial losses on real images `data` and fresh fakes, without updates.

        Backend-neutral; the trainers call it from `test_step`. Networks run
        in inference mode, noise comes from the GAN's seed generator, and the
        gradient penalty (a training regulariser) is left out.

        Returns:
            `{"d_loss": ..., "g_loss": ...}` as scalars.
        """
        real = self.real_batch(data)
        real_labels = self.real_labels(data)
        n = ops.shape(real)[0]
        z = self._training_noise((n, self.latent_dim))
        fake_labels = None
        if self.conditioning is not None:
            fake_labels = conditional_lib.draw_labels(n, self.num_classes, self.seed_generator)
        fake = self.generator(self._generator_inputs(z, fake_labels), training=False)
        fake_out, fake_classes = self.discriminate(fake, fake_labels, training=False)
        real_out, real_classes = self.discriminate(real, real_labels, training=False)
        d_loss = self.d_loss_fn(real_out, fake_out) * self.d_loss_weight
        g_loss = self.g_loss_fn(fake_out)
        if self.conditioning == "acgan":
            d_loss = d_loss + losses_lib.auxiliary_classifier_discriminator_loss(
                real_classes, real_labels, fake_classes, fake_labels, self.aux_loss_weight)
            g_loss = g_loss + losses_lib.auxiliary_classifier_generator_loss(
                fake_classes, fake_labels, self.aux_loss_weight)
        return {"d_loss": d_loss, "g_loss": g_loss}

    def _generator_inputs(self, z, labels):
        return z if self.conditioning is None else [z, labels]

    def discriminate(self, images, labels=None, training=True):
        """`(adversarial output, class logits or None)` of the discriminator on `images`.

        Passes `labels` to a `"concat"`/`"projection"` discriminator; an
        `"acgan"` discriminator returns both outputs itself.
        """
        if self.conditioning == "acgan":
            out, classes = self.discriminator(images, training=training)
            return out, classes
        if self.conditioning is not None:
            return self.discriminator([images, labels], training=training), None
        return self.discriminator(images, training=training), None

    def real_labels(self, data):
        """The int32 labels `(batch,)` of a conditional GAN's batch (None when unconditional)."""
        if self.conditioning is None:
            return None
        if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
            raise ValueError(
                "Expected batches of (images, labels) for this class-conditional GAN. Received: "
                "images only. Load labels with kerasgan.data.load(..., labels=True), or pass "
                "fit(images, labels)."
            )
        return conditional_lib.as_labels(data[1])


    def phase_plan(self):
        """The optimizer updates of one training step, in order."""
        parts = [("real", "fake")] if self.d_update == "joint" else [("real",), ("fake",)]
        plan = [Phase("discriminator", i, terms) for i in range(self.d_steps) for terms in parts]
        plan.append(Phase("generator"))
        return plan

    def real_chunks(self, data):
        """Validates a batch of real samples and cuts it into one chunk per D step.

        Samples may have any rank: a batch has shape `(batch,) + image_shape`
        (images `(H, W, C)`, or e.g. `(1,)` for 1-D toy data). With
        `real_batches="split"` the chunks are the consecutive parts of
        `split_batch`; with `"reuse"` every chunk is the whole batch.
        """
        x = self.real_batch(data)
        labels = self.real_labels(data)
        if self.real_batches == "reuse":
            chunks = _Chunks([x] * self.d_steps)
            chunks.labels = [labels] * self.d_steps
            return chunks
        chunks = _Chunks(split_batch(x, self.d_steps))
        chunks.labels = ([None] * self.d_steps if labels is None
                         else split_batch(labels, self.d_steps))
        return chunks

    def real_batch(self, data):
        """The images of a `fit()`/`evaluate()` batch, checked and cast to the compute dtype."""
        x = data
        if isinstance(data, (tuple, list)):
            x = data[0]
        elif isinstance(data, dict):
            raise ValueError(
                "Expected batches of images. Received: a dict with keys "
                f"{sorted(data)}. Map the dataset to images first: ds.map(lambda d: d['image'])."
            )
        validation.check_batch_shape(x.shape, self.image_shape)
        return ops.cast(x, self.compute_dtype if self.compute_dtype != "float16" else "float32")

    def draw_randomness(self, batch_size):
        """All noise one training step needs, drawn up front from `seed_generator`.

        A hook: subclasses call `super().draw_randomness(batch_size)` and add
        their own keys. Every value must have `batch_size` rows on axis 0
        (under a distribution each replica keeps its rows of the global draw;
        the smaller parts of an uneven `real_batches="split"` use the first
        rows). Keys used here: `z{i}` (noise of discriminator update `i`),
        `alpha{i}` (gradient-penalty interpolation), `z_g` (generator update);
        for a conditional GAN `y{i}` and `y_g` (the fakes' class ids); with
        `augment`, `aug_real{i}/*`, `aug_fake{i}/*`, `aug_g/*` (DiffAugment
        parameters, `kerasgan.augment.draw_into`).

        Args:
            batch_size: Rows per discriminator update (the largest part).

        Returns:
            A dict of tensors.
        """
        shape = (batch_size, self.latent_dim)
        r = {}
        for i in range(self.d_steps):
            r[f"z{i}"] = self._training_noise(shape)
            if self.gradient_penalty_weight:
                r[f"alpha{i}"] = keras.random.uniform(
                    (batch_size,) + (1,) * len(self.image_shape), 0.0, 1.0, seed=self.seed_generator
                )
        if self.g_noise == "reuse":
            r["z_g"] = r[f"z{self.d_steps - 1}"]
        else:
            r["z_g"] = self._training_noise(shape)
        if self.conditioning is not None:
            for i in range(self.d_steps):
                r[f"y{i}"] = conditional_lib.draw_labels(batch_size, self.num_classes,
                                                         self.seed_generator)
            r["y_g"] = (r[f"y{self.d_steps - 1}"] if self.g_noise == "reuse" else
                        conditional_lib.draw_labels(batch_size, self.num_classes,
                                                    self.seed_generator))
        if self.augment is not None:
            keys = [f"aug_{side}{i}" for i in range(self.d_steps) for side in ("real", "fake")]
            for key in keys + ["aug_g"]:
                augment_lib.draw_into(r, key, batch_size, self.image_shape, self.augment,
                                      self.seed_generator)
        return r

    def _training_noise(self, shape):
        if self.noise == "uniform":
            return keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        return keras.random.normal(shape, seed=self.seed_generator)

    def phase_loss(self, phase, chunks, randomness, return_aux=False):
        """The loss a phase minimises; pure given the current variable values.

        With `return_aux`, returns `(loss, aux)`: `aux` holds the scalar
        means of the discriminator's adversarial output on this phase's real
        (`"d_real"`) and fake (`"d_fake"`) inputs, taken from the passes that
        compute the loss (empty for the generator phase).
        """
        aux = {}
        if phase.network == "generator":
            labels = randomness.get("y_g")
            fake = self.generator(self._generator_inputs(randomness["z_g"], labels), training=True)
            fake = augment_lib.apply_from(randomness, "aug_g", fake, self.augment)
            fake_out, fake_classes = self.discriminate(fake, labels)
            loss = self.g_loss_fn(fake_out)
            if self.conditioning == "acgan":
                loss = loss + losses_lib.auxiliary_classifier_generator_loss(
                    fake_classes, labels, self.aux_loss_weight)
            return (loss, aux) if return_aux else loss
        i = phase.d_step
        real = chunks[i]
        chunk_labels = getattr(chunks, "labels", None)
        real_labels = chunk_labels[i] if chunk_labels else None
        randomness = _rows_like(randomness, real)
        fake_labels = randomness.get(f"y{i}")
        real_out = fake_out = real_classes = fake_classes = None
        fake = None
        if "real" in phase.terms:
            seen = augment_lib.apply_from(randomness, f"aug_real{i}", real, self.augment)
            real_out, real_classes = self.discriminate(seen, real_labels)
        if "fake" in phase.terms:
            fake = self.discriminator_fake(real, i, randomness)
            seen = augment_lib.apply_from(randomness, f"aug_fake{i}", fake, self.augment)
            fake_out, fake_classes = self.discriminate(seen, fake_labels)
        loss = self.d_loss_fn(real_out, fake_out) * self.d_loss_weight
        if self.conditioning == "acgan":
            loss = loss + losses_lib.auxiliary_classifier_discriminator_loss(
                real_classes, real_labels, fake_classes, fake_labels, self.aux_loss_weight)
        if self.gradient_penalty_weight and fake is not None:
            loss = loss + self.gradient_penalty_weight * self.gradient_penalty(
                real, fake, randomness[f"alpha{i}"], real_labels
            )
        if self.r1_weight and "real" in phase.terms:
            loss = loss + 0.5 * self.r1_weight * self.r1_penalty(real, real_labels)
        if not return_aux:
            return loss
        if real_out is not None:
            aux["d_real"] = ops.mean(ops.cast(ops.stop_gradient(real_out), "float32"))
        if fake_out is not None:
            aux["d_fake"] = ops.mean(ops.cast(ops.stop_gradient(fake_out), "float32"))
        return loss, aux

    def discriminator_fake(self, real, d_step, randomness):
        """The fake batch discriminator update `d_step` trains on.

        A hook: the default is the generator's samples from
        `randomness[f"z{d_step}"]`, gradient stopped. Subclasses may return
        any batch of `real`'s shape (e.g. noise blended into real images);
        the training step number is `self.optimizer.iterations`.

        Args:
            real: This update's real images.
            d_step: Index of the discriminator update within the step.
            randomness: `draw_randomness`'s dict, cut to `real`'s rows.
        """
        inputs = self._generator_inputs(randomness[f"z{d_step}"], randomness.get(f"y{d_step}"))
        return ops.stop_gradient(self.generator(inputs, training=True))

    def gradient_penalty(self, real, fake, alpha, labels=None):
        """WGAN-GP penalty E[(||grad D(x_hat)||_2 - 1)^2] on interpolates x_hat.

        A conditional discriminator sees the real images' `labels`.

        Reference: Gulrajani et al., Improved Training of Wasserstein GANs, 2017.
        """
        fake = ops.cast(fake, real.dtype)
        interpolated = real + alpha * (fake - real)
        grads = trainers.get().input_gradient(
            lambda x: self.discriminate(x, labels)[0], interpolated
        )
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=tuple(range(1, len(grads.shape)))) + 1e-12)
        return ops.mean(ops.square(norms - 1.0))

    def r1_penalty(self, real, labels=None):
        """R1 penalty E[||grad D(x)||_2^2] on the real images `real` (before augmentation).

        The penalty's pass runs the discriminator in inference mode: it
        updates no state (BatchNorm statistics, spectral-norm vectors), and a
        BatchNorm discriminator is differentiated with its moving statistics.

        Reference: Mescheder et al., Which Training Methods for GANs do
        actually Converge?, ICML 2018.
        """
        grads = trainers.get().input_gradient(
            lambda x: self.discriminate(x, labels, training=False)[0], real)
        return ops.mean(ops.sum(ops.square(grads), axis=tuple(range(1, len(grads.shape)))))

    # ---------------------------------------------------------- serialization

    _SEED_STATE_KEY = "seed_generator_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        # Keras' saving skips SeedGenerator states; a resumed run must continue the noise stream.
        store[self._SEED_STATE_KEY] = self.seed_generator.state

    def load_own_variables(self, store):
        keys = list(store.keys())
        if self._SEED_STATE_KEY in keys:
            self.seed_generator.state.assign(store[self._SEED_STATE_KEY])
            store = {k: store[k] for k in keys if k != self._SEED_STATE_KEY}
        super().load_own_variables(store)

    def get_config(self):
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "noise": self.noise,
            "d_steps": self.d_steps,
            "d_update": self.d_update,
            "real_batches": self.real_batches,
            "g_noise": self.g_noise,
            "output_range": None if self.output_range is None else list(self.output_range),
            "clip_value": self.clip_value,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "d_loss_weight": self.d_loss_weight,
            "shared_weights": [list(p) for p in self.shared_weights],
            "shared_update": self.shared_update,
            "ema_decay": self.ema_decay,
            "ema_start": self.ema_start,
            "r1_weight": self.r1_weight,
            "num_classes": self.num_classes,
            "conditioning": self.conditioning,
            "augment": self.augment,
            "aux_loss_weight": self.aux_loss_weight,
            "seed": self.seed,
            "diagnostics": self.diagnostics,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = _upgrade_config(config, cls)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"), custom_objects)
        discriminator = keras.saving.deserialize_keras_object(
            config.pop("discriminator"), custom_objects
        )
        return cls(generator, discriminator, **config)


_SAVED_COMPILE_ARGS = ("steps_per_execution", "jit_compile", "run_eagerly")


class CheckpointConfigError(ValueError):
    """A saved GAN's configuration cannot be restored (not a damaged file)."""


def _serialize_loss(name, fn):
    if fn is None:
        return None
    if not callable(fn):
        raise ValueError(
            f"Expected {name} to be a callable or None. Received: {name}={fn!r}. Pass a function, "
            "or a loss family name as loss=..."
        )
    return keras.saving.serialize_keras_object(fn)


def _deserialize_loss(name, config):
    try:
        return keras.saving.deserialize_keras_object(config)
    except Exception as e:
        label = config.get("registered_name") or config.get("config") if isinstance(config, dict) else config
        raise CheckpointConfigError(
            f"Expected the custom {name} of this saved GAN to be a registered Keras object. "
            f"Received: {label!r}, which cannot be restored ({type(e).__name__}: {e}). Decorate "
            f"the function with @keras.saving.register_keras_serializable() (imported before "
            f"loading), or pass custom_objects={{...}} to keras.saving.load_model."
        ) from e


def _upgrade_config(config, cls):
    """A copy of a saved GAN config in today's form.

    Files written before the fake-source hooks carry `fake_source` and
    `anneal_steps`. `"generator"` was the plain GAN: both keys are dropped.
    `"annealed_noise"` loads only into a subclass that overrides
    `discriminator_fake` (`studies.annealed_noise.AnnealedNoiseGAN`), which
    keeps `anneal_steps`.
    """
    config = dict(config)
    if "fake_source" not in config:
        return config
    source = config.pop("fake_source")
    if source == "generator":
        config.pop("anneal_steps", None)
    elif cls.discriminator_fake is GAN.discriminator_fake:
        raise CheckpointConfigError(
            "Expected a GAN config with fake_source='generator': kerasgan.GAN no longer "
            f"anneals its fake batch. Received: fake_source={source!r}. Annealed-noise GANs "
            "are studies.annealed_noise.AnnealedNoiseGAN; load the file with "
            "`with keras.saving.CustomObjectScope({'kerasgan>GAN': AnnealedNoiseGAN}): "
            "keras.saving.load_model(path)`."
        )
    return config


class _Chunks(list):
    """The real chunks of one step; `labels` holds the matching label chunks (or Nones)."""

    labels = None


def _rows_like(randomness, real):
    """`randomness` cut to `real`'s batch size (a smaller part of an uneven split)."""
    n, first = real.shape[0], next(iter(randomness.values())).shape[0]
    if n is not None and n == first:
        return randomness
    n = ops.shape(real)[0] if n is None else n
    return {k: v[:n] for k, v in randomness.items()}


def split_batch(x, parts):
    """Cuts `x` along axis 0 into `parts` consecutive parts of near-equal size.

    A batch of `B` gives the first `B % parts` parts `B // parts + 1` rows and
    the others `B // parts`, so any `B >= parts` works. `B` may be a static
    int or, under TensorFlow, a dynamic batch size.
    """
    batch = x.shape[0]
    if batch is not None:
        validation.check_split_batch(int(batch), parts)
        q, r = divmod(int(batch), parts)
        bounds = [i * q + min(i, r) for i in range(parts + 1)]
    else:
        batch = ops.shape(x)[0]
        q, r = batch // parts, batch % parts
        bounds = [i * q + ops.minimum(i, r) for i in range(parts + 1)]
    return [x[bounds[i] : bounds[i + 1]] for i in range(parts)]


def load_gan(path):
    """Loads a `.keras` GAN checkpoint; a missing or corrupt file raises an error naming it.

    Example:
    >>> gan = kerasgan.load_gan("runs/dcgan/checkpoint.keras")
    """
    import kerasgan.zoo  # noqa: F401  (registers the networks' custom layers)

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"Expected a checkpoint file. Received: {path}, which does not exist.")
    if not path.endswith(".keras") or not os.path.isfile(path):
        raise ValueError(
            f"Expected a .keras checkpoint file (written by python -m kerasgan.train or "
            f"kerasgan.callbacks.AtomicCheckpoint). Received: {path}"
        )
    try:
        gan = keras.saving.load_model(path)
    except CheckpointConfigError:
        raise
    except Exception as e:  # keras raises many types for a damaged zip/h5
        raise ValueError(
            f"Expected a loadable .keras checkpoint. Received: {path}, which is corrupt or "
            f"truncated ({type(e).__name__}: {e}). Delete it to start over, or restore it from a "
            "backup."
        ) from e
    if not isinstance(gan, GAN):
        raise ValueError(
            f"Expected a kerasgan.GAN checkpoint. Received: {path}, which holds a "
            f"{type(gan).__name__}. Pass a checkpoint written by python -m kerasgan.train "
            "(output_dir/checkpoint.keras)."
        )
    return gan
