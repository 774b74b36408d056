"""Hardening: bad inputs and configuration get clear errors; a non-finite loss stops the run;
the same seed gives the same run.

Documented error types: ValueError (bad values, types, shapes and data; kerasgan.data's
DataFormatError is one), FileNotFoundError (missing files; kerasgan.data's
DataNotFoundError is one) and FloatingPointError (a non-finite loss during training).
docs/errors.md's table of bad inputs points at these tests and at the older ones.
"""

import gzip
import os
import re
import struct
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import TF_GRAPH, child_pythonpath, random_images, tiny_mlp_gan
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import kerasgan
import kerasgan.data as kd
from kerasgan import callbacks as cb
from kerasgan import train, validation

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOCUMENTED_ERRORS = (ValueError, FileNotFoundError, FloatingPointError)
EXAMPLES = int(os.environ.get("KERASGAN_HYPOTHESIS_EXAMPLES", "25"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("KERASGAN_HYPOTHESIS_RANDOM") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Tiny networks for presets whose defaults are large.
SMALL_MLP = {"image_shape": (4, 4, 1), "g_widths": (8,), "d_widths": (8,), "latent_dim": 4}


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _subprocess_env():
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend(), TF_CPP_MIN_LOG_LEVEL="2",
               KERASGAN_NO_DOWNLOAD="1", PYTHONPATH=child_pythonpath(ROOT, HERE))
    env.pop("TF_CONFIG", None)
    return env


@pytest.fixture(scope="module")
def gan():
    g = tiny_mlp_gan()
    g.compile()
    return g


# ------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "preset, overrides, match",
    [
        ("mnist_mlp", {"batch_size": 0}, r"Expected batch_size to be a positive integer\. Received: batch_size=0"),
        ("mnist_mlp", {"batch_size": 2.5}, r"Expected batch_size to be a positive integer\. Received: batch_size=2\.5 \(float\)"),
        ("mnist_mlp", {"latent_dim": "64"}, r"Expected latent_dim to be a positive integer\. Received: latent_dim='64' \(str\)"),
        ("mnist_mlp", {"learning_rate": "1e-3"}, r"Expected learning_rate to be a positive number.*Received: learning_rate='1e-3'"),
        ("mnist_mlp", {"learning_rate": float("inf")}, r"Expected learning_rate to be a positive number \(finite\)\. Received: learning_rate=inf"),
        ("mnist_mlp", {"image_shape": "28x28"}, r"Expected image_shape to be a tuple of 3 positive integer\(s\) \(H, W, C\)\. Received: image_shape='28x28'"),
        ("mnist_mlp", {"image_shape": (28, 28)}, r"Expected image_shape to be a tuple of 3.*Received: image_shape=\(28, 28\).*defaults to image_shape=\(28, 28, 1\)"),
        ("mnist_mlp", {"g_widths": 128}, r"Expected g_widths to be a tuple of positive integers.*Received: g_widths=128 \(int\)"),
        ("mnist_mlp", {"loss": 3}, r"Expected loss to be a string\. Received: loss=3 \(int\).*defaults to loss='non_saturating'"),
        ("mnist_mlp", {"seed": -1}, r"Expected seed to be None or an integer in \[0, 4294967295\]\. Received: seed=-1"),
        ("mnist_mlp", {"beta_1": 1.5}, r"Expected beta_1 to be a number in \[0, 1\)\. Received: beta_1=1\.5"),
        ("mnist_mlp", {"jit_compile": "yes"}, r"Expected jit_compile to be True, False or 'auto'\. Received: jit_compile='yes'"),
        ("mnist_mlp", {"steps_per_execution": 0}, r"Expected steps_per_execution to be a positive integer"),
        ("mnist_mlp", {"run_eagerly": "yes"}, r"Expected run_eagerly to be True or False\. Received: run_eagerly='yes'"),
        ("mnist_mlp", {"value_range": (0, 255)}, r"Preset 'mnist_mlp' draws images in \(0\.0, 1\.0\).*Received: value_range=\(0, 255\)"),
        ("mnist_mlp", {"value_range": (1.0, 0.0)}, r"Expected value_range to be a pair \(low, high\) of finite numbers with low < high"),
        ("mnist_mlp", {"loss": "hinj"}, r"Expected a known loss family\. Received: loss='hinj'\. Did you mean 'hinge'\?"),
        ("dcgan", {"base_filters": 0}, r"Expected base_filters to be a positive integer\. Received: base_filters=0"),
        ("dcgan", {"image_shape": (5, 5, 1)}, r"Expected an image side that halves .*DCGAN family.*Received: image_shape=\(5, 5, 1\)"),
        ("l1_unbounded", {"image_shape": (6, 6, 1)}, r"Expected H and W divisible by 4 for l1_generator\. Received: image_shape=\(6, 6, 1\)"),
        ("l1", {"sigmoid_output": "no"}, r"Expected sigmoid_output to be True or False\. Received: sigmoid_output='no'"),
        ("l1", {"epsilon": -1.0}, r"Expected epsilon to be a finite number >= 0\. Received: epsilon=-1\.0"),
        ("wgan", {"clip_value": 0.0}, r"Expected clip_value to be None or a positive number"),
        ("wgan", {"d_steps": 0}, r"Expected d_steps to be a positive integer"),
        ("wgan_gp", {"gradient_penalty_weight": -1.0}, r"Expected gradient_penalty_weight to be a finite number >= 0"),
        ("gaussian_1d", {"hidden": 0}, r"Expected hidden to be a positive integer"),
        ("gaussian_1d", {"image_shape": (2, 2)}, r"Expected image_shape to be a tuple of 1 positive integer"),
        ("gaussian_1d", {"d_learning_rate": -1e-3}, r"Expected d_learning_rate to be a positive number"),
    ],
    ids=[
        "batch_size-0", "batch_size-float", "latent_dim-str", "learning_rate-str",
        "learning_rate-inf", "image_shape-str", "image_shape-rank2", "g_widths-int", "loss-int",
        "seed-negative", "beta_1-above-1", "jit_compile-str", "steps_per_execution-0",
        "run_eagerly-str",
        "value_range-0-255", "value_range-reversed", "loss-unknown", "dcgan-base_filters-0",
        "dcgan-image_shape-5", "l1-image_shape-6", "l1-sigmoid_output-str", "l1-epsilon-negative",
        "wgan-clip_value-0", "wgan-d_steps-0", "wgan_gp-penalty-negative", "gaussian-hidden-0",
        "gaussian-image_shape-2d", "gaussian-d_learning_rate-negative",
    ],
)
def test_bad_override_value_or_type(preset, overrides, match):
    with pytest.raises(ValueError, match=match):
        kerasgan.zoo.get(preset, **overrides)


