"""studies.filter_metrics (the filter-similarity study's measure) and the study's analysis."""

import json
import math
import os

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan.utils import provenance
from studies import filter_metrics


def test_filter_similarity_identical_kernels_is_one(rng):
    k = rng.normal(size=(5, 5, 3, 4))
    np.testing.assert_allclose(filter_metrics.max_cosine_similarity(k, k), 1.0, rtol=1e-12)
    # Scale does not matter (slices are L2-normalised).
    np.testing.assert_allclose(filter_metrics.max_cosine_similarity(k, 7.0 * k), 1.0, rtol=1e-12)
    res = filter_metrics.filter_similarity(k, k, num_random=3)
    assert res["trained"]["mean"] == pytest.approx(1.0)
    assert res["random"]["n"] == 3 * 12 and res["random"]["mean"] < 0.9


def test_filter_similarity_hand_computed():
    # 1x2 "kernels": G slices (1,0), (1,1); D slices (0,1), (-1,0).
    g = np.zeros((1, 2, 1, 2))
    g[0, :, 0, 0] = [1, 0]
    g[0, :, 0, 1] = [1, 1]
    d = np.zeros((1, 2, 2, 1))
    d[0, :, 0, 0] = [0, 1]
    d[0, :, 1, 0] = [-1, 0]
    # Slice (1,0): cos with (0,1) = 0, with (-1,0) = -1 -> max 0.
    # Slice (1,1)/sqrt2: cos with (0,1) = 1/sqrt2, with (-1,0) = -1/sqrt2 -> 1/sqrt2.
    np.testing.assert_allclose(filter_metrics.max_cosine_similarity(g, d), [0.0, 1 / math.sqrt(2)])
    np.testing.assert_allclose(filter_metrics.max_cosine_similarity(g, d, absolute=True),
                               [1.0, 1 / math.sqrt(2)])


def test_filter_similarity_shape_mismatch():
    with pytest.raises(ValueError, match="spatial size"):
        filter_metrics.max_cosine_similarity(np.ones((3, 3, 1, 1)), np.ones((5, 5, 1, 1)))


def test_filter_similarity_tool(tmp_path):
    keras.utils.set_random_seed(0)
    g_in = keras.Input((4,))
    h = keras.layers.Dense(7 * 7 * 2)(g_in)
    h = keras.layers.Reshape((7, 7, 2))(h)
    h = keras.layers.Conv2D(3, 5, padding="same", name="g_mid")(h)
    g_out = keras.layers.Conv2D(1, 5, padding="same", name="g_last")(h)
    d_in = keras.Input((7, 7, 1))
    d = keras.layers.Conv2D(3, 5, padding="same", name="d_first")(d_in)
    d = keras.layers.Flatten()(d)
    d_out = keras.layers.Dense(1)(d)
    gan = kerasgan.GAN(keras.Model(g_in, g_out), keras.Model(d_in, d_out))
    from studies import filter_similarity as tool

    s = tool.analyse(gan, str(tmp_path), num_random=2, command="test", source="in memory")
    assert (s["g_layer"], s["d_layer"]) == ("g_last", "d_first")
    # The JSON carries where it came from; an uncompiled GAN has no step count.
    written = json.loads((tmp_path / "filter_similarity.json").read_text())
    assert set(provenance.FIELDS) <= set(written["provenance"])
    assert written["provenance"]["command"] == "test" and written["provenance"]["steps"] is None
    assert written["provenance"]["config"]["source"] == "in memory"
    assert written["provenance"]["backend"] == keras.backend.backend()
    assert s["trained"]["n"] == 3
    assert os.path.getsize(tmp_path / "filter_similarity.png") > 0
    # Choosing layers by name; a layer whose kernel equals D's gives similarity 1.
    gan.generator.get_layer("g_mid").kernel.assign(
        np.ones((5, 5, 2, 3), "float32") * keras.ops.convert_to_numpy(
            gan.discriminator.get_layer("d_first").kernel)[:, :, :1, :])
    s2 = tool.analyse(gan, str(tmp_path / "named"), g_layer="g_mid", d_layer="d_first")
    assert s2["trained"]["mean"] == pytest.approx(1.0)
    # By position: -2 is the second-last conv; an index out of range names the conv layers.
    assert filter_metrics.find_conv_kernel(gan.generator, which=-2)[0] == "g_mid"
    assert filter_metrics.find_conv_kernel(gan.generator, which=0)[0] == "g_mid"
    with pytest.raises(ValueError, match=r"Expected which='first', 'last' or an index.*g_last"):
        filter_metrics.find_conv_kernel(gan.generator, which=5)
    with pytest.raises(ValueError, match=r"Received: which='middle'"):
        filter_metrics.find_conv_kernel(gan.generator, which="middle")
