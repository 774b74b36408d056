"""Every loss family against hand-computed numpy values (both backends)."""

import keras
import numpy as np
import pytest

from kerasgan import losses

REAL = np.array([[2.0], [-1.0], [0.5], [0.0]], "float32")
FAKE = np.array([[-3.0], [1.5], [0.25], [4.0]], "float32")


def softplus(x):
    return np.log1p(np.exp(x))


def sigmoid_ce(x, y):
    # TF's sigmoid_cross_entropy_with_logits: max(x, 0) - x*y + log(1 + exp(-|x|)).
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


EXPECTED = {
    "minimax": (
        (softplus(-REAL).mean(), softplus(FAKE).mean()),
        -softplus(FAKE).mean(),
    ),
    "non_saturating": (
        (softplus(-REAL).mean(), softplus(FAKE).mean()),
        softplus(-FAKE).mean(),
    ),
    "wasserstein": ((-REAL.mean(), FAKE.mean()), -FAKE.mean()),
    "least_squares": (
        (0.5 * ((REAL - 1) ** 2).mean(), 0.5 * (FAKE**2).mean()),
        0.5 * ((FAKE - 1) ** 2).mean(),
    ),
    "l1": ((np.abs(REAL - 1).mean(), np.abs(FAKE).mean()), np.abs(FAKE - 1).mean()),
    "hinge": (
        (np.maximum(0, 1 - REAL).mean(), np.maximum(0, 1 + FAKE).mean()),
        -FAKE.mean(),
    ),
    "wgan_cross_entropy": (
        (sigmoid_ce(REAL, 1.0).mean(), sigmoid_ce(FAKE, -1.0).mean()),
        sigmoid_ce(FAKE, 1.0).mean(),
    ),
}


def value(x):
    return float(keras.ops.convert_to_numpy(x))


def test_every_family_has_expected_values():
    assert sorted([*EXPECTED, "relativistic"]) == losses.names()


def test_relativistic_pairing_matches_numpy_and_needs_both_sides():
    d_loss, g_loss = losses.get("relativistic")
    # softplus(-(D(x_i) - D(G(z_i)))) over the pairs, and the generator's mirror image.
    assert value(d_loss(REAL, FAKE)) == pytest.approx(softplus(FAKE - REAL).mean(), rel=1e-5)
    assert value(g_loss(FAKE, REAL)) == pytest.approx(softplus(REAL - FAKE).mean(), rel=1e-5)
    assert g_loss.needs_real
    with pytest.raises(ValueError, match=r"pairs each real output with a fake one.*d_update='joint'"):
        d_loss(REAL, None)
    with pytest.raises(ValueError, match=r"pairs each fake output with a real one"):
        g_loss(FAKE)
    big = np.array([[80.0], [-80.0]], "float32")
    assert np.isfinite(value(d_loss(big, -big))) and np.isfinite(value(g_loss(big, -big)))


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_loss_family_matches_numpy(family):
    d_loss, g_loss = losses.get(family)
    (real_term, fake_term), g_expected = EXPECTED[family]
    assert value(d_loss(REAL, FAKE)) == pytest.approx(real_term + fake_term, rel=1e-5, abs=1e-6)
    assert value(d_loss(REAL, None)) == pytest.approx(real_term, rel=1e-5, abs=1e-6)
    assert value(d_loss(None, FAKE)) == pytest.approx(fake_term, rel=1e-5, abs=1e-6)
    assert value(g_loss(FAKE)) == pytest.approx(g_expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_discriminator_loss_needs_a_term(family):
    d_loss, _ = losses.get(family)
    with pytest.raises(ValueError, match=r"Expected real_output, fake_output or both.*Received: real_output=None and fake_output=None"):
        d_loss(None, None)


def test_cross_entropy_families_are_stable_for_large_logits():
    big = np.array([[80.0], [-80.0]], "float32")
    for family in ("minimax", "non_saturating", "wgan_cross_entropy"):
        d_loss, g_loss = losses.get(family)
        assert np.isfinite(value(d_loss(big, big))) and np.isfinite(value(g_loss(big)))


def test_unknown_family_suggests_a_name():
    with pytest.raises(ValueError, match="Did you mean 'hinge'"):
        losses.get("hinje")
