"""The preset registry: presets as data, the generic builder, flat overrides and their errors."""

import keras
import pytest

import kerasgan
from kerasgan import zoo
from kerasgan.zoo import config as config_lib
from kerasgan.zoo import registry

TINY_MLP = {"image_shape": (4, 4, 1), "g_widths": (8,), "d_widths": (8,), "latent_dim": 4}


def test_names_lists_mnist_mlp():
    assert "mnist_mlp" in kerasgan.zoo.names()
    assert kerasgan.zoo.names() == sorted(kerasgan.zoo.names())


def test_unknown_preset_lists_known_names_and_closest():
    with pytest.raises(ValueError, match=r"Expected a known preset\. Received: preset='mnist_mpl'\. Did you mean 'mnist_mlp'\?.*Known presets: .*mnist_mlp"):
        kerasgan.zoo.get("mnist_mpl")


def test_unknown_override_is_named():
    with pytest.raises(ValueError, match=r"Expected overrides that preset 'mnist_mlp' takes\. Received: unknown override\(s\) 'learning_rat' \(did you mean 'learning_rate'\?\)"):
        kerasgan.zoo.get("mnist_mlp", learning_rat=1e-3)


def test_bad_override_values():
    with pytest.raises(ValueError, match=r"Expected learning_rate to be a positive number"):
        kerasgan.zoo.get("mnist_mlp", learning_rate=-1.0)
    with pytest.raises(ValueError, match=r"Expected latent_dim to be a positive integer"):
        kerasgan.zoo.get("mnist_mlp", latent_dim=0)
    with pytest.raises(ValueError, match=r"Expected critic_output to be one of 'linear', 'tanh'\. Received: critic_output='relu' \(str\)\."):
        kerasgan.zoo.get("wgan", critic_output="relu")


def test_duplicate_registration_raises():
    with pytest.raises(ValueError, match="already registered"):
        registry.register("mnist_mlp", zoo.spec("mnist_mlp").as_dict())


def test_register_rejects_a_preset_without_its_parts(scratch_name):
    with pytest.raises(ValueError, match=r"Expected a preset dict with keys description, reference, dataset, config"):
        registry.register(scratch_name, {"builder": print, "config": {}})
    with pytest.raises(ValueError, match=r"Expected preset '.*' config to have the keys .*Received: a config without \['g_optimizer'\]"):
        config = zoo.spec("dcgan").as_dict()["config"]
        del config["g_optimizer"]
        registry.register(scratch_name, {"config": config})


def test_a_preset_is_data_that_round_trips(scratch_name):
    """A preset derived from another's dict builds through the one builder, no code needed."""
    preset = zoo.spec("mnist_mlp").as_dict()
    preset["config"]["d_optimizer"] = {"class_name": "SGD", "config": {"learning_rate": 0.05}}
    preset["config"]["gan"]["d_steps"] = 2
    preset["description"] = "mnist_mlp with an SGD discriminator"
    zoo.register(scratch_name, preset)
    assert zoo.spec(scratch_name).config["d_learning_rate"] == 0.05
    gan = zoo.get(scratch_name, seed=0, **TINY_MLP)
    assert isinstance(gan.d_optimizer, keras.optimizers.SGD)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(0.05)
    assert isinstance(gan.g_optimizer, keras.optimizers.Adam) and gan.d_steps == 2
    assert gan.name == scratch_name


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


# ------------------------------------------------------------------ flat overrides


def test_learning_rate_sets_both_optimizers_and_a_side_prefix_one():
    gan = zoo.get("mnist_mlp", seed=0, learning_rate=3e-4, **TINY_MLP)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(3e-4)
    gan = zoo.get("gaussian_1d", seed=0, d_learning_rate=1e-2)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-2)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-3)


def test_hidden_goes_to_both_networks():
    gan = zoo.get("wgan", seed=0, hidden=8)
    assert gan.discriminator.get_layer("d0").filters == 8
    assert gan.generator.get_layer("g0").filters == 8
    gan = zoo.get("dcgan", seed=0, base_filters=8)
    assert gan.discriminator.get_layer("down_0").filters == 8
    assert gan.generator.get_layer("up_1").filters == 8


def test_widths_per_side():
    gan = zoo.get("mnist_mlp", seed=0, image_shape=(4, 4, 1), latent_dim=4, g_widths=(6,),
                  d_widths=(5, 3))
    assert [layer.units for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)] == [6, 16]
    assert [layer.units for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Dense)] == [5, 3, 1]


