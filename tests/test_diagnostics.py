"""Training diagnostics (D means, gradient norms), TensorBoard output, class-per-row grids.

Their data-parallel check runs with the other two-device checks (tests/test_distribution.py).
"""

import os

import keras
import numpy as np
import pytest

DIAGNOSTICS = ("d_real", "d_fake", "d_grad_norm", "g_grad_norm")


def _random_images(n, shape=(4, 4, 1), seed=0):
    return np.random.default_rng(seed).uniform(0.0, 1.0, (n,) + tuple(shape)).astype("float32")


def _tiny_gan(seed=0, batch_norm=True, diagnostics=True, **kwargs):
    import kerasgan
    from kerasgan.networks import mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(seed)
    g = mlp_generator(8, (16,), (4, 4, 1), "sigmoid", batch_norm=batch_norm)
    d = mlp_discriminator((4, 4, 1), (16,))
    return kerasgan.GAN(g, d, seed=seed, diagnostics=diagnostics, **kwargs)


def _linear_gan(latent=3, pixels=4, d_kernel=None, d_bias=0.0, g_kernel=None, g_bias=None,
                conditioning=None, **kwargs):
    """G(z) = reshape(z A + c) (no activation), D(x) = flatten(x) . w + b: gradients by hand."""
    import kerasgan

    rng = np.random.default_rng(1)
    a = rng.normal(size=(latent, pixels)).astype("float32") if g_kernel is None else g_kernel
    c = rng.uniform(0.2, 0.8, pixels).astype("float32") if g_bias is None else g_bias
    w = rng.normal(size=(pixels, 1)).astype("float32") if d_kernel is None else d_kernel
    z = keras.Input((latent,))
    g_inputs = [z]
    h = keras.layers.Dense(pixels, name="g_dense")(z)
    g_out = keras.layers.Reshape((pixels, 1, 1))(h)
    x = keras.Input((pixels, 1, 1))
    d_inputs = [x]
    out = keras.layers.Dense(1, name="d_dense")(keras.layers.Flatten()(x))
    d_outputs = out
    if conditioning == "acgan":
        d_outputs = [out, keras.layers.Dense(kwargs["num_classes"])(keras.layers.Flatten()(x))]
        g_inputs.append(keras.Input((), dtype="int32"))
    generator = keras.Model(g_inputs, g_out)
    discriminator = keras.Model(d_inputs, d_outputs)
    generator.get_layer("g_dense").set_weights([a, c])
    discriminator.get_layer("d_dense").set_weights([w, np.full((1,), d_bias, "float32")])
    gan = kerasgan.GAN(generator, discriminator, output_range=None, seed=0,
                       conditioning=conditioning, diagnostics=True, **kwargs)
    return gan, (a, c, w, d_bias)


def _frozen_compile(gan, loss="wasserstein"):
    # Learning rate 0: every update leaves the weights as they are, so the hand values hold.
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0),
                loss=loss)


@pytest.mark.parametrize("kwargs", [{}, {"d_steps": 2, "d_update": "split"},
                                    {"d_steps": 2, "real_batches": "split"}])
def test_diagnostics_are_metrics_in_history_and_csv(kwargs, tmp_path):
    from kerasgan import callbacks

    gan = _tiny_gan(**kwargs)
    gan.compile()
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(sorted(logs)))
    log = callbacks.CSVLog(str(tmp_path / "log.csv"))
    history = gan.fit(_random_images(32), batch_size=8, epochs=2, verbose=0, callbacks=[cb, log])
    assert set(history.history) == {"d_loss", "g_loss", *DIAGNOSTICS}
    assert seen[0] == sorted(["d_loss", "g_loss", *DIAGNOSTICS])
    for name in DIAGNOSTICS:
        assert len(history.history[name]) == 2 and np.isfinite(history.history[name]).all(), name
    assert min(history.history["d_grad_norm"] + history.history["g_grad_norm"]) > 0
    header = (tmp_path / "log.csv").read_text().splitlines()[0].split(",")
    assert set(DIAGNOSTICS) <= set(header)
    # evaluate() reports the losses only (no gradients there).
    logs = gan.evaluate(_random_images(16), batch_size=8, verbose=0, return_dict=True)
    assert set(logs) == {"d_loss", "g_loss"}


