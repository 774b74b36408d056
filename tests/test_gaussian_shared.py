"""The 1-D Gaussian presets' shared layer: what is tied, and who updates it (both backends)."""

import keras
import numpy as np
import pytest
from conftest import TF_GRAPH

import kerasgan
from kerasgan import zoo
from kerasgan.networks.toy import TiedAffine

HAS_SHARED_UPDATE = "shared_update" in zoo.config.gan_keywords()
needs_shared_update = pytest.mark.skipif(
    not HAS_SHARED_UPDATE, reason="kerasgan.GAN has no shared_update keyword yet")


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _shared(gan):
    g, d = gan.generator.get_layer("g_shared"), gan.discriminator.get_layer("d_shared")
    return g, d


def test_shared_preset_ties_the_reference_layer_whole():
    # The reference's common_layer: one kernel and one bias, no activation, in both networks.
    gan = zoo.get("gaussian_1d_shared", seed=0)
    g, d = _shared(gan)
    assert isinstance(g, TiedAffine)
    assert g.kernel is d.kernel and g.bias is d.bias
    assert g.activation is keras.activations.linear and d.activation is keras.activations.linear
    # Default update: the discriminator's optimizer only.
    assert all(v is not d.kernel and v is not d.bias for v in gan.g_variables)
    assert any(v is d.kernel for v in gan.d_variables) and any(v is d.bias for v in gan.d_variables)
    # The baseline keeps the reference's softplus / ReLU middle layers, untied.
    base = zoo.get("gaussian_1d", seed=0)
    bg, bd = _shared(base)
    assert bg.kernel is not bd.kernel and bg.bias is not bd.bias
    assert bg.activation is keras.activations.softplus and bd.activation is keras.activations.relu
    # The earlier form (kernel only, own bias and activations) stays available.
    old = zoo.get("gaussian_1d_shared", seed=0, share_bias=False, g_middle_activation="softplus",
                  d_middle_activation="relu")
    og, od = _shared(old)
    assert og.kernel is od.kernel and og.bias is not od.bias and not isinstance(og, TiedAffine)
    assert og.activation is keras.activations.softplus and od.activation is keras.activations.relu
    with pytest.raises(ValueError, match="Expected share_bias=True only with shared=True"):
        kerasgan.networks.toy_generator(1, 4, shared=False, share_bias=True)


def test_tied_affine_survives_saving(tmp_path):
    gan = zoo.get("gaussian_1d_shared", seed=0, batch_size=4, steps_per_execution=1, **TF_GRAPH)
    x = zoo.gaussian.gaussian_samples(8, seed=0)
    gan.fit(x, batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "g.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    g, d = _shared(loaded)
    assert g.kernel is d.kernel and g.bias is d.bias
    np.testing.assert_array_equal(_values([d.bias])[0], _values([_shared(gan)[1].bias])[0])


def test_tied_affine_rejects_a_source_without_bias():
    src = keras.layers.Dense(3, use_bias=False)
    src.build((None, 3))
    layer = TiedAffine(3)
    layer.build((None, 3))
    with pytest.raises(ValueError, match="Expected two layers with biases"):
        layer.tie(src)


def _one_phase_changes(update, d_lr, g_lr):
    """Trains one step with one optimizer at lr 0; returns (shared changed, G's own changed)."""
    gan = zoo.get("gaussian_1d_shared", seed=0, batch_size=4, steps_per_execution=1,
                  jit_compile=False, shared_update=update)
    # The Wasserstein loss: its gradients never saturate, so a phase with lr > 0 always moves
    # (with the preset's N(0, 1) weights a non-saturating G loss can be exactly 0 at step one).
    gan.compile(d_optimizer=keras.optimizers.SGD(d_lr), g_optimizer=keras.optimizers.SGD(g_lr),
                loss="wasserstein")
    _, d = _shared(gan)
    shared = [d.kernel, d.bias]
    own = [gan.generator.get_layer("g0").kernel, gan.generator.get_layer("g1").kernel]
    before_shared, before_own = _values(shared), _values(own)
    gan.fit(zoo.gaussian.gaussian_samples(4, seed=0), batch_size=4, epochs=1, verbose=0)
    moved = lambda before, vs: any(not np.array_equal(b, a) for b, a in zip(before, _values(vs)))
    return moved(before_shared, shared), moved(before_own, own)


@needs_shared_update
def test_shared_update_discriminator_moves_the_shared_layer_in_the_d_phase_only():
    # G phase alone (D's lr 0): the shared layer must not move, G's own layers must.
    assert _one_phase_changes("discriminator", 0.0, 0.1) == (False, True)
    # D phase alone (G's lr 0): the shared layer moves, G's own layers do not.
    assert _one_phase_changes("discriminator", 0.1, 0.0) == (True, False)


@needs_shared_update
def test_shared_update_both_moves_the_shared_layer_in_the_g_phase_too():
    assert _one_phase_changes("both", 0.0, 0.1) == (True, True)
    assert _one_phase_changes("both", 0.1, 0.0) == (True, False)
    gan = zoo.get("gaussian_1d_shared", seed=0, shared_update="both")
    _, d = _shared(gan)
    assert sum(v is d.kernel for v in gan.g_variables) == 1
    assert sum(v is d.bias for v in gan.g_variables) == 1
    assert kerasgan.GAN.from_config(gan.get_config()).shared_update == "both"


@needs_shared_update
def test_shared_update_rejects_unknown_values():
    with pytest.raises(ValueError, match="Expected shared_update to be one of"):
        zoo.get("gaussian_1d_shared", seed=0, shared_update="generator")
