"""The backend-neutral training step of `kerasgan.GAN`, run by the per-backend `kerasgan.trainers`.

A step is a plan of `Phase`s (`d_steps` discriminator updates, then one generator update). The
trainer asks the GAN for the step's real chunks (`real_chunks`), all its noise up front
(`draw_randomness`), each phase's loss (`phase_loss`, with the gradient and R1 penalties) and
the metric values of the step's results (`step_metric_values`); it differentiates and applies
the updates itself.
"""

import dataclasses

import keras
from keras import ops

from kerasgan import augment as augment_lib
from kerasgan import conditioning as conditioning_lib
from kerasgan import losses as losses_lib
from kerasgan import trainers, validation

# Metrics of `GAN(diagnostics=True)`, after d_loss and g_loss.
DIAGNOSTICS = ("d_real", "d_fake", "d_grad_norm", "g_grad_norm")


def check_loss_options(clip_value, gradient_penalty_weight, d_loss_weight, r1_weight,
                       r2_weight=0.0, mode_seeking_weight=0.0):
    """`(clip_value or None, gradient_penalty_weight, d_loss_weight, r1_weight, r2_weight,
    mode_seeking_weight)`.

    Raises for a value the losses cannot use.
    """
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
    for name, value in (("r1_weight", r1_weight), ("r2_weight", r2_weight)):
        if not (validation.is_finite_number(value) and value >= 0):
            raise validation.argument_error(
                name, value, "a finite number >= 0",
                f"Typical values are 0.1 to 10; pass 0 for no {name[:2].upper()} penalty.")
    if not (validation.is_finite_number(mode_seeking_weight) and mode_seeking_weight >= 0):
        raise validation.argument_error(
            "mode_seeking_weight", mode_seeking_weight, "a finite number >= 0",
            "MSGAN uses 1.0; pass 0 for no mode-seeking term.")
    return (None if clip_value is None else float(clip_value), float(gradient_penalty_weight),
            float(d_loss_weight), float(r1_weight), float(r2_weight), float(mode_seeking_weight))


class ClipConstraint(keras.constraints.Constraint):
    """Clips every weight to [-clip_value, clip_value] (WGAN weight clipping)."""

    def __init__(self, clip_value):
        self.clip_value = float(clip_value)

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}


@dataclasses.dataclass(frozen=True)
class Phase:
    """One optimizer update inside a training step."""

    network: str  # "discriminator" or "generator"
    d_step: int = 0  # index of the discriminator step (0 for the generator phase)
    terms: tuple = ()  # ("real", "fake"), ("real",) or ("fake",) for the discriminator


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


class AdversarialStep:
    """The step protocol of `kerasgan.GAN`: what one training or evaluation step computes.

    Every method is backend-neutral (Keras ops on the GAN's variables); `kerasgan.trainers`
    turns them into a `train_step`/`test_step` per backend. Subclasses may override the hooks
    `draw_randomness` and `discriminator_fake`.
    """

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
        return conditioning_lib.as_labels(data[1])

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
                r[f"y{i}"] = conditioning_lib.draw_labels(batch_size, self.num_classes,
                                                          self.seed_generator)
            r["y_g"] = (r[f"y{self.d_steps - 1}"] if self.g_noise == "reuse" else
                        conditioning_lib.draw_labels(batch_size, self.num_classes,
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
            if self.mode_seeking_weight and labels is not None:
                labels = losses_lib.paired_labels(labels)
            images = self.generator(self._generator_inputs(randomness["z_g"], labels),
                                    training=True)
            fake = augment_lib.apply_from(randomness, "aug_g", images, self.augment,
                                          self.augment_fill)
            fake_out, fake_classes = self.discriminate(fake, labels)
            if getattr(self.g_loss_fn, "needs_real", False):  # e.g. the relativistic loss
                real_labels = (getattr(chunks, "labels", None) or [None])[0]
                real = augment_lib.apply_from(randomness, "aug_real0", chunks[0], self.augment,
                                              self.augment_fill)
                loss = self.g_loss_fn(fake_out, self.discriminate(real, real_labels)[0])
            else:
                loss = self.g_loss_fn(fake_out)
            if self.conditioning == "acgan":
                loss = loss + losses_lib.auxiliary_classifier_generator_loss(
                    fake_classes, labels, self.aux_loss_weight)
            if self.mode_seeking_weight:
                loss = loss + self.mode_seeking_weight * losses_lib.mode_seeking_loss(
                    images, randomness["z_g"])
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
            seen = augment_lib.apply_from(randomness, f"aug_real{i}", real, self.augment,
                                          self.augment_fill)
            real_out, real_classes = self.discriminate(seen, real_labels)
        if "fake" in phase.terms:
            fake = self.discriminator_fake(real, i, randomness)
            seen = augment_lib.apply_from(randomness, f"aug_fake{i}", fake, self.augment,
                                          self.augment_fill)
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
        if self.r2_weight and fake is not None:  # R2: the same penalty on the fakes
            loss = loss + 0.5 * self.r2_weight * self.r1_penalty(fake, fake_labels)
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
        real, alpha = ops.convert_to_tensor(real), ops.convert_to_tensor(alpha)
        fake = ops.cast(fake, real.dtype)
        interpolated = real + alpha * (fake - real)
        grads = trainers.get().input_gradient(
            lambda x: self.discriminate(x, labels)[0], interpolated
        )
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=tuple(range(1, len(grads.shape)))) + 1e-12)
        return ops.mean(ops.square(norms - 1.0))

    def r1_penalty(self, real, labels=None):
        """R1 penalty E[||grad D(x)||_2^2] on the real images `real` (before augmentation).

        On the fakes instead it is the R2 penalty (`GAN(r2_weight=...)`).

        The penalty's pass runs the discriminator in inference mode: it
        updates no state (BatchNorm statistics, spectral-norm vectors), and a
        BatchNorm discriminator is differentiated with its moving statistics.

        Reference: Mescheder et al., Which Training Methods for GANs do
        actually Converge?, ICML 2018.
        """
        grads = trainers.get().input_gradient(
            lambda x: self.discriminate(x, labels, training=False)[0], real)
        return ops.mean(ops.sum(ops.square(grads), axis=tuple(range(1, len(grads.shape)))))

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
            fake_labels = conditioning_lib.draw_labels(n, self.num_classes, self.seed_generator)
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
