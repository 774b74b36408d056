"""One harness over every preset (build, fit, schedule, save/load, generate) plus preset checks.

Run once per backend: KERAS_BACKEND=tensorflow / KERAS_BACKEND=jax, separate processes.
"""

import math

import keras
import numpy as np
import pytest

import kerasgan
from conftest import TF_EAGER, jax_slow
from kerasgan import zoo

STEPS = 2

# Under TensorFlow the harness runs every preset. Under JAX (whose trainer is backend-neutral code
# around the same networks, and where each preset's step compiles for 20-60 s on 2 cores) it keeps
# one preset per network family and the rest run with `-m slow`, so the two-backend suite stays
# inside CI's time: dcgan covers dcgan_celeba, shared_wgan covers wgan, l1_unbounded covers l1,
# gaussian_1d covers gaussian_1d_shared, cdcgan covers sngan's hinge loss and spectral norm
# (tests/test_conditional.py trains both conditional networks under JAX too), and wgan_gp's
# gradient penalty trains under JAX in test_keras_habits.py::test_split_real_batches_with_unknown_
# batch_size, and tests/test_faults.py differentiates it through a convolutional critic.
_JAX_CORE = {"mnist_mlp", "dcgan", "cdcgan", "shared_wgan", "l1_unbounded", "gaussian_1d"}
# Under TensorFlow too, cdcgan_small runs with `-m slow`: its networks are cdcgan's at other widths,
# which cdcgan and msgan_small (its discriminator, and a generator of another width) cover.
_TF_SLOW = {"cdcgan_small"}
PRESETS = [
    pytest.param(n, marks=pytest.mark.slow)
    if (n not in _JAX_CORE if keras.backend.backend() == "jax" else n in _TF_SLOW) else n
    for n in zoo.names()
]


def _presets(*names):
    return [p for p in PRESETS if (p if isinstance(p, str) else p.values[0]) in names]


# Fewer critic steps and thinner networks keep the compiled step small (the harness's checks do
# not depend on widths); the schedule check below reads d_steps from the GAN, and
# test_preset_defaults checks the reference values. The widths match those of
# tests/test_preset_trainer.py and of the conditional preset test in tests/test_conditional.py.
_SHRINK = {
    "wgan": {"hidden": 4, "d_steps": 2},
    "shared_wgan": {"hidden": 4, "d_steps": 2},
    "wgan_gp": {"d_steps": 1},
    "mnist_mlp": {"g_widths": (8,), "d_widths": (8,)},
    **{name: {"base_filters": 4} for name in ("cdcgan", "cdcgan_small", "dcgan", "dcgan_celeba",
                                              "sngan")},
}


def tiny_overrides(name):
    """Keeps every preset's image size, shrinks its batch so a step takes milliseconds."""
    # One step per compiled call (mnist_mlp fuses 4 by default), so that STEPS = 2 steps are exact;
    # the fused default is tested through the trainer (tests/test_train.py).
    return {"seed": 0, "batch_size": 2 if name == "dcgan_celeba" else 4, "steps_per_execution": 1,
            **_SHRINK.get(name, {})}


def real_data(name, gan, steps=STEPS, seed=0):
    """Random real samples of the preset's shape and value range for `steps` fit steps."""
    preset = zoo.spec(name)
    config = {**preset.config, **tiny_overrides(name)}
    per_step = int(config["batch_size"])
    if config.get("real_batches", "reuse") == "split":
        per_step *= int(config.get("d_steps", 1))
    low, high = (float(v) for v in config["value_range"])
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=(steps * per_step,) + gan.image_shape).astype("float32")
    return x, per_step


