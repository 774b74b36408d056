"""Network builders and layers: shapes, tied kernels, pixel shuffle, mirror, families."""

import keras
import numpy as np
import pytest

from kerasgan import networks


def to_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def torch_pixel_shuffle_nhwc(x, r):
    """numpy of torch.nn.functional.pixel_shuffle, on NHWC arrays."""
    b, h, w, c = x.shape
    oc = c // (r * r)
    nchw = x.transpose(0, 3, 1, 2).reshape(b, oc, r, r, h, w)
    out = nchw.transpose(0, 1, 4, 2, 5, 3).reshape(b, oc, h * r, w * r)
    return out.transpose(0, 2, 3, 1)


def test_pixel_shuffle_matches_pytorch_and_tensorflow_orders():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 8)).astype("float32")
    out = to_numpy(networks.PixelShuffle(2)(x))
    np.testing.assert_allclose(out, torch_pixel_shuffle_nhwc(x, 2), rtol=1e-6)
    tf_order = to_numpy(networks.PixelShuffle(2, channel_order="tensorflow")(x))
    b, h, w, _ = x.shape
    ref = x.reshape(b, h, w, 2, 2, 2).transpose(0, 1, 3, 2, 4, 5).reshape(b, h * 2, w * 2, 2)
    np.testing.assert_allclose(tf_order, ref, rtol=1e-6)
    layer = networks.PixelShuffle(2)
    assert layer.compute_output_shape((None, 7, 7, 128)) == (None, 14, 14, 32)
    clone = networks.PixelShuffle.from_config(layer.get_config())
    assert clone.block_size == 2 and clone.channel_order == "pytorch"


def _pair():
    d_in = keras.Input((8, 8, 4))
    d_out = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="src")(d_in)
    d = keras.Model(d_in, d_out)
    g_in = keras.Input((8, 8, 4))
    g_out = networks.TiedConv2D(4, 3, strides=1, padding="same", name="tied")(g_in)
    g = keras.Model(g_in, g_out)
    return g, d


def test_tied_conv_uses_the_source_variable_and_is_idempotent():
    g, d = _pair()
    tied, src = g.get_layer("tied"), d.get_layer("src")
    assert not tied.is_tied and tied.kernel is not src.kernel  # placeholder: callable before tie
    n_before = len(g.trainable_variables)
    tied.tie(src)
    tied.tie(src)
    assert tied.kernel is src.kernel and tied.is_tied
    assert len(g.trainable_variables) == n_before
    assert any(v is src.kernel for v in g.trainable_variables)
    assert tied.bias is not src.bias
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    src.kernel.assign(np.ones(src.kernel.shape, "float32"))
    expected = to_numpy(keras.ops.conv(x, src.kernel, strides=1, padding="same")) + to_numpy(tied.bias)
    np.testing.assert_allclose(to_numpy(g(x)), expected, rtol=1e-5, atol=1e-5)


def test_tied_conv_rejects_a_different_shape():
    g, _ = _pair()
    d_in = keras.Input((8, 8, 4))
    other = keras.layers.Conv2D(8, 3, name="other")
    keras.Model(d_in, other(d_in))
    with pytest.raises(ValueError, match=r"Expected layer 'other' to have the kernel shape of layer 'tied', \(.*\), to tie them\. Received: kernel shape \(3, 3, 4, 8\)"):
        g.get_layer("tied").tie(other)


def test_tied_layer_standalone_save_load(tmp_path):
    g, d = _pair()
    g.get_layer("tied").tie(d.get_layer("src"))
    path = tmp_path / "g.keras"
    g.save(path)
    loaded = keras.saving.load_model(path)
    x = np.ones((1, 8, 8, 4), "float32")
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(g(x)), rtol=1e-6)


def test_tied_dense():
    d = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, name="src")])
    g = keras.Sequential([keras.Input((3,)), networks.TiedDense(3, name="tied")])
    g.get_layer("tied").tie(d.get_layer("src"))
    assert g.get_layer("tied").kernel is d.get_layer("src").kernel


@pytest.mark.backend_neutral  # layer shapes; dcgan networks train under JAX in test_presets.py
@pytest.mark.parametrize(
    "shape,start,stages", [((64, 64, 3), 4, 4), ((32, 32, 3), 4, 3), ((28, 28, 1), 7, 2)]
)
def test_dcgan_stages_and_shapes(shape, start, stages):
    assert networks.dcgan_stages(shape) == (start, stages)
    g = networks.dcgan_generator(100, shape)
    d = networks.dcgan_discriminator(shape)
    assert g.output_shape == (None,) + shape
    assert d.output_shape == (None, 1)
    assert g.get_layer("project").output.shape[1:3] == (start, start)
    assert any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in g.layers)


