"""`GAN`: an adversarial `keras.Model` that trains with `fit()` under TensorFlow and JAX.

The GAN's parts live beside it: the optimizer pair (`kerasgan.gan_optimizer`), the generator's
moving average (`kerasgan.ema`), drawing noise and images (`kerasgan.sampling`), the training
step's protocol (`kerasgan.step`) and saving and loading (`kerasgan.saving`).
"""

import keras

from kerasgan import augment as augment_lib
from kerasgan import conditioning as conditioning_lib
from kerasgan import batch_checks, gan_optimizer, saving, trainers, validation
from kerasgan import ema as ema_lib
from kerasgan import losses as losses_lib
from kerasgan import step as step_lib
from kerasgan.ema import GeneratorEMA
from kerasgan.gan_optimizer import GANOptimizer
from kerasgan.sampling import GeneratorSampling
from kerasgan.saving import CheckpointConfigError, load_gan
from kerasgan.step import DIAGNOSTICS, AdversarialStep, ClipConstraint, Phase, split_batch
from kerasgan.trainers import finite_steps

__all__ = ["DIAGNOSTICS", "GAN", "CheckpointConfigError", "ClipConstraint", "GANOptimizer", "Phase",
           "load_gan", "split_batch"]

_NOISE = ("normal", "uniform")
_D_UPDATE = ("joint", "split")
_REAL_BATCHES = ("reuse", "split")
_G_NOISE = ("fresh", "reuse")
_SHARED_UPDATE = ("discriminator", "both")


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(AdversarialStep, GeneratorSampling, GeneratorEMA, keras.Model):
    """A generator and a discriminator trained by alternating adversarial updates.

    Each `fit()` step runs `d_steps` discriminator updates, then one generator
    update. The training logic is backend-neutral (`kerasgan.step`); the
    per-backend plumbing lives in `kerasgan.trainers`.

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
        clip_value: If set, D's weights are clipped to [-clip_value,
            clip_value] after each update (WGAN).
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
            Until then the average copies the generator; from then on the
            warm-up above counts updates since `ema_start`, so the decay ramps
            up from a generator that has left its random initialisation.
        r1_weight: Weight `gamma` of the R1 penalty `gamma / 2 * E[||grad
            D(x_real)||^2]` added to the discriminator loss (0: off). Typical
            values for 28x28 images: 0.1 to 10. Reference: Mescheder et al.,
            Which Training Methods for GANs do actually Converge?, 2018.
        r2_weight: The same penalty on the fakes, `gamma / 2 * E[||grad D(G(z))||^2]`
            (0: off); R3GAN pairs it with R1 and `loss="relativistic"`.
        mode_seeking_weight: Weight of MSGAN's term in the generator loss (0:
            off; the paper's is 1), which rewards pairs of samples (sharing
            their labels) for differing as much as their noise
            (`kerasgan.losses.mode_seeking_loss`; Mao et al., 2019).
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
        augment_fill: DiffAugment's translation and cutout fill value (0, the
            paper's; the data's minimum fills with a black background).
        aux_loss_weight: Weight of ACGAN's auxiliary classification loss.
        seed: Seed of the training noise.
        diagnostics: If True, also log per step the discriminator's mean raw
            output on reals (`d_real`) and fakes (`d_fake`) and each network's
            global gradient L2 norm (`d_grad_norm`, `g_grad_norm`; D's averaged
            over its updates), taken from the step's own passes (no update
            changes) and returned by `fit()` beside `d_loss` and `g_loss`.
            Off by default (not free on tiny models); `python -m
            kerasgan.train` turns them on.

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
        r2_weight=0.0,
        mode_seeking_weight=0.0,
        num_classes=None,
        conditioning=None,
        augment=None,
        augment_fill=0.0,
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
        loss_options = step_lib.check_loss_options(
            clip_value, gradient_penalty_weight, d_loss_weight, r1_weight, r2_weight,
            mode_seeking_weight)
        ema = ema_lib.check_options(ema_decay, ema_start)
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
        (self.clip_value, self.gradient_penalty_weight, self.d_loss_weight,
         self.r1_weight, self.r2_weight, self.mode_seeking_weight) = loss_options
        self.shared_weights = tuple(tuple(pair) for pair in shared_weights)
        self.shared_update = shared_update
        self.ema_decay, self.ema_start = ema
        self.num_classes, self.conditioning = conditioning_lib.check_mode(num_classes, conditioning)
        augment_lib.parse_policy(augment)
        self.augment = augment or None
        self.augment_fill = augment_lib.check_fill(augment_fill)
        self.aux_loss_weight = conditioning_lib.check_aux_loss_weight(aux_loss_weight,
                                                                      self.conditioning)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.diagnostics = bool(diagnostics)
        self.diagnostic_trackers = (
            [keras.metrics.Mean(name=n) for n in DIAGNOSTICS] if self.diagnostics else [])
        self.latent_dim = (int(latent_dim) if latent_dim is not None
                           else validation.generator_latent_dim(self.generator))
        validation.check_positive_int("latent_dim", self.latent_dim)
        self.build()

    # ------------------------------------------------------------------ build

    def build(self, input_shape=None):
        g_shape = (None, self.latent_dim)
        if self.conditioning is not None:
            g_shape = [g_shape, (None,)]
            conditioning_lib.check_generator(self.generator, self.conditioning)
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
        d_out = conditioning_lib.adversarial_output_shape(
            self.discriminator.compute_output_shape(d_shape), self.conditioning, self.num_classes)
        if len(d_out) != 2 or d_out[-1] != 1:
            raise ValueError(
                f"Expected a discriminator mapping images of shape {self.image_shape} to outputs "
                f"of shape (batch, 1). Received: a discriminator with output shape {d_out}."
            )
        for g_name, d_name in self.shared_weights:
            self.generator.get_layer(g_name).tie(self.discriminator.get_layer(d_name))
        if self.clip_value is not None:
            clip = step_lib.ClipConstraint(self.clip_value)
            for v in self.discriminator.trainable_variables:
                v.constraint = clip
                # The reference clips before every critic update, so the first update too.
                v.assign(clip(v))
        if self.ema_decay is not None and getattr(self, "_ema", None) is None:
            self._build_ema()
        self.built = True

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
        d_optimizer, g_optimizer = gan_optimizer.get_pair(d_optimizer, g_optimizer)
        family_d, family_g = losses_lib.get(loss)
        config = saving.compile_config(d_optimizer, g_optimizer, loss, d_loss, g_loss, kwargs)
        if getattr(g_loss or family_g, "needs_real", False) and self.d_update != "joint":
            raise ValueError(
                f"Expected GAN(d_update='joint') for loss={loss!r}: it pairs each real output "
                f"with a fake one in the same update. Received: d_update={self.d_update!r}.")
        self.loss_family = loss
        self.d_loss_fn = d_loss or family_d
        self.g_loss_fn = g_loss or family_g
        pair = GANOptimizer(d_optimizer, g_optimizer)
        pair.set_variable_lists(lambda: (self.d_variables, self.g_variables))
        super().compile(optimizer=pair, auto_scale_loss=False,
                        **trainers.keras_compile_options(kwargs))
        pair.build()
        self._gan_compile_config = config

    @property
    def d_optimizer(self):
        return self.optimizer.d_optimizer

    @property
    def g_optimizer(self):
        return self.optimizer.g_optimizer

    def get_compile_config(self):
        return getattr(self, "_gan_compile_config", None)

    def compile_from_config(self, config):
        self.compile(**saving.compile_arguments(config))

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker] + list(self.diagnostic_trackers)

    # --------------------------------------------------------------- generate

    def call(self, noise, training=False):
        """Raw generator output for `noise` of shape `(batch, latent_dim)`.

        A conditional GAN takes `[noise, labels]` (labels: int class ids `(batch,)`).

        `predict(noise)` returns them in `output_range`, from the raw (not
        averaged) generator; `generate()` rescales to [0, 1] and uses the EMA
        weights when `ema_decay` is set; `with gan.ema_weights():
        gan.predict(noise)` gives the averaged generator's raw outputs.
        """
        return self.generator(noise, training=training)

    # -------------------------------------------------------------------- fit

    def fit(self, x=None, y=None, batch_size=None, validate_data=True, terminate_on_nan=True,
            **kwargs):
        """Trains the GAN on images; takes the arguments of `keras.Model.fit`.

        Args:
            x: Images: a `tf.data.Dataset` of image batches or an array
                `(N, H, W, C)`, in `output_range`.
            y: Labels `(N,)` of array images `x` for a conditional GAN (datasets
                yield `(images, labels)` batches instead); None if unconditional.
            validate_data: Raise a clear error for bad data: the first batch
                (structure, shape, dtype, range, NaN) before training, then
                every batch (`kerasgan.batch_checks`; the message names it).
            terminate_on_nan: Add a `kerasgan.callbacks.TerminateOnNonFinite`
                unless `callbacks` hold one: training stops at the first step
                that logs a NaN or Inf, and that step is not applied.

        Under a data-parallel distribution every batch must divide evenly over
        the replicas. Training on the CPU, tf.data's autotuning is off for
        datasets that do not set it and for arrays (`kerasgan.utils.tf_data`).
        """
        x, y, batch_size, failures = batch_checks.prepare_fit_data(
            self, x, y, batch_size, validate_data, kwargs)
        kwargs["callbacks"] = finite_steps.watch(self, kwargs.get("callbacks"), terminate_on_nan)
        try:
            return super().fit(x, y, batch_size=batch_size, **kwargs)
        except Exception:
            if failures:  # a batch failed its check inside the input pipeline
                raise failures[0] from None
            raise

    def train_step(self, *args, **kwargs):
        """`fit()`'s step: the backend's trainer runs the protocol of `kerasgan.step`."""
        if getattr(self, "_skip_non_finite_steps", False):
            return finite_steps.train_step(self, *args)
        return trainers.get().train_step(self, *args, **kwargs)

    def test_step(self, *args, **kwargs):
        """`evaluate()`'s step: `d_loss` and `g_loss` on a batch of real images, no update."""
        return trainers.get().test_step(self, *args, **kwargs)

    # ------------------------------------------------------------------ config

    def save_own_variables(self, store):
        super().save_own_variables(store)
        saving.save_seed_state(self, store)

    def load_own_variables(self, store):
        super().load_own_variables(saving.load_seed_state(self, store))

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
            "r2_weight": self.r2_weight,
            "mode_seeking_weight": self.mode_seeking_weight,
            "num_classes": self.num_classes,
            "conditioning": self.conditioning,
            "augment": self.augment,
            "augment_fill": self.augment_fill,
            "aux_loss_weight": self.aux_loss_weight,
            "seed": self.seed,
            "diagnostics": self.diagnostics,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = saving.upgrade_config(config, cls)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"), custom_objects)
        discriminator = keras.saving.deserialize_keras_object(
            config.pop("discriminator"), custom_objects
        )
        return cls(generator, discriminator, **config)