def snapshot(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def changed(before, variables):
    return any(not np.array_equal(b, a) for b, a in zip(before, snapshot(variables)))


_CACHE = {}


def trained(name):
    """Builds `name` with tiny overrides and fits it STEPS steps (cached per preset)."""
    if name not in _CACHE:
        gan = zoo.get(name, **tiny_overrides(name), **TF_EAGER)
        x, per_step = real_data(name, gan)
        # Class-conditional presets train on (images, labels).
        y = (np.arange(len(x)) % gan.num_classes).astype("int32") if gan.conditioning else None
        d_before, g_before = snapshot(gan.d_variables), snapshot(gan.g_variables)
        history = gan.fit(x, y, batch_size=per_step, epochs=1, steps_per_epoch=STEPS, shuffle=False,
                          verbose=0)
        _CACHE[name] = (gan, history, d_before, g_before)
    return _CACHE[name]


@pytest.mark.parametrize("name", PRESETS)
def test_fit_finite_losses_and_updates(name):
    gan, history, d_before, g_before = trained(name)
    for key in ("d_loss", "g_loss"):
        assert all(math.isfinite(v) for v in history.history[key]), (key, history.history)
    assert changed(d_before, gan.d_variables), "the discriminator did not change"
    assert changed(g_before, gan.g_variables), "the generator did not change"


@pytest.mark.parametrize("name", PRESETS)
def test_optimizer_iterations_follow_schedule(name):
    gan, _, _, _ = trained(name)
    per_step = gan.d_steps * (2 if gan.d_update == "split" else 1)
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == STEPS
    assert int(keras.ops.convert_to_numpy(gan.d_optimizer.iterations)) == STEPS * per_step


@pytest.mark.parametrize("name", PRESETS)
def test_save_load_round_trip(name, tmp_path):
    gan, _, _, _ = trained(name)
    path = tmp_path / f"{name}.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.generate(4, seed=3), gan.generate(4, seed=3), atol=1e-5)
    for a, b in zip(loaded.d_variables, gan.d_variables):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


@pytest.mark.parametrize("name", PRESETS)
def test_generate_shape_and_range(name):
    gan, _, _, _ = trained(name)
    images = gan.generate(5, seed=1)
    assert images.shape == (5,) + tuple(zoo.spec(name).image_shape)
    assert images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, gan.generate(5, seed=1))


@pytest.mark.parametrize("name", PRESETS)
def test_preset_config_is_data(name):
    preset = zoo.spec(name).as_dict()
    assert preset["dataset"] and preset["reference"] and preset["description"]
    config = preset["config"]
    assert config["generator"]["name"] in kerasgan.networks.generator_names()
    assert config["discriminator"]["name"] in kerasgan.networks.discriminator_names()
    for side in ("d_optimizer", "g_optimizer"):
        assert isinstance(keras.optimizers.get(dict(config[side])), keras.optimizers.Optimizer)
    assert set(config["gan"]) <= set(zoo.config.gan_keywords())
    for key in ("seed", "jit_compile", "steps_per_execution", "loss", "batch_size", "image_shape"):
        assert key in zoo.spec(name).config, key


_IMAGE_PRESETS = [n for n in zoo.names() if len(zoo.spec(n).image_shape) == 3]


def _output_activation(generator):
    """The last bounded activation of a generator's layers."""
    names = [layer.get_config().get("activation") for layer in generator.layers]
    return [a for a in names if a in ("tanh", "sigmoid")][-1]


@pytest.mark.backend_neutral  # the builders' choice of layers; every preset builds under JAX too
@pytest.mark.parametrize("name", _IMAGE_PRESETS)
def test_generator_output_follows_value_range(name):
    small = {"image_shape": (32, 32, 3)} if name == "dcgan_celeba" else {}
    for value_range, activation in (((0.0, 1.0), "sigmoid"), ((-1.0, 1.0), "tanh")):
        gan = zoo.get(name, seed=0, value_range=value_range, **small)
        assert _output_activation(gan.generator) == activation, value_range
        assert gan.output_range == value_range
    with pytest.raises(ValueError, match=rf"Preset '{name}' draws images in .*Received: value_range=\(0, 255\)"):
        zoo.get(name, value_range=(0, 255))


@jax_slow("test_generator_output_follows_value_range[wgan_gp]: sigmoid output for (0, 1)")
def test_wgan_gp_in_0_1_draws_0_1():
    gan = zoo.get("wgan_gp", seed=0, value_range=(0, 1), batch_size=4, d_steps=1, **TF_EAGER)
    x = np.random.default_rng(0).uniform(0, 1, (8, 28, 28, 1)).astype("float32")
    gan.fit(x, batch_size=4, epochs=1, verbose=0)
    raw = keras.ops.convert_to_numpy(gan.generator(gan.sample_noise(16, 0), training=False))
    assert raw.min() >= 0.0 and raw.max() <= 1.0 and raw.min() < raw.max()