def test_diagnostics_change_no_number_and_are_opt_in():
    import kerasgan

    runs = {}
    for diagnostics in (True, False):
        gan = _tiny_gan(seed=3, diagnostics=diagnostics, d_steps=2)
        gan.compile()
        h = gan.fit(_random_images(32), batch_size=8, epochs=2, verbose=0, shuffle=False)
        runs[diagnostics] = (h.history, [keras.ops.convert_to_numpy(v) for v in gan.weights])
    assert set(runs[False][0]) == {"d_loss", "g_loss"}
    for key in ("d_loss", "g_loss"):
        np.testing.assert_array_equal(runs[True][0][key], runs[False][0][key])
    for a, b in zip(runs[True][1], runs[False][1]):
        np.testing.assert_array_equal(a, b)
    gan = _tiny_gan()
    assert gan.get_config()["diagnostics"] is True
    assert type(gan).from_config(gan.get_config()).diagnostics is True
    plain = kerasgan.GAN(gan.generator, gan.discriminator)
    assert plain.diagnostics is False and [m.name for m in plain.metrics] == ["d_loss", "g_loss"]
    assert type(plain).from_config(plain.get_config()).diagnostics is False


@pytest.mark.parametrize("d_update", ["joint", "split"])
def test_d_real_and_d_fake_are_the_discriminator_means(d_update):
    # D(x) = mean of 4 pixels - 0.5; real images are all 1, the generator outputs 0: +0.5, -0.5.
    w = np.full((4, 1), 0.25, "float32")
    gan, _ = _linear_gan(d_kernel=w, d_bias=-0.5, g_kernel=np.zeros((3, 4), "float32"),
                         g_bias=np.zeros(4, "float32"), d_update=d_update)
    _frozen_compile(gan)
    h = gan.fit(np.ones((16, 4, 1, 1), "float32"), batch_size=8, verbose=0)
    np.testing.assert_allclose(h.history["d_real"], [0.5], atol=1e-6)
    np.testing.assert_allclose(h.history["d_fake"], [-0.5], atol=1e-6)


def test_acgan_diagnostics_use_the_adversarial_output():
    w = np.full((4, 1), 0.25, "float32")
    gan, _ = _linear_gan(d_kernel=w, d_bias=-0.5, g_kernel=np.zeros((3, 4), "float32"),
                         g_bias=np.zeros(4, "float32"), conditioning="acgan", num_classes=3)
    _frozen_compile(gan)
    labels = np.arange(16) % 3
    h = gan.fit(np.ones((16, 4, 1, 1), "float32"), labels, batch_size=8, verbose=0)
    np.testing.assert_allclose(h.history["d_real"], [0.5], atol=1e-6)
    np.testing.assert_allclose(h.history["d_fake"], [-0.5], atol=1e-6)
    assert h.history["d_grad_norm"][0] > 0 and h.history["g_grad_norm"][0] > 0