def test_unknown_preset_and_override_on_data_load():
    with pytest.raises(ValueError, match=r"Expected a known preset\. Received: preset='dcgann'\. Did you mean 'dcgan'\?"):
        kd.from_arrays(np.zeros((4, 4, 4, 1), np.uint8), preset="dcgann")
    with pytest.raises(ValueError, match=r"Expected overrides that preset 'dcgan' takes\. Received: unknown override\(s\) 'z_dim'"):
        kerasgan.zoo.get("dcgan", z_dim=100)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"d_loss_weight": 0.0}, r"Expected d_loss_weight to be a positive finite number\. Received: d_loss_weight=0\.0"),
        ({"output_range": (0.0, float("inf"))}, r"Expected output_range to be a pair \(low, high\) of finite numbers"),
        ({"latent_dim": 0}, r"Expected latent_dim to be a positive integer\. Received: latent_dim=0"),
    ],
    ids=["d_loss_weight-0", "output_range-inf", "latent_dim-0"],
)
def test_bad_gan_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_mlp_gan(**kwargs)


# ------------------------------------------------------------------------ data at fit()


@pytest.mark.parametrize(
    "data, match",
    [
        (random_images(8).astype(bool), r"Expected float images in \[0, 1\]\. Received: dtype bool"),
        (random_images(8).astype("int32"), r"Expected float images in \[0, 1\]\. Received: dtype int32 \(values 0\.\.0\)"),
        (random_images(8).astype("complex64"), r"Expected float images in \[0, 1\]\. Received: dtype complex64\. Scale"),
        (np.full((8, 4, 4, 1), "x"), r"Expected float images in \[0, 1\]\. Received: dtype <U1\. Scale"),
        (np.zeros((8, 4, 4, 1, 1), "float32"), r"Expected images of shape \(batch,\) \+ \(4, 4, 1\)\. Received: shape=\(4, 4, 4, 1, 1\)"),
        (np.float32(0.5), r"Expected at least one image\. Received: shape=\(\)"),
    ],
    ids=["bool", "int32", "complex64", "strings", "rank-5", "scalar"],
)
def test_bad_dtypes_and_ranks_at_fit(gan, data, match):
    before = _values(gan.trainable_variables)
    with pytest.raises(ValueError, match=match):
        gan.fit(data, batch_size=4, verbose=0)
    for a, b in zip(before, _values(gan.trainable_variables)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("batch_size", [0, -2, 2.5, True])
def test_bad_batch_size_at_fit(gan, batch_size):
    with pytest.raises(ValueError, match=r"Expected batch_size to be a positive integer or None\. Received: batch_size="):
        gan.fit(random_images(8), batch_size=batch_size, verbose=0)


def test_wrong_image_size_in_a_dataset(gan):
    ds = tf.data.Dataset.from_tensor_slices(random_images(8, shape=(5, 5, 1))).batch(4)
    with pytest.raises(ValueError, match=r"Expected images of shape \(batch,\) \+ \(4, 4, 1\)\. Received: shape=\(4, 5, 5, 1\).*image_shape=\(4, 4, 1\)"):
        gan.fit(ds, verbose=0)


def test_nan_in_a_dataset_batch(gan):
    x = random_images(8)
    x[1, 2, 3, 0] = np.inf
    ds = tf.data.Dataset.from_tensor_slices(x).batch(4)
    with pytest.raises(ValueError, match=r"Expected finite pixel values\. Received: 1 NaN or Inf pixel value\(s\) in 1 of 4 images, the first at index 1"):
        gan.fit(ds, verbose=0)


def test_batch_smaller_than_replicas_is_rejected_before_training(gan, monkeypatch):
    monkeypatch.setattr(validation, "num_replicas", lambda model=None: 4)
    before = _values(gan.trainable_variables)
    with pytest.raises(ValueError, match=r"multiple of the 4 replicas.*Received: a batch of 2 image\(s\).*batch_size=4"):
        gan.fit(random_images(2), batch_size=2, verbose=0)
    for a, b in zip(before, _values(gan.trainable_variables)):
        np.testing.assert_array_equal(a, b)
    ds = tf.data.Dataset.from_tensor_slices(random_images(6)).batch(3)
    with pytest.raises(ValueError, match=r"multiple of the 4 replicas.*Received: a batch of 3 image\(s\)"):
        gan.fit(ds, verbose=0)


# ----------------------------------------------------------------- data in kerasgan.data


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((4, 4, 4, 1), bool), r"Expected uint8 or float images\. Received: dtype bool\. Pass uint8 pixels"),
        (np.zeros((4, 4, 4, 1), np.complex64), r"Expected uint8 or float images\. Received: dtype complex64"),
        (np.full((4, 4, 4, 1), np.inf, np.float32), r"Expected finite pixel values\. Received: 64 NaN or Inf pixel value\(s\) in 4 of 4 images, the first at index 0"),
        (np.zeros((4, 4, 4, 5), np.uint8), r"with 1 \(gray\), 2 \(gray and alpha\), 3 \(RGB\) or 4 \(RGBA\) channels on the last axis \(NHWC\)\. Received: shape=\(4, 4, 4, 5\)"),
        (np.zeros((4, 0, 4, 1), np.uint8), r"Expected images of at least 1x1 pixels\. Received: shape=\(4, 0, 4, 1\)"),
        (np.zeros((2, 4, 4, 4, 1), np.uint8), r"Expected images of shape \(N, H, W\) or \(N, H, W, C\)\. Received: shape=\(2, 4, 4, 4, 1\) \(rank 5\)"),
    ],
    ids=["bool", "complex", "inf", "five-channels", "zero-height", "rank-5"],
)
def test_from_arrays_rejects(images, match):
    with pytest.raises(ValueError, match=match):
        kd.from_arrays(images, batch_size=2)