@jax_slow("test_keras_habits.py::test_split_real_batches_any_batch_size: uneven critic batches")
def test_shared_wgan_fits_a_dataset_batched_at_64():
    """The paper's batch of 64 per fit() batch is cut into d_steps critic batches (13, 13, 13, 13, 12);
    a last batch of 7 into (2, 2, 1, 1, 1)."""
    spec = zoo.spec("shared_wgan")
    assert spec.step_batch_size == spec.batch_size * spec.config["d_steps"] == 320
    gan = zoo.get("shared_wgan", seed=0, hidden=4, **TF_EAGER)
    assert gan.d_steps == 5
    x = np.random.default_rng(0).uniform(0, 1, (64 + 7, 28, 28, 1)).astype("float32")
    history = gan.fit(x, batch_size=64, epochs=1, verbose=0)
    assert math.isfinite(history.history["d_loss"][0])
    assert int(keras.ops.convert_to_numpy(gan.d_optimizer.iterations)) == 2 * 5
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 2


# ------------------------------------------------------------------ preset-specific


def test_shared_kernel_is_one_variable_updated_by_the_critic_only(tmp_path):
    gan = zoo.get("shared_wgan", **tiny_overrides("shared_wgan"), **TF_EAGER)
    g_layer, d_layer = gan.generator.get_layer("gshared"), gan.discriminator.get_layer("dshared")
    kernel = d_layer.kernel
    assert g_layer.kernel is kernel and g_layer.is_tied
    assert all(v is not kernel for v in gan.g_variables)
    assert any(v is kernel for v in gan.d_variables)
    assert all(v is not kernel for v in gan.g_optimizer._trainable_variables)
    # G keeps its own bias.
    assert g_layer.bias is not d_layer.bias
    # Freeze the critic (lr 0): only a generator update could now move the shared kernel.
    gan.d_optimizer.learning_rate.assign(0.0)
    before = snapshot([kernel])[0]
    g_before = snapshot(gan.g_variables)
    x, per_step = real_data("shared_wgan", gan)
    gan.fit(x, batch_size=per_step, epochs=1, steps_per_epoch=STEPS, verbose=0)
    np.testing.assert_array_equal(snapshot([kernel])[0], before)
    assert changed(g_before, gan.g_variables)
    # The tie survives .keras saving.
    path = tmp_path / "shared.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.generator.get_layer("gshared").kernel is loaded.discriminator.get_layer("dshared").kernel
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.generator.get_layer("gshared").kernel), before
    )


def test_shared_wgan_trains_its_shared_kernel_through_the_critic():
    gan, _, d_before, _ = trained("shared_wgan")
    kernel = gan.discriminator.get_layer("dshared").kernel
    i = next(i for i, v in enumerate(gan.d_variables) if v is kernel)
    assert not np.array_equal(d_before[i], snapshot([kernel])[0])


@pytest.mark.parametrize("name", _presets("wgan", "shared_wgan"))  # under JAX: shared_wgan
def test_critic_weights_are_clipped(name):
    gan, _, _, _ = trained(name)
    for v in gan.discriminator.trainable_variables:
        assert np.abs(keras.ops.convert_to_numpy(v)).max() <= 0.01 + 1e-7, v.path


def test_shared_wgan_reference_code_objective():
    gan = zoo.get("shared_wgan", seed=0, batch_size=2, hidden=8, d_steps=1,
                  loss="wgan_cross_entropy", critic_output="tanh")
    assert gan.discriminator.layers[-1].get_config()["activation"] == "tanh"
    x = np.random.default_rng(0).uniform(0, 1, (2, 28, 28, 1)).astype("float32")
    out = gan.discriminator(x, training=True)
    assert np.abs(keras.ops.convert_to_numpy(out)).max() < 1.0  # tanh critic
    d_loss = float(keras.ops.convert_to_numpy(gan.d_loss_fn(out, out)))
    expected = np.mean(np.logaddexp(0, -keras.ops.convert_to_numpy(out)))  # label +1 term
    expected += np.mean(np.maximum(keras.ops.convert_to_numpy(out), 0)
                        + keras.ops.convert_to_numpy(out)
                        + np.log1p(np.exp(-np.abs(keras.ops.convert_to_numpy(out)))))
    assert d_loss == pytest.approx(expected, rel=1e-5)