def test_gradient_norms_match_the_hand_gradients_of_a_linear_gan():
    """Wasserstein losses of a linear G and D have closed-form gradients (numpy here)."""
    gan, (a, c, w, _) = _linear_gan()
    _frozen_compile(gan)
    state = np.array(keras.ops.convert_to_numpy(gan.seed_generator.state))
    real = _random_images(8, (4, 1, 1), seed=5)
    h = gan.fit(real, batch_size=8, verbose=0)
    # The step's noise, drawn again from the same seed state.
    gan.seed_generator.state.assign(state)
    r = {k: np.asarray(keras.ops.convert_to_numpy(v)) for k, v in gan.draw_randomness(8).items()}
    x = real.reshape(8, 4)
    fake = r["z0"] @ a + c
    # d_loss = mean D(fake) - mean D(real): dw = mean(fake) - mean(real), db = 0.
    d_norm = np.linalg.norm(fake.mean(0) - x.mean(0))
    # g_loss = -mean D(G(z)): dA = -mean_i z_i w^T, dc = -w.
    grad_a = -np.outer(r["z_g"].mean(0), w[:, 0])
    g_norm = np.sqrt(np.sum(grad_a**2) + np.sum(w**2))
    np.testing.assert_allclose(h.history["d_grad_norm"], [d_norm], rtol=1e-5)
    np.testing.assert_allclose(h.history["g_grad_norm"], [g_norm], rtol=1e-5)


def test_gradient_norm_helper():
    from kerasgan import trainers

    grads = [np.array([3.0], "float32"), None, np.array([[4.0]], "float32")]
    norm, weight = trainers.gradient_norm(grads)
    assert weight is None and float(keras.ops.convert_to_numpy(norm)) == pytest.approx(5.0)
    norm, weight = trainers.gradient_norm(grads, scale=keras.ops.convert_to_tensor(2.0))
    assert float(keras.ops.convert_to_numpy(norm)) == pytest.approx(2.5)
    assert float(keras.ops.convert_to_numpy(weight)) == 1.0
    overflow = [np.array([np.inf], "float32")]
    norm, weight = trainers.gradient_norm(overflow, scale=keras.ops.convert_to_tensor(2.0))
    assert float(keras.ops.convert_to_numpy(norm)) == 0.0
    assert float(keras.ops.convert_to_numpy(weight)) == 0.0


# ------------------------------------------------------------- class-per-row grids


def _conditional_gan(num_classes=3, latent=4):
    """G([z, y]) = reshape(z A + E[y]): a label-independent column when E is 0."""
    import kerasgan

    z = keras.Input((latent,))
    y = keras.Input((), dtype="int32")
    h = keras.layers.Dense(4, name="g_dense")(z)
    h = keras.layers.Add()([h, keras.layers.Embedding(num_classes, 4, name="g_embed")(y)])
    generator = keras.Model([z, y], keras.layers.Reshape((2, 2, 1))(h))
    x = keras.Input((2, 2, 1))
    yd = keras.Input((), dtype="int32")
    out = keras.layers.Dense(1)(keras.layers.Flatten()(x))
    out = keras.layers.Add()([out, keras.layers.Embedding(num_classes, 1)(yd)])
    discriminator = keras.Model([x, yd], out)
    return kerasgan.GAN(generator, discriminator, num_classes=num_classes,
                        conditioning="projection", output_range=(-10.0, 10.0), seed=0)


def test_class_samples_rows_are_classes_and_columns_share_noise():
    from kerasgan import callbacks, plotting

    gan = _conditional_gan(num_classes=3)
    columns = 5
    images = callbacks.class_samples(gan, columns=columns, seed=0)
    assert images.shape == (3 * columns, 2, 2, 1)
    grid = plotting.class_grid(images, num_classes=3)
    assert grid.shape == (3 * (2 + 2) + 2, columns * (2 + 2) + 2, 1)
    # Row k of the grid is class k: it matches generate(labels=k) on the same column noise.
    noise = gan.sample_noise(columns, seed=0)
    for k in range(3):
        row = gan.generate(columns, labels=k, noise=noise)
        top = 2 + k * 4
        np.testing.assert_allclose(grid[top : top + 2, 2:4], row[0], atol=1e-6)
        np.testing.assert_allclose(images[k * columns : (k + 1) * columns], row, atol=1e-6)
    # With the class embedding at 0 the rows are identical: only the class varies down a column.
    embed = gan.generator.get_layer("g_embed")
    embed.set_weights([np.zeros_like(embed.get_weights()[0])])
    images = callbacks.class_samples(gan, columns=columns, seed=0).reshape(3, columns, -1)
    np.testing.assert_allclose(images[0], images[1], atol=1e-6)
    np.testing.assert_allclose(images[0], images[2], atol=1e-6)
    assert not np.allclose(images[0, 0], images[0, 1])  # columns differ (their noise)
    with pytest.raises(ValueError, match="num_classes"):
        plotting.class_grid(images.reshape(-1, 2, 2, 1)[:7], num_classes=3)