def test_dcgan_rejects_odd_sizes():
    with pytest.raises(ValueError, match="square"):
        networks.dcgan_stages((28, 32, 1))
    with pytest.raises(ValueError, match="halves"):
        networks.dcgan_stages((7, 7, 1))


@pytest.mark.backend_neutral  # the layers a spec asks for
@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3)])
def test_mirror_of_a_conv_spec(shape):
    spec = networks.discriminator_spec("dcgan", shape)
    g = networks.mirror_generator(spec, 16, shape)
    assert g.output_shape == (None,) + shape
    convs = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [layer.filters for layer in convs] == list(reversed(spec["filters"][:-1])) + [shape[-1]]


@pytest.mark.backend_neutral  # the layers a spec asks for
def test_mirror_of_a_dense_spec_reverses_widths():
    g = networks.mirror_generator({"type": "dense", "widths": [512, 256, 128]}, 8, (28, 28, 1))
    widths = [layer.units for layer in g.layers if isinstance(layer, keras.layers.Dense)]
    assert widths == [128, 256, 512, 784]


@pytest.mark.backend_neutral  # layer shapes
def test_mirror_crops_odd_sizes():
    spec = {"type": "conv", "filters": [8, 16, 16], "kernel_sizes": [5, 5, 5], "strides": [2, 2, 2]}
    g = networks.mirror_generator(spec, 4, (28, 28, 1))  # 28 -> 14 -> 7 -> 4 and back
    assert g.output_shape == (None, 28, 28, 1)


def test_mirror_rejects_a_bad_spec():
    with pytest.raises(ValueError, match="discriminator spec"):
        networks.mirror_generator({"type": "rnn"}, 4, (28, 28, 1))


@pytest.mark.backend_neutral  # the registry's lookup and errors
def test_families_build_and_reject_unknown_names():
    g = networks.build_generator("mlp", 10, (32, 32, 3), "tanh")
    d = networks.build_discriminator("dcgan", (32, 32, 3))
    assert g.output_shape == (None, 32, 32, 3) and d.output_shape == (None, 1)
    with pytest.raises(ValueError, match=r"Expected a known generator family\. Received: generator="):
        networks.build_generator("gpt", 10, (28, 28, 1))
    with pytest.raises(ValueError, match="needs the discriminator's spec"):
        networks.build_generator("mirror", 10, (28, 28, 1))


def test_shared_wgan_networks_follow_the_spec():
    g = networks.shared_wgan_generator(100, (28, 28, 1), 64, shared=True)
    d = networks.shared_wgan_critic((28, 28, 1), 64)
    assert isinstance(g.get_layer("gshared"), networks.TiedConv2D)
    assert g.get_layer("gshared").kernel.shape == d.get_layer("dshared").kernel.shape == (5, 5, 64, 64)
    assert g.get_layer("gshared").strides == (1, 1) and d.get_layer("dshared").strides == (2, 2)
    sizes = [d.get_layer(n).output.shape[1] for n in ("d0", "dshared", "d2", "d3")]
    assert sizes == [14, 7, 4, 2]
    assert g.output_shape == (None, 28, 28, 1)


def test_l1_networks_follow_the_spec():
    g = networks.l1_generator(100, (28, 28, 1))
    assert g.get_layer("pixel_shuffle_1").output.shape[1:] == (14, 14, 32)
    assert g.get_layer("pixel_shuffle_2").output.shape[1:] == (28, 28, 16)
    d = networks.l1_discriminator((28, 28, 1), None)
    assert d.get_layer("flatten").output.shape[-1] == 14 * 14 * 128