def test_wgan_step_batch_size_counts_every_critic_batch():
    assert zoo.spec("wgan").step_batch_size == 64 * 5
    assert zoo.spec("shared_wgan").step_batch_size == 64 * 5
    assert zoo.spec("wgan_gp").step_batch_size == 512


def test_l1_unbounded_has_no_sigmoid_and_leaves_0_1():
    x = np.random.default_rng(0).uniform(-1, 1, size=(8, 28, 28, 1)).astype("float32")
    for name, bounded in (("l1", True), ("l1_unbounded", False)):
        d = zoo.get(name, seed=0, batch_size=4).discriminator
        activations = [layer.get_config().get("activation") for layer in d.layers]
        assert ("sigmoid" in activations) is bounded
        fc = d.get_layer("fc_3")
        fc.bias.assign(np.full((1,), 3.0, "float32"))  # pushes outputs above 1 unless squashed
        out = keras.ops.convert_to_numpy(d(x))
        if bounded:
            assert out.min() > 0.0 and out.max() < 1.0
        else:
            assert out.max() > 1.0


def test_l1_uses_two_discriminator_updates_and_pytorch_rmsprop():
    gan = zoo.get("l1", seed=0, batch_size=4)
    assert gan.d_update == "split" and gan.loss_family == "l1"
    assert [p.terms for p in gan.phase_plan()[:2]] == [("real",), ("fake",)]
    opt = gan.d_optimizer
    assert isinstance(opt, keras.optimizers.RMSprop)
    assert opt.rho == pytest.approx(0.99) and opt.epsilon == pytest.approx(1e-16)


def torch_dcgan_parameter_counts(nz=100, ngf=64, ndf=64, nc=3):
    """Parameters of the PyTorch DCGAN example's networks (bias-free convs, BN gamma+beta)."""
    g_convs = [(nz, ngf * 8), (ngf * 8, ngf * 4), (ngf * 4, ngf * 2), (ngf * 2, ngf), (ngf, nc)]
    g = sum(i * o * 4 * 4 for i, o in g_convs) + 2 * (ngf * 8 + ngf * 4 + ngf * 2 + ngf)
    d_convs = [(nc, ndf), (ndf, ndf * 2), (ndf * 2, ndf * 4), (ndf * 4, ndf * 8), (ndf * 8, 1)]
    d = sum(i * o * 4 * 4 for i, o in d_convs) + 2 * (ndf * 2 + ndf * 4 + ndf * 8)
    return g, d


def test_dcgan_celeba_parameter_counts_match_pytorch():
    g_ref, d_ref = torch_dcgan_parameter_counts()
    assert (g_ref, d_ref) == (3_576_704, 2_765_568)
    gan = zoo.get("dcgan_celeba", seed=0)
    count = lambda m: sum(math.prod(v.shape) for v in m.trainable_variables)
    assert count(gan.generator) == g_ref
    assert count(gan.discriminator) == d_ref
    assert gan.image_shape == (64, 64, 3)
    assert zoo.spec("dcgan_celeba").batch_size == 128
    assert zoo.spec("dcgan_celeba").dataset == "celeb_a"


def test_dcgan_init_and_no_conv_biases():
    gan = zoo.get("dcgan_celeba", seed=0)
    for net in (gan.generator, gan.discriminator):
        for layer in net.layers:
            if isinstance(layer, keras.layers.Conv2D | keras.layers.Conv2DTranspose):
                assert layer.bias is None
                assert abs(float(np.std(keras.ops.convert_to_numpy(layer.kernel))) - 0.02) < 0.004
            if isinstance(layer, keras.layers.BatchNormalization):
                assert layer.epsilon == pytest.approx(1e-5) and layer.momentum == pytest.approx(0.9)
                np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.beta), 0.0)


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (32, 32, 1)])
def test_dcgan_serves_small_images(shape):
    gan = zoo.get("dcgan", image_shape=shape, seed=0, batch_size=4)
    assert gan.image_shape == shape
    assert gan.generator.output_shape == (None,) + shape
    assert gan.discriminator.input_shape == (None,) + shape
    assert gan.discriminator.output_shape == (None, 1)