def test_family_swap_takes_the_family_defaults_and_rejects_stale_keywords():
    gan = zoo.get("dcgan", seed=0, generator="mlp", base_filters=8)
    # base_filters still reaches the (DCGAN) discriminator; the MLP generator has its own widths.
    assert gan.discriminator.get_layer("down_0").filters == 8
    widths = [layer.units for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)]
    assert widths == [128, 256, 512, 1024, 784]
    with pytest.raises(ValueError, match=r"Expected a network or optimizer that takes 'g_widths'.*Received: g_widths=\(8,\) with generator='dcgan'"):
        zoo.get("mnist_mlp", generator="dcgan", g_widths=(8,))


def test_network_given_whole():
    gan = zoo.get("dcgan", seed=0, discriminator={"name": "mlp", "widths": (16,)})
    widths = [layer.units for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Dense)]
    assert widths == [16, 1]
    with pytest.raises(ValueError, match=r"Expected discriminator=\{'name'"):
        zoo.get("dcgan", discriminator={"widths": (16,)})


def test_optimizer_given_as_a_keras_config():
    gan = zoo.get("mnist_mlp", seed=0, g_optimizer={"class_name": "RMSprop", "config": {"learning_rate": 0.01}},
                  **TINY_MLP)
    assert isinstance(gan.g_optimizer, keras.optimizers.RMSprop)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(0.01)
    assert isinstance(gan.d_optimizer, keras.optimizers.Adam)


def test_any_gan_keyword_passes_through():
    """Keywords no preset sets (g_noise, d_update) reach kerasgan.GAN; so does any new one."""
    gan = zoo.get("mnist_mlp", seed=0, g_noise="reuse", d_update="split", **TINY_MLP)
    assert gan.g_noise == "reuse" and gan.d_update == "split"
    assert "g_noise" in config_lib.gan_keywords() and "generator" not in config_lib.gan_keywords()
    with pytest.raises(ValueError, match="g_noise"):
        zoo.get("mnist_mlp", g_noise="sometimes", **TINY_MLP)


def test_discriminator_head_aliases():
    assert zoo.spec("l1").config["output_activation"] == "sigmoid"
    assert zoo.spec("l1_unbounded").config["output_activation"] is None
    d = zoo.get("l1", seed=0, sigmoid_output=False).discriminator
    assert d.layers[-1].name == "fc_3"
    d = zoo.get("wgan", seed=0, hidden=8, critic_output="tanh").discriminator
    assert d.layers[-1].get_config()["activation"] == "tanh"
    with pytest.raises(ValueError, match=r"Expected sigmoid_output to be True or False\. Received: sigmoid_output='no'"):
        zoo.get("l1", sigmoid_output="no")


def test_jit_compile_auto_is_the_faster_step_of_this_cpu(monkeypatch):
    """"auto" under TensorFlow: XLA for dense networks; conv networks skip it on AVX-512 CPUs."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("Keras always compiles the JAX step")
    import tensorflow as tf

    from kerasgan.zoo import builder

    assert zoo.get("mnist_mlp").jit_compile is True
    for avx512, expected in ((True, False), (False, True)):
        monkeypatch.setattr(builder, "cpu_has_avx512", lambda v=avx512: v)
        assert zoo.get("dcgan", base_filters=4).jit_compile is expected
        assert zoo.get("mnist_mlp", **TINY_MLP).jit_compile is True
        assert zoo.get("dcgan", base_filters=4, jit_compile=True).jit_compile is True
    monkeypatch.undo()
    with open("/proc/cpuinfo") as f:
        assert builder.cpu_has_avx512() == ("avx512f" in f.read().split())
    assert zoo.get("mnist_mlp", jit_compile=False, **TINY_MLP).jit_compile is False
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        gan = zoo.get("mnist_mlp", **TINY_MLP)
    assert gan.jit_compile is not True  # a strategy keeps Keras' own "auto" choice (no XLA on CPU)


def test_num_classes_override_reaches_the_gan_and_both_networks():
    recipe = config_lib.apply_overrides("cdcgan", zoo.spec("cdcgan").recipe, {"num_classes": 5})
    assert recipe["gan"]["num_classes"] == 5
    assert recipe["generator"]["num_classes"] == 5 and recipe["discriminator"]["num_classes"] == 5
    # The networks' own conditioning differs by side and is set per side.
    recipe = config_lib.apply_overrides("cdcgan", zoo.spec("cdcgan").recipe,
                                        {"d_conditioning": "acgan", "conditioning": "acgan"})
    assert recipe["discriminator"]["conditioning"] == "acgan"
    assert recipe["generator"]["conditioning"] == "concat+batchnorm"
    assert recipe["gan"]["conditioning"] == "acgan"