def test_sample_grid_writes_a_labelled_class_grid(tmp_path):
    from kerasgan import callbacks

    gan = _conditional_gan(num_classes=3)
    gan.compile()
    labels = np.arange(8) % 3
    grid = callbacks.SampleGrid(str(tmp_path / "samples"), columns=4,
                                class_names=["cat", "dog", "emu"])
    gan.fit(np.zeros((8, 2, 2, 1), "float32"), labels, batch_size=8, verbose=0, callbacks=[grid])
    assert grid.last_path.endswith("epoch_001.png")
    assert open(grid.last_path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="3 class names"):
        callbacks.save_samples(gan, str(tmp_path / "bad.png"), class_names=["cat"])
    with pytest.raises(ValueError, match="unconditional"):
        callbacks.class_samples(_tiny_gan())
    with pytest.raises(ValueError, match="noise of shape"):
        gan.generate(2, labels=0, noise=np.zeros((3, 4), "float32"))


# ------------------------------------------------------------------- TensorBoard


def _events(directory):
    """{tag: [(step, kind)]} of the TensorBoard event files under `directory`."""
    import tensorflow as tf

    tags = {}
    for path in _event_files(directory):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                tags.setdefault(value.tag, []).append((event.step, plugin))
    return tags


def test_tensorboard_log_scalars_and_sample_grid_image_are_readable_by_tensorboard(tmp_path):
    from kerasgan import callbacks

    gan = _tiny_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(3e-4), g_optimizer=keras.optimizers.Adam(1e-4))
    grid = callbacks.SampleGrid(str(tmp_path / "samples"), num_samples=4,
                                log_dir=str(tmp_path / "tb_grid"))
    history = gan.fit(_random_images(16), batch_size=8, epochs=2, verbose=0,
                      callbacks=[callbacks.TensorBoardLog(str(tmp_path / "tb")), grid])
    # The sample grid: one image per epoch, the PNG written to disk.
    tags = _events(tmp_path / "tb_grid" / "train")
    assert sorted(tags["samples"]) == [(0, "images"), (1, "images")]
    image = _last_image(tmp_path / "tb_grid" / "train")
    png = open(grid.last_path, "rb").read()
    assert image == png
    # The scalars: every loss and diagnostic per epoch, and both learning rates.
    values = _scalars(tmp_path / "tb" / "train")
    for name in ("d_loss", "g_loss", *DIAGNOSTICS):
        np.testing.assert_allclose(values[f"epoch_{name}"], history.history[name], rtol=1e-6)
    np.testing.assert_allclose(values["epoch_d_learning_rate"], [3e-4, 3e-4], rtol=1e-6)
    np.testing.assert_allclose(values["epoch_g_learning_rate"], [1e-4, 1e-4], rtol=1e-6)


def _scalars(directory):
    """{tag: [value by step]} of the scalar summaries under `directory`."""
    import tensorflow as tf

    found = {}
    for path in _event_files(directory):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "scalars":
                    found.setdefault(value.tag, {})[event.step] = float(tf.make_ndarray(value.tensor))
    return {tag: [steps[s] for s in sorted(steps)] for tag, steps in found.items()}


def _last_image(directory):
    import tensorflow as tf

    image = None
    for path in _event_files(directory):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "images":
                    width, height, image = tf.make_ndarray(value.tensor)
                    assert (int(height), int(width)) > (0, 0)
    return image


def _event_files(directory):
    return sorted(os.path.join(root, name) for root, _, files in os.walk(directory)
                  for name in files if name.startswith("events.out.tfevents"))
