"""The preset registry: lookups, overrides and their errors."""

import pytest

import kerasgan
from kerasgan.zoo import registry


def test_names_lists_mnist_mlp():
    assert "mnist_mlp" in kerasgan.zoo.names()
    assert kerasgan.zoo.names() == sorted(kerasgan.zoo.names())


def test_unknown_preset_lists_known_names_and_closest():
    with pytest.raises(ValueError, match=r"Unknown preset 'mnist_mpl'\. Did you mean 'mnist_mlp'\?.*Known presets: .*mnist_mlp"):
        kerasgan.zoo.get("mnist_mpl")


def test_unknown_override_is_named():
    with pytest.raises(ValueError, match=r"Unknown override\(s\) for preset 'mnist_mlp': 'learning_rat' \(did you mean 'learning_rate'\?\)"):
        kerasgan.zoo.get("mnist_mlp", learning_rat=1e-3)


def test_bad_override_values():
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        kerasgan.zoo.get("mnist_mlp", learning_rate=-1.0)
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        kerasgan.zoo.get("mnist_mlp", latent_dim=0)


def test_duplicate_registration_raises():
    with pytest.raises(ValueError, match="already registered"):
        registry.register("mnist_mlp", lambda **k: None, {"image_shape": (1, 1, 1), "value_range": (0, 1), "batch_size": 1})


def test_mnist_mlp_matches_spec():
    gan = kerasgan.zoo.get("mnist_mlp", seed=0)
    g_dense = [layer.units for layer in gan.generator.layers if layer.__class__.__name__ == "Dense"]
    d_dense = [layer.units for layer in gan.discriminator.layers if layer.__class__.__name__ == "Dense"]
    assert g_dense == [128, 256, 512, 1024, 784]
    assert d_dense == [512, 256, 128, 1]
    bns = [layer for layer in gan.generator.layers if layer.__class__.__name__ == "BatchNormalization"]
    assert len(bns) == 4 and all(b.epsilon == 1e-5 and b.momentum == 0.9 for b in bns)
    assert gan.generator.layers[-2].activation.__name__ == "sigmoid"
    assert gan.latent_dim == 64 and gan.noise == "normal"
    for opt in (gan.d_optimizer, gan.g_optimizer):
        assert opt.__class__.__name__ == "Adam"
        assert float(opt.learning_rate) == pytest.approx(1e-5)
        assert opt.beta_1 == 0.9 and opt.beta_2 == 0.999
    assert gan.loss_family == "non_saturating" and gan.d_loss_weight == 0.5
    assert kerasgan.zoo.spec("mnist_mlp").step_batch_size == 128
