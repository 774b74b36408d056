"""Adversarial loss families as pure `keras.ops` pairs.

Each family has `<family>_discriminator_loss(real_output, fake_output)` and
`<family>_generator_loss(fake_output)`. Outputs are the discriminator's raw
outputs (logits for the cross-entropy families). A discriminator loss is the
sum of a real term and a fake term; pass `None` for either side to get the
other term alone (used by presets that update D on real and fake batches in
separate steps).

Example:
>>> d_loss, g_loss = kerasgan.losses.get("least_squares")
>>> gan = kerasgan.zoo.get("dcgan", loss="least_squares")
"""

import difflib

from keras import ops


def _mean(x):
    return ops.mean(ops.cast(x, "float32"))


def _sum_terms(real_term, fake_term):
    terms = [t for t in (real_term, fake_term) if t is not None]
    if not terms:
        raise ValueError(
            "Expected real_output, fake_output or both for a discriminator loss. "
            "Received: real_output=None and fake_output=None."
        )
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def _bce_real_fake(real_output, fake_output):
    # softplus(-x) = BCE(sigmoid(x), 1); softplus(x) = BCE(sigmoid(x), 0); stable for any logit.
    real = None if real_output is None else _mean(ops.softplus(-ops.cast(real_output, "float32")))
    fake = None if fake_output is None else _mean(ops.softplus(ops.cast(fake_output, "float32")))
    return _sum_terms(real, fake)


def minimax_discriminator_loss(real_output=None, fake_output=None):
    """Cross-entropy on logits: real labelled 1, fake 0 (Goodfellow et al., 2014)."""
    return _bce_real_fake(real_output, fake_output)


def minimax_generator_loss(fake_output):
    """The saturating generator loss: minimise log(1 - D(G(z)))."""
    return -_mean(ops.softplus(ops.cast(fake_output, "float32")))


def non_saturating_discriminator_loss(real_output=None, fake_output=None):
    """Cross-entropy on logits: real labelled 1, fake 0 (same as minimax)."""
    return _bce_real_fake(real_output, fake_output)


def non_saturating_generator_loss(fake_output):
    """Cross-entropy of D(G(z)) against label 1: minimise -log D(G(z))."""
    return _mean(ops.softplus(-ops.cast(fake_output, "float32")))


def wasserstein_discriminator_loss(real_output=None, fake_output=None):
    """Critic loss mean D(G(z)) - mean D(x) (Arjovsky et al., 2017)."""
    real = None if real_output is None else -_mean(real_output)
    fake = None if fake_output is None else _mean(fake_output)
    return _sum_terms(real, fake)


def wasserstein_generator_loss(fake_output):
    """Generator loss -mean D(G(z))."""
    return -_mean(fake_output)


def least_squares_discriminator_loss(real_output=None, fake_output=None):
    """LSGAN: 0.5 E[(D(x) - 1)^2] + 0.5 E[D(G(z))^2] (Mao et al., 2016)."""
    real = None if real_output is None else 0.5 * _mean(ops.square(real_output - 1.0))
    fake = None if fake_output is None else 0.5 * _mean(ops.square(fake_output))
    return _sum_terms(real, fake)


def least_squares_generator_loss(fake_output):
    """LSGAN generator loss 0.5 E[(D(G(z)) - 1)^2]."""
    return 0.5 * _mean(ops.square(fake_output - 1.0))


def l1_discriminator_loss(real_output=None, fake_output=None):
    """L1 analogue of LSGAN: E|D(x) - 1| + E|D(G(z))| (atiyo/unbounded_gan)."""
    real = None if real_output is None else _mean(ops.abs(real_output - 1.0))
    fake = None if fake_output is None else _mean(ops.abs(fake_output))
    return _sum_terms(real, fake)


def l1_generator_loss(fake_output):
    """L1 generator loss E|D(G(z)) - 1|."""
    return _mean(ops.abs(fake_output - 1.0))


def hinge_discriminator_loss(real_output=None, fake_output=None):
    """Hinge loss E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (Lim & Ye, 2017)."""
    real = None if real_output is None else _mean(ops.relu(1.0 - real_output))
    fake = None if fake_output is None else _mean(ops.relu(1.0 + fake_output))
    return _sum_terms(real, fake)


def hinge_generator_loss(fake_output):
    """Hinge generator loss -E[D(G(z))]."""
    return -_mean(fake_output)


def wgan_cross_entropy_discriminator_loss(real_output=None, fake_output=None):
    """Shared-WGAN reference code's critic loss: sigmoid cross-entropy, labels +1 real, -1 fake.

    With label y the TF op `sigmoid_cross_entropy_with_logits` computes
    max(x, 0) - x*y + log(1 + exp(-|x|)); the reference feeds y = +1 / -1.
    """
    def ce(x, y):
        x = ops.cast(x, "float32")
        return _mean(ops.relu(x) - x * y + ops.log1p(ops.exp(-ops.abs(x))))

    real = None if real_output is None else ce(real_output, 1.0)
    fake = None if fake_output is None else ce(fake_output, -1.0)
    return _sum_terms(real, fake)


def wgan_cross_entropy_generator_loss(fake_output):
    """Shared-WGAN reference code's generator loss: the same cross-entropy with label +1."""
    x = ops.cast(fake_output, "float32")
    return _mean(ops.relu(x) - x + ops.log1p(ops.exp(-ops.abs(x))))