def test_l1_networks_start_as_the_reference_pytorch_did():
    keras.utils.set_random_seed(0)
    g = networks.l1_generator(100, (28, 28, 1))
    d = networks.l1_discriminator((28, 28, 1), None)
    # Biases U(+-1/sqrt(fan_in)), fan_in = inputs per output unit.
    fan_ins = {(g, "fc_1"): 100, (g, "fc_2"): 1024, (g, "conv_3"): 25 * 32, (g, "conv_4"): 25 * 16,
               (d, "conv_1"): 25, (d, "conv_2"): 25 * 64, (d, "fc_3"): 14 * 14 * 128}
    for (model, name), fan_in in fan_ins.items():
        layer = model.get_layer(name)
        bias = keras.ops.convert_to_numpy(layer.bias)
        bound = 1.0 / np.sqrt(fan_in)
        assert np.abs(bias).max() <= bound, name
        kernel = keras.ops.convert_to_numpy(layer.kernel)
        assert np.prod(kernel.shape[:-1]) == fan_in, name
        if bias.size > 1:  # spread over the interval, not a constant
            assert np.abs(bias).max() > 0.5 * bound and bias.std() > 0.2 * bound, name
    # BatchNorm scale U(0, 1) (PyTorch before 1.0), shift 0.
    gamma = keras.ops.convert_to_numpy(g.get_layer("bn_3").gamma)
    assert gamma.min() >= 0.0 and gamma.max() < 1.0 and 0.3 < gamma.mean() < 0.7
    assert not np.any(keras.ops.convert_to_numpy(g.get_layer("bn_3").beta))
    # Keras' defaults on request.
    g0 = networks.l1_generator(100, (28, 28, 1), reference_init=False)
    d0 = networks.l1_discriminator((28, 28, 1), None, reference_init=False)
    assert not np.any(keras.ops.convert_to_numpy(g0.get_layer("fc_1").bias))
    assert not np.any(keras.ops.convert_to_numpy(d0.get_layer("conv_1").bias))
    assert np.all(keras.ops.convert_to_numpy(g0.get_layer("bn_3").gamma) == 1.0)


def test_wgan_gp_networks_pad_and_crop():
    g = networks.wgan_gp_generator(128, (28, 28, 1))
    d = networks.wgan_gp_critic((28, 28, 1))
    assert g.output_shape == (None, 28, 28, 1)
    assert d.get_layer("pad").output.shape[1:3] == (32, 32)
    assert d.output_shape == (None, 1)


def test_registry_names_duplicates_and_specs():
    assert {"dcgan", "mirror", "mlp", "wgan", "wgan_gp", "l1", "toy"} <= set(networks.generator_names())
    assert "mirror" not in networks.discriminator_names()
    with pytest.raises(ValueError, match=r"Expected a new generator name\. Received: 'dcgan'"):
        networks.register_generator("dcgan", networks.dcgan_generator)
    with pytest.raises(ValueError, match=r"Expected a known discriminator family\. Received: discriminator='mpl'\. Did you mean 'mlp'\?"):
        networks.build_discriminator("mpl", (28, 28, 1))
    assert networks.discriminator_spec("mlp", (28, 28, 1), widths=(64, 32)) == {
        "type": "dense", "widths": [64, 32]}
    assert networks.discriminator_spec("wgan", (28, 28, 1), hidden=16)["filters"] == [16, 16, 8, 4]
    assert networks.discriminator_spec("wgan_gp", (28, 28, 1)) is None
    assert networks.generator_entry("wgan").shared_layers == ("gshared", "dshared")


@pytest.mark.backend_neutral  # the registry passes keywords on
def test_registry_builds_with_the_builders_own_keywords():
    g = networks.build_generator("dcgan", 8, (32, 32, 3), "sigmoid", base_filters=4)
    assert g.get_layer("up_1").filters == 8 and g.get_layer("output").get_config()["activation"] == "sigmoid"
    # An unbounded generator (no output activation) ignores the range's activation.
    g = networks.build_generator("toy", 1, (1,), "tanh", hidden=4)
    assert g.output_shape == (None, 1)
    with pytest.raises(ValueError, match=r"Expected flat samples.*Received: image_shape=\(28, 28, 1\)"):
        networks.build_generator("toy", 1, (28, 28, 1))


@pytest.mark.backend_neutral  # layer configuration
@pytest.mark.parametrize("builder", [networks.l1_generator, networks.wgan_gp_generator])
def test_generators_take_their_output_activation(builder):
    g = builder(8, (28, 28, 1), output_activation="sigmoid")
    assert g.get_layer("output").get_config()["activation"] == "sigmoid"
    assert builder(8, (28, 28, 1)).get_layer("output").get_config()["activation"] == "tanh"


def test_l1_presets_take_reference_init_as_one_flat_key():
    import kerasgan

    assert kerasgan.zoo.spec("l1_unbounded").config["reference_init"] is True
    gan = kerasgan.zoo.get("l1_unbounded", seed=0, reference_init=False)
    assert not np.any(keras.ops.convert_to_numpy(gan.discriminator.get_layer("fc_3").bias))
    assert np.all(keras.ops.convert_to_numpy(gan.generator.get_layer("bn_3").gamma) == 1.0)
    gan = kerasgan.zoo.get("l1_unbounded", seed=0)
    assert np.any(keras.ops.convert_to_numpy(gan.discriminator.get_layer("fc_3").bias))


# ------------------------------------------------------------------ PatchConv2D