def _has(model, *classes):
    return any(isinstance(layer, classes) for layer in model.layers)


@pytest.mark.parametrize("generator,discriminator", [("mirror", "dcgan"), ("mirror", "mlp"),
                                                      ("dcgan", "mlp"), ("mlp", "dcgan")])
def test_any_generator_family_with_any_discriminator_family(generator, discriminator):
    gan = zoo.get("dcgan", generator=generator, discriminator=discriminator, seed=0, batch_size=4)
    assert gan.generator.output_shape == (None, 28, 28, 1)
    assert gan.discriminator.output_shape == (None, 1)
    # Convolutional networks where a convolutional family is asked for, dense ones otherwise (a
    # mirror generator follows its discriminator).
    conv_d = discriminator == "dcgan"
    assert _has(gan.discriminator, keras.layers.Conv2D) == conv_d
    conv_g = generator == "dcgan" or (generator == "mirror" and conv_d)
    assert _has(gan.generator, keras.layers.Conv2DTranspose) == conv_g


def test_mlp_generator_against_cnn_discriminator_trains():
    """An asymmetric pair (MLP generator, CNN discriminator) in one call."""
    gan = zoo.get("dcgan", generator="mlp", seed=0, batch_size=4, **TF_EAGER)
    assert any(isinstance(layer, keras.layers.Conv2D) for layer in gan.discriminator.layers)
    assert not any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in gan.generator.layers)
    x, per_step = real_data("dcgan", gan, steps=1)
    history = gan.fit(x, batch_size=per_step, epochs=1, verbose=0)
    assert math.isfinite(history.history["g_loss"][0])


def _layer_types(model):
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize("name", ["wgan", "l1_unbounded", "wgan_gp"])
def test_family_overrides_on_other_presets(name):
    own = zoo.get(name, seed=0, batch_size=4)
    gan = zoo.get(name, generator="mirror", discriminator="dcgan", seed=0, batch_size=4)
    # The networks come from the families asked for: dcgan's discriminator, and a generator that
    # mirrors it (a transposed convolution per strided convolution, in reverse order) ...
    dcgan = zoo.get("dcgan", seed=0, batch_size=4)
    assert _layer_types(gan.discriminator) == _layer_types(dcgan.discriminator)
    assert _layer_types(gan.discriminator) != _layer_types(own.discriminator)
    strided = [(layer.kernel_size, layer.strides) for layer in gan.discriminator.layers
               if isinstance(layer, keras.layers.Conv2D) and layer.strides != (1, 1)]
    transposed = [(layer.kernel_size, layer.strides) for layer in gan.generator.layers
                  if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert strided and transposed == strided[::-1]
    # ... while the rest of the preset stays.
    for attr in ("loss_family", "d_steps", "clip_value", "gradient_penalty_weight", "output_range",
                 "latent_dim"):
        assert getattr(gan, attr) == getattr(own, attr), attr


def test_shared_presets_reject_other_families():
    with pytest.raises(ValueError, match="shares a kernel"):
        zoo.get("shared_wgan", generator="mlp")


@pytest.mark.parametrize("loss", kerasgan.losses.names())
def test_loss_override(loss):
    gan = zoo.get("dcgan", loss=loss, seed=0, batch_size=4)
    assert gan.loss_family == loss


def test_preset_defaults_follow_the_spec():
    wgan = zoo.spec("shared_wgan").config
    assert (wgan["d_steps"], wgan["clip_value"], wgan["learning_rate"], wgan["batch_size"]) == (
        5, 0.01, 5e-5, 64)
    assert wgan["real_batches"] == "split" and wgan["loss"] == "wasserstein"
    gp = zoo.spec("wgan_gp").config
    assert (gp["d_steps"], gp["gradient_penalty_weight"], gp["batch_size"]) == (3, 10.0, 512)
    assert (gp["beta_1"], gp["beta_2"], gp["learning_rate"]) == (0.5, 0.9, 2e-4)
    for name in ("l1", "l1_unbounded"):
        config = zoo.spec(name).config
        assert (config["batch_size"], config["rho"], config["loss"]) == (50, 0.99, "l1")


def test_unknown_family_lists_choices():
    with pytest.raises(ValueError, match=r"Expected a known generator family\. Received: generator='resnet'\. Known: conditional_dcgan, dcgan, l1, mirror, mlp"):
        zoo.get("dcgan", generator="resnet")
    with pytest.raises(ValueError, match=r"Expected a discriminator with a layer spec for generator='mirror'"):
        zoo.get("wgan_gp", generator="mirror")


def test_gradient_penalty_of_a_linear_critic():
    """D(x) = w.x + b has input gradient w everywhere, so GP = (||w|| - 1)^2."""
    image_shape = (2, 2, 1)
    g = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Reshape(image_shape)])
    d = keras.Sequential([keras.Input(image_shape), keras.layers.Flatten(), keras.layers.Dense(1)])
    w = np.array([[0.5], [-1.0], [2.0], [0.25]], "float32")
    d.layers[-1].kernel.assign(w)
    d.layers[-1].bias.assign(np.array([0.7], "float32"))
    gan = kerasgan.GAN(g, d, gradient_penalty_weight=10.0)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(3,) + image_shape).astype("float32")
    fake = rng.normal(size=(3,) + image_shape).astype("float32")
    alpha = rng.uniform(size=(3, 1, 1, 1)).astype("float32")
    gp = float(keras.ops.convert_to_numpy(gan.gradient_penalty(real, fake, alpha)))
    assert gp == pytest.approx((np.linalg.norm(w) - 1.0) ** 2, rel=1e-5)