def sparse_softmax_cross_entropy(labels, logits):
    """Mean of -log softmax(logits)[label] over the batch; int labels (B,), logits (B, K)."""
    logits = ops.cast(logits, "float32")
    labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
    picked = ops.sum(logits * ops.one_hot(labels, ops.shape(logits)[-1], dtype="float32"), axis=-1)
    return _mean(ops.logsumexp(logits, axis=-1) - picked)


def auxiliary_classifier_discriminator_loss(real_logits=None, real_labels=None, fake_logits=None,
                                            fake_labels=None, weight=1.0):
    """ACGAN's class loss for the discriminator, `weight * (CE(real) + CE(fake))`.

    Sparse softmax cross-entropy of the auxiliary classifier's class logits
    `(B, K)` against the true labels of the real images and the requested
    labels of the fake images (pass None for a side to get the other alone).
    Added to the adversarial discriminator loss.

    Reference: Odena, Olah, Shlens, Conditional Image Synthesis with Auxiliary
    Classifier GANs, 2017 (the log-likelihood L_C, maximised by D).
    """
    real = None if real_logits is None else sparse_softmax_cross_entropy(real_labels, real_logits)
    fake = None if fake_logits is None else sparse_softmax_cross_entropy(fake_labels, fake_logits)
    return weight * _sum_terms(real, fake)


def auxiliary_classifier_generator_loss(fake_logits, fake_labels, weight=1.0):
    """ACGAN's class loss for the generator: `weight * CE(fake class logits, requested labels)`.

    Reference: Odena et al., 2017 (L_C on generated images, maximised by G too).
    """
    return weight * sparse_softmax_cross_entropy(fake_labels, fake_logits)


def relativistic_discriminator_loss(real_output=None, fake_output=None):
    """Relativistic pairing: softplus(-(D(x_i) - D(G(z_i)))), each real paired with a fake.

    The real and fake outputs of one update must come together, as `GAN(d_update="joint")`
    computes them. References: Jolicoeur-Martineau, The relativistic discriminator, ICLR 2019;
    Huang et al., The GAN is dead; long live the GAN! A Modern GAN Baseline (R3GAN), 2024.
    """
    if real_output is None or fake_output is None:
        raise ValueError(
            "Expected real_output and fake_output together: the relativistic loss pairs each "
            "real output with a fake one. Received: only "
            f"{'fake_output' if real_output is None else 'real_output'}. Build the GAN with "
            "d_update='joint'.")
    real, fake = ops.cast(real_output, "float32"), ops.cast(fake_output, "float32")
    return _mean(ops.softplus(fake - real))


def relativistic_generator_loss(fake_output, real_output=None):
    """Relativistic pairing for the generator: softplus(-(D(G(z_i)) - D(x_i)))."""
    if real_output is None:
        raise ValueError(
            "Expected the discriminator's outputs on real images too: the relativistic "
            "generator loss pairs each fake output with a real one. Received: real_output=None.")
    real, fake = ops.cast(real_output, "float32"), ops.cast(fake_output, "float32")
    return _mean(ops.softplus(real - fake))


#: The generator's update also runs the discriminator on a real batch for this loss.
relativistic_generator_loss.needs_real = True


def pair_rows(x):
    """`(first, second)`: rows `[0, h)` and `[n - h, n)` of `x`, `h = n // 2`.

    With an odd `n` the middle row is in no pair.
    """
    n = x.shape[0] if x.shape[0] is not None else ops.shape(x)[0]
    h = n // 2
    return x[:h], x[n - h:]


def paired_labels(labels):
    """`labels` with its last `n // 2` rows set to its first: `pair_rows` pairs share a label."""
    n = labels.shape[0] if labels.shape[0] is not None else ops.shape(labels)[0]
    return ops.concatenate([labels[:n - n // 2], labels[:n // 2]], axis=0)


def mode_seeking_loss(images, noise, eps=1e-5):
    """MSGAN's generator regulariser `1 / (mean|G(z1) - G(z2)| / mean|z1 - z2| + eps)`.

    The pairs are `pair_rows` of the generator's batch: minimising it rewards
    samples that differ as much as their noise does (less mode collapse). A
    conditional generator's pairs should share their labels (`paired_labels`).

    Reference: Mao et al., Mode Seeking Generative Adversarial Networks for
    Diverse Image Synthesis, CVPR 2019 (and its code's definition).
    """
    images1, images2 = pair_rows(ops.cast(images, "float32"))
    noise1, noise2 = pair_rows(ops.cast(noise, "float32"))
    ratio = ops.mean(ops.abs(images1 - images2)) / ops.mean(ops.abs(noise1 - noise2))
    return 1.0 / (ratio + eps)


FAMILIES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": (non_saturating_discriminator_loss, non_saturating_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "l1": (l1_discriminator_loss, l1_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "wgan_cross_entropy": (
        wgan_cross_entropy_discriminator_loss,
        wgan_cross_entropy_generator_loss,
    ),
    "relativistic": (relativistic_discriminator_loss, relativistic_generator_loss),
}


def names():
    """Names of the built-in loss families."""
    return sorted(FAMILIES)


def get(family):
    """Returns `(discriminator_loss, generator_loss)` for a family name.

    Args:
        family: One of `kerasgan.losses.names()`.
    """
    if family not in FAMILIES:
        close = difflib.get_close_matches(str(family), names(), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"Expected a known loss family. Received: loss={family!r}.{hint} "
            f"Known families: {', '.join(names())}."
        )
    return FAMILIES[family]