def _conv_pair(filters, kernel, strides, padding, input_shape, max_positions=4):
    patch = networks.PatchConv2D(filters, kernel, strides=strides, padding=padding,
                                 activation="relu", max_positions=max_positions)
    plain = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding,
                                activation="relu")
    patch.build(input_shape)
    plain.build(input_shape)
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=w.shape).astype("float32") * 0.3 for w in plain.get_weights()]
    patch.set_weights(weights)
    plain.set_weights(weights)
    return patch, plain


@pytest.mark.parametrize("shape,kernel,strides,padding,plan", [
    ((3, 4, 4, 6), 5, 2, "same", (2, 2, (1, 2, 1, 2))),     # keras.io WGAN-GP's last layer
    ((3, 5, 6, 2), 3, 2, "valid", (2, 2, (0, 0, 0, 0))),
    ((3, 3, 3, 2), (3, 2), (1, 3), "same", (3, 1, (1, 1, 0, 0))),
])
def test_patch_conv2d_computes_what_conv2d_computes(shape, kernel, strides, padding, plan):
    patch, plain = _conv_pair(4, kernel, strides, padding, shape)
    assert patch.patch_plan(shape) == plan
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    np.testing.assert_allclose(to_numpy(patch(x)), to_numpy(plain(x)), rtol=1e-5, atol=1e-5)
    # Larger maps and unknown sizes run Conv2D's own convolution.
    assert patch.patch_plan((3, 16, 16, shape[-1])) is None
    assert patch.patch_plan((None, None, None, shape[-1])) is None
    config = patch.get_config()
    assert config["max_positions"] == 4
    assert networks.PatchConv2D.from_config(config).patch_plan(shape) == plan
    off = networks.PatchConv2D(4, kernel, strides=strides, padding=padding, max_positions=0)
    assert off.patch_plan(shape) is None
    assert networks.PatchConv2D(4, 5).patch_plan((3, 4, 4, 6)) is None  # window > input
    for bad in (-1, 2.5, "4", True):
        with pytest.raises(ValueError, match=r'Expected max_positions to be an integer >= 0 or '
                                              r'"auto"\. Received: max_positions='):
            networks.PatchConv2D(4, kernel, max_positions=bad)


def test_patch_conv2d_auto_picks_the_largest_matmul_map_by_backend():
    conv = networks.PatchConv2D(4, 5, strides=2, padding="same")
    largest = 64 if keras.backend.backend() == "jax" else 4
    assert conv.max_positions == "auto" and conv.largest_patch_map() == largest
    # An 8x8 output map (64 positions): one matmul under JAX, Conv2D's convolution elsewhere.
    assert (conv.patch_plan((3, 16, 16, 2)) is not None) == (largest == 64)
    assert conv.patch_plan((3, 4, 4, 2)) == (2, 2, (1, 2, 1, 2))
    config = conv.get_config()
    assert config["max_positions"] == "auto"
    assert networks.PatchConv2D.from_config(config).largest_patch_map() == largest


def test_patch_conv2d_computes_an_8x8_map_as_conv2d_does():
    shape = (2, 16, 16, 3)
    patch, plain = _conv_pair(4, 5, 2, "same", shape, max_positions=64)
    assert patch.patch_plan(shape) == (8, 8, (1, 2, 1, 2))
    x = np.random.default_rng(2).normal(size=shape).astype("float32")
    np.testing.assert_allclose(to_numpy(patch(x)), to_numpy(plain(x)), rtol=1e-5, atol=1e-5)


def _penalised_gan(conv):
    import kerasgan

    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4 * 4 * 3),
                                  keras.layers.Reshape((4, 4, 3))])
    critic = keras.Sequential([keras.Input((4, 4, 3)), conv, keras.layers.Flatten(),
                               keras.layers.Dense(1)])
    gan = kerasgan.GAN(generator, critic, output_range=None, gradient_penalty_weight=10.0,
                       seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1),
                loss="wasserstein")
    return gan


def test_patch_conv2d_trains_a_penalised_critic_as_conv2d_does():
    """The gradient penalty differentiates the critic twice: one step lands on the same weights."""
    patch, plain = _conv_pair(5, 5, 2, "same", (None, 4, 4, 3))
    gans = [_penalised_gan(patch), _penalised_gan(plain)]
    gans[1].set_weights(gans[0].get_weights())
    before = to_numpy(patch.kernel).copy()
    data = np.random.default_rng(2).normal(size=(8, 4, 4, 3)).astype("float32")
    for gan in gans:
        gan.fit(data, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert np.abs(to_numpy(patch.kernel) - before).max() > 1e-3
    for a, b in zip(gans[0].discriminator.get_weights(), gans[1].discriminator.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