def test_from_arrays_takes_gray_and_alpha_as_the_message_says():
    # 2 channels (gray, alpha): the alpha channel is dropped, as for RGBA.
    x = np.zeros((4, 4, 4, 2), np.uint8)
    x[..., 0], x[..., 1] = 255, 7
    batch = next(iter(kd.from_arrays(x, batch_size=4, shuffle=False)))
    assert batch.shape == (4, 4, 4, 1)
    np.testing.assert_array_equal(batch.numpy(), np.ones((4, 4, 4, 1), np.float32))


def test_uint8_data_for_a_preset_is_scaled_not_rejected():
    # uint8 0..255 through kerasgan.data is the documented path: it comes out in the preset's range.
    x = np.random.default_rng(0).integers(0, 256, (8, 28, 28, 1), dtype=np.uint8)
    x[0, 0, 0, 0], x[1, 0, 0, 0] = 0, 255
    batch = next(iter(kd.from_arrays(x, preset="dcgan", batch_size=8, shuffle=False)))
    assert batch.dtype == tf.float32 and batch.shape == (8, 28, 28, 1)
    assert float(tf.reduce_min(batch)) == -1.0 and float(tf.reduce_max(batch)) == 1.0


def _write_idx(path, payload):
    with gzip.open(path, "wb") as f:
        f.write(payload)