def test_gradient_penalty_of_a_quadratic_critic():
    """D(x) = sum(x^2) has gradient 2 x_hat: the interpolation factor matters."""

    class Square(keras.layers.Layer):
        def call(self, x):
            return keras.ops.sum(keras.ops.square(x), axis=(1, 2, 3))[:, None]

    image_shape = (2, 1, 1)
    g = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Reshape(image_shape)])
    d = keras.Sequential([keras.Input(image_shape), Square()])
    gan = kerasgan.GAN(g, d)
    real = np.array([[[[1.0]], [[0.0]]], [[[0.0]], [[2.0]]]], "float32")
    fake = np.array([[[[0.0]], [[1.0]]], [[[1.0]], [[0.0]]]], "float32")
    alpha = np.array([0.25, 0.5], "float32").reshape(2, 1, 1, 1)
    x_hat = real + alpha * (fake - real)
    norms = np.linalg.norm((2 * x_hat).reshape(2, -1), axis=1)
    expected = np.mean((norms - 1.0) ** 2)
    gp = float(keras.ops.convert_to_numpy(gan.gradient_penalty(real, fake, alpha)))
    assert gp == pytest.approx(expected, rel=1e-5)


def test_gaussian_1d_data_and_sample_stats():
    x = zoo.toy.gaussian_samples(20_000, seed=0)
    assert x.shape == (20_000, 1) and x.dtype == np.float32
    assert abs(x.mean() - 4.0) < 0.02 and abs(x.std() - 0.5) < 0.02
    gan = zoo.get("gaussian_1d_shared", seed=0)
    stats = zoo.toy.sample_stats(gan, 256, seed=0)
    assert set(stats) == {"mean", "std"}
    assert gan.generator.get_layer("g_shared").kernel is gan.discriminator.get_layer("d_shared").kernel


def test_gan_rejects_wrong_sample_rank():
    gan = zoo.get("gaussian_1d", seed=0)
    with pytest.raises(ValueError, match=r"Received: shape=\(4, 1, 1\)"):
        gan.fit(np.zeros((8, 1, 1), "float32"), batch_size=4, epochs=1, verbose=0)