def test_idx_too_short_for_its_magic_or_header(tmp_path):
    short = tmp_path / "train-images-idx3-ubyte.gz"
    _write_idx(short, b"\x00\x00")
    with pytest.raises(kd.DataFormatError, match=r"Expected an IDX file of at least 4 bytes.*Received: '.*train-images-idx3-ubyte\.gz', 2 bytes"):
        kd.read_idx(short)
    _write_idx(short, struct.pack(">I", 0x00000803) + struct.pack(">I", 10))
    with pytest.raises(kd.DataFormatError, match=r"Expected IDX file '.*train-images-idx3-ubyte\.gz' to hold the header its magic number declares \(3 dimensions, 16 header bytes\)\. Received: \d+ bytes: it is truncated"):
        kd.load(str(tmp_path), batch_size=2)


def test_idx_labels_file_where_images_are_expected(tmp_path):
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", struct.pack(">II", 0x00000801, 4) + bytes(4))
    with pytest.raises(kd.DataFormatError, match=r"Expected IDX image file '.*train-images-idx3-ubyte\.gz' to hold a 3-D array \(N, H, W\).*Received: shape \(4,\)"):
        kd.load(str(tmp_path), batch_size=2)


def test_with_labels_on_a_source_without_labels(tmp_path):
    # The reverse of images-only: labels asked of a source that has none.
    from PIL import Image

    for i in range(4):
        Image.fromarray(np.full((6, 6), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    with pytest.raises(ValueError, match=r"Expected a source with labels for with_labels=True\. Received: .* has no labels \(image folders"):
        kd.load(str(tmp_path), batch_size=2, with_labels=True)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz",
               struct.pack(">IIII", 0x00000803, 4, 6, 6) + bytes(4 * 36))
    with pytest.raises(kd.DataNotFoundError, match=r"Expected a label file train-labels-idx1-ubyte\[\.gz\] .*for with_labels=True\. Received: '.*' holds no label file"):
        kd.load(str(tmp_path), batch_size=2, with_labels=True, source="idx")


# ------------------------------------------------------------------- non-finite loss


def _write_idx_images(path, n=32, size=(28, 28)):
    images = np.random.default_rng(0).integers(0, 256, (n,) + size, dtype=np.uint8)
    _write_idx(path, struct.pack(">IIII", 0x00000803, n, *size) + images.tobytes())


def test_non_finite_loss_stops_the_trainer_and_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    """Through `kerasgan.train.run`: its default callbacks stop at the first NaN loss."""
    data = tmp_path / "data"
    data.mkdir()
    _write_idx_images(data / "train-images-idx3-ubyte.gz")
    out = tmp_path / "run"
    checkpoint = out / "checkpoint.keras"
    snapshot = {}
    real_fit = kerasgan.GAN.fit

    class Snapshot(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:  # after epoch 1's checkpoint, before the poisoned step
                snapshot["bytes"] = checkpoint.read_bytes()
                snapshot["epoch"] = (out / "checkpoint.keras.epoch").read_text()

    def poisoned_fit(self, x=None, callbacks=(), **kwargs):
        snapshot["callbacks"] = [type(c).__name__ for c in callbacks]
        # Real images for the first step, NaN images from the second on; validate_data=False
        # lets them reach the step (the data check would refuse them first).
        x = x.enumerate().map(lambda i, b: tf.where(i >= 1, b + np.float32("nan"), b))
        return real_fit(self, x, callbacks=list(callbacks) + [Snapshot()], validate_data=False,
                        **kwargs)

    monkeypatch.setattr(kerasgan.GAN, "fit", poisoned_fit)
    with pytest.raises(FloatingPointError) as err:
        train.run("mnist_mlp", str(out), dataset=str(data), limit=16, epochs=3, steps_per_epoch=1,
                  batch_size=8, seed=0, num_samples=4, verbose=0,
                  overrides={"g_widths": (16,), "d_widths": (16,), "latent_dim": 8, **TF_GRAPH})
    message = str(err.value)
    assert re.search(r"Received: d_loss=nan, g_loss=nan(, \w+=nan)* at training step 2 \(epoch 2, "
                     r"batch 1\), in the discriminator phase\. Training stopped", message), message
    assert {"StopOnNonFiniteLoss", "AtomicCheckpoint"} <= set(snapshot["callbacks"])
    assert checkpoint.read_bytes() == snapshot["bytes"], "the last good checkpoint was replaced"
    assert (out / "checkpoint.keras.epoch").read_text() == snapshot["epoch"] == "1\n"
    assert not [p for p in os.listdir(out) if ".tmp" in p]
    good = kerasgan.load_gan(str(checkpoint))
    assert int(keras.ops.convert_to_numpy(good.g_optimizer.iterations)) == 1
    assert all(np.isfinite(v).all() for v in _values(good.trainable_variables))
    assert not (out / "samples_final.png").exists()


def test_non_finite_generator_loss_names_the_generator_phase(gan):
    callback = cb.StopOnNonFiniteLoss(raise_error=True)
    callback.set_model(gan)
    callback.on_epoch_begin(4)
    callback.on_train_batch_end(6, {"d_loss": 0.3, "g_loss": float("inf")})
    assert gan.stop_training
    gan.stop_training = False
    with pytest.raises(FloatingPointError, match=r"Received: g_loss=inf at training step \d+ \(epoch 5, batch 7\), in the generator phase"):
        callback.on_train_end()


# ------------------------------------------------------------------- reproducibility

_REPRO_SCRIPT = """
import os
import sys
import keras
import numpy as np
import kerasgan

# TensorFlow's graph (XLA is no part of the subject); JAX always compiles.
GRAPH = {"jit_compile": False} if keras.backend.backend() == "tensorflow" else {}


def run(seed):
    out = {}
    for preset, overrides in [
        ("mnist_mlp", dict(image_shape=(8, 8, 1), g_widths=(16,), d_widths=(16,), latent_dim=8,
                           learning_rate=1e-3)),
        ("l1_unbounded", dict(image_shape=(4, 4, 1), latent_dim=8, learning_rate=1e-3)),
    ]:
        gan = kerasgan.zoo.get(preset, seed=seed, batch_size=8, **GRAPH, **overrides)
        low, high = gan.output_range
        x = np.random.default_rng(0).uniform(low, high, (32,) + gan.image_shape).astype("float32")
        history = gan.fit(x, batch_size=8, epochs=2, shuffle=False, verbose=0)
        out[preset + "/losses"] = np.array(history.history["d_loss"] + history.history["g_loss"])
        out[preset + "/images"] = gan.generate(6, seed=1)
    return out


if __name__ == "__main__":
    np.savez(sys.argv[1], **run(int(sys.argv[2])))
    os._exit(0)  # the results are written; the interpreter's teardown adds seconds, not checks
"""


def test_same_seed_same_losses_and_images_across_runs(tmp_path, graph_optimizer_on):
    """Two processes (this one, after other tests, and a fresh one), same seed and backend:
    bit-identical losses and images."""
    path = str(tmp_path / "run.npz")
    namespace = {"__name__": "repro"}
    exec(compile(_REPRO_SCRIPT, "repro", "exec"), namespace)
    b = namespace["run"](5)  # here first: a JAX child then reads its steps from the compile cache
    proc = subprocess.run([sys.executable, "-c", _REPRO_SCRIPT, path, "5"], env=_subprocess_env(),
                          cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr[-4000:]
    a = np.load(path)
    assert sorted(b) == sorted(a.files)
    assert sorted(a.files) == ["l1_unbounded/images", "l1_unbounded/losses", "mnist_mlp/images", "mnist_mlp/losses"]
    for key in a.files:
        assert np.isfinite(a[key]).all(), key
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    for preset, shape in (("mnist_mlp", (8, 8, 1)), ("l1_unbounded", (4, 4, 1))):
        images = a[preset + "/images"]
        assert images.shape == (6,) + shape and images.std() > 0, preset  # not a constant output
        assert not np.array_equal(images[0], images[1]), preset


# ------------------------------------------------------------------- property-based


_DTYPES = ["float32", "float32", "float32", "float32", "float16", "float64", "uint8", "int32", "bool", "complex64"]
_RANGES = [(0.0, 1.0), (0.25, 0.75), (0.0, 1.0005), (0.0, 1.0), (0.0, 1.0), (-1.0, 1.0), (0.0, 255.0),
           (0.5, 2.0)]


@st.composite
def fit_inputs(draw):
    """Arrays of random shapes, dtypes and value ranges; about a third are valid training data."""
    n = draw(st.sampled_from([4, 2, 1, 0]))
    if draw(st.integers(0, 3)):
        tail = (4, 4, 1)
    else:
        tail = tuple(draw(st.lists(st.integers(0, 5), min_size=0, max_size=3)))
    shape = (n,) + tail
    dtype = draw(st.sampled_from(_DTYPES))
    low, high = draw(st.sampled_from(_RANGES))
    poison = draw(st.sampled_from([None] * 8 + [np.nan, np.inf, -np.inf]))
    batch_size = draw(st.sampled_from([None, 2, None, 1, 2, 4, 0, -1]))
    size = int(np.prod(shape))
    values = np.linspace(low, high, size) if size > 1 else np.full(size, low)
    x = values.reshape(shape)
    if poison is not None and size:
        x = x.copy()
        x.flat[draw(st.integers(0, size - 1))] = poison
    with np.errstate(invalid="ignore", over="ignore"):
        x = x.astype(dtype)
    return x, batch_size


def _valid_for_tiny_gan(x, batch_size):
    """The oracle: what `fit` must accept (the GAN takes (4, 4, 1) images in [0, 1])."""
    if batch_size is not None and batch_size < 1:
        return False
    if x.ndim != 4 or x.shape[0] == 0 or x.shape[1:] != (4, 4, 1):
        return False
    if not np.issubdtype(x.dtype, np.floating):
        return False
    # fit() checks every image of an array before training.
    values = x.astype("float64")
    return bool(np.isfinite(values).all() and values.min() >= -1e-3 and values.max() <= 1.0 + 1e-3)


@PROPERTY_SETTINGS
@given(fit_inputs())
def test_property_fit_raises_only_documented_errors(gan, inputs):
    x, batch_size = inputs
    expected_valid = _valid_for_tiny_gan(x, batch_size)
    before = _values(gan.trainable_variables)
    try:
        gan.fit(x, batch_size=batch_size, epochs=1, steps_per_epoch=1, verbose=0)
    except ValueError as e:
        event("fit: rejected")
        assert not expected_valid, f"fit rejected valid data {x.shape} {x.dtype}: {e}"
        assert re.search(r"[Ee]xpected|[Rr]eceived", str(e)), str(e)
        for a, b in zip(before, _values(gan.trainable_variables)):
            np.testing.assert_array_equal(a, b)  # rejected before any training step
    else:
        event("fit: trained")
        assert expected_valid, f"fit accepted bad data: shape {x.shape}, dtype {x.dtype}, batch_size={batch_size}"


_WORDS = ["hinge", "least_squares", "mlp", "dcgan", "mirror", "toy", "annealed_noise", "auto", "", "x"]
_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from(_WORDS),
    st.tuples(st.integers(-1, 9), st.integers(-1, 9)),
    st.lists(st.integers(0, 9), min_size=0, max_size=3).map(tuple),
    st.lists(st.floats(-2, 2, width=32), min_size=1, max_size=3),
)


def _like(default):
    """Values of the default's type, mostly in range: about half the overrides are valid."""
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int):
        return st.integers(1, 9)
    if isinstance(default, float):
        return st.floats(1e-4, 0.9)
    if isinstance(default, str):
        return st.sampled_from([default, default, "hinge", "mlp", "x"])
    if isinstance(default, tuple) and all(isinstance(v, int) for v in default):
        return st.lists(st.integers(1, 9), min_size=len(default), max_size=len(default)).map(tuple)
    if isinstance(default, tuple):
        return st.sampled_from([default, (0.0, 1.0), (-1.0, 1.0), (1.0, -1.0)])
    return st.one_of(st.none(), st.integers(0, 100))


@st.composite
def zoo_calls(draw):
    preset = draw(st.sampled_from(["mnist_mlp", "gaussian_1d"]))
    config = kerasgan.zoo.spec(preset).config
    keys = draw(st.lists(st.sampled_from(sorted(config) + ["z_dim", "lr"]), min_size=1, max_size=2,
                         unique=True))
    overrides = {}
    for key in keys:
        like = _like(config[key]) if key in config else _ANY_VALUE
        overrides[key] = draw(st.one_of(like, like, _ANY_VALUE))
    return preset, overrides


@PROPERTY_SETTINGS
@given(zoo_calls())
def test_property_zoo_get_raises_only_documented_errors(call):
    preset, overrides = call
    base = {**SMALL_MLP, "jit_compile": False} if preset == "mnist_mlp" else {"hidden": 4}
    try:
        gan = kerasgan.zoo.get(preset, **{**base, **overrides})
    except DOCUMENTED_ERRORS as e:
        event("zoo.get: rejected")
        assert isinstance(e, ValueError), repr(e)
        message = str(e)
        assert any(key in message for key in overrides) or "Received" in message, message
    else:
        event("zoo.get: built")
        assert isinstance(gan, kerasgan.GAN)
        assert gan.latent_dim == int(overrides.get("latent_dim", base.get("latent_dim", gan.latent_dim)))
