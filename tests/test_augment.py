"""DiffAugment: a NumPy reference of Zhao et al.'s transforms, gradients, randomness, errors."""

import keras
import numpy as np
import pytest
from keras import ops

from kerasgan import augment

POLICY = "color,translation,cutout"


def reference(x, policy, params, translation_ratio=0.125, cutout_ratio=0.5, fill=0.0):
    """Loop-by-loop NumPy version of the reference PyTorch code (NCHW there, NHWC here).

    `fill`: the padding value of the translation and the cut-out value (the reference's 0).
    """
    x = np.array(x, np.float64)
    b, h, w, _ = x.shape
    for name in policy.split(","):
        if name == "color":
            x = x + params["brightness"][:, None, None, None]
            m = x.mean(axis=3, keepdims=True)
            x = (x - m) * params["saturation"][:, None, None, None] + m
            m = x.mean(axis=(1, 2, 3), keepdims=True)
            x = (x - m) * params["contrast"][:, None, None, None] + m
        elif name == "translation":
            padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), constant_values=fill)
            out = np.empty_like(x)
            for n in range(b):
                tx, ty = params["translation"][n]
                for i in range(h):
                    for j in range(w):
                        out[n, i, j] = padded[n, np.clip(i + tx + 1, 0, h + 1),
                                              np.clip(j + ty + 1, 0, w + 1)]
            x = out
        elif name == "cutout":
            ch, cw = int(h * cutout_ratio + 0.5), int(w * cutout_ratio + 0.5)
            mask = np.ones((b, h, w, 1))
            for n in range(b):
                ox, oy = params["cutout"][n]
                for i in range(ch):
                    for j in range(cw):
                        mask[n, np.clip(i + ox - ch // 2, 0, h - 1),
                             np.clip(j + oy - cw // 2, 0, w - 1)] = 0
            x = x * mask + fill * (1 - mask)
    return x


def numpy_params(rng, b, h, w):
    shift = int(h * 0.125 + 0.5)
    cut = int(h * 0.5 + 0.5)
    return {
        "brightness": rng.uniform(-0.5, 0.5, b).astype(np.float32),
        "saturation": rng.uniform(0, 2, b).astype(np.float32),
        "contrast": rng.uniform(0.5, 1.5, b).astype(np.float32),
        # Extremes included: the largest shifts and cut-outs at the borders.
        "translation": np.stack([rng.integers(-shift, shift + 1, b),
                                 rng.integers(-shift, shift + 1, b)], 1).astype(np.int32),
        "cutout": np.stack([rng.integers(0, h + 1 - cut % 2, b),
                            rng.integers(0, w + 1 - cut % 2, b)], 1).astype(np.int32),
    }


@pytest.mark.parametrize("fill", [0.0, -1.0])
@pytest.mark.parametrize("policy", [POLICY, "translation", "cutout", "color", "cutout,color"])
@pytest.mark.parametrize("shape", [(6, 8, 8, 3), (5, 7, 7, 1)])
def test_matches_numpy_reference(policy, shape, fill):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    params = numpy_params(rng, shape[0], shape[1], shape[2])
    params["translation"][0] = [-1, 1]  # at 8 px the shift is at most 1
    params["cutout"][1] = [0, shape[2]]
    got = ops.convert_to_numpy(
        augment.apply_diff_augment(ops.convert_to_tensor(x), policy, params, fill=fill))
    want = reference(x, policy, params, fill=fill)
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)
    assert not np.allclose(got, x)  # the transform did something


def test_translation_moves_pixels_and_cutout_zeroes_a_square():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1) + 1
    out = augment.apply_diff_augment(x, "translation", {"translation": np.array([[1, 0]])})
    out = ops.convert_to_numpy(out)[0, :, :, 0]
    np.testing.assert_array_equal(out[:3], x[0, 1:, :, 0])  # out[i] = x[i + 1]
    np.testing.assert_array_equal(out[3], 0)
    out = augment.apply_diff_augment(x, "cutout", {"cutout": np.array([[1, 1]])})
    out = ops.convert_to_numpy(out)[0, :, :, 0]
    assert (out[:2, :2] == 0).all() and (out[2:, :] > 0).all() and (out[:, 2:] > 0).all()
    # Filled with the data's minimum instead: a black border and a black square.
    out = augment.apply_diff_augment(x - 1, "translation", {"translation": np.array([[1, 0]])},
                                     fill=-1.0)
    np.testing.assert_array_equal(ops.convert_to_numpy(out)[0, 3, :, 0], -1.0)
    out = augment.apply_diff_augment(x, "cutout", {"cutout": np.array([[1, 1]])}, fill=-1.0)
    assert (ops.convert_to_numpy(out)[0, :2, :2, 0] == -1.0).all()


def _grad(fn, x):
    if keras.backend.backend() == "jax":
        import jax

        return np.asarray(jax.grad(fn)(x))
    if keras.backend.backend() == "torch":
        import torch

        v = torch.tensor(x, requires_grad=True)
        fn(v).backward()
        return v.grad.numpy()
    import tensorflow as tf

    v = tf.Variable(x)
    with tf.GradientTape() as tape:
        value = fn(v)
    return tape.gradient(value, v).numpy()


def test_gradient_flows_through_every_transform():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (4, 8, 8, 3)).astype(np.float32)
    params = numpy_params(rng, 4, 8, 8)
    weights = rng.normal(size=x.shape).astype(np.float32)

    def loss_of(policy):
        return lambda images: ops.sum(ops.multiply(augment.apply_diff_augment(images, policy, params),
                                                   weights))

    grad = _grad(loss_of(POLICY), x)
    assert grad.shape == x.shape and np.isfinite(grad).all()
    # The gradient is the reference's: central differences of the float64 NumPy version.
    for index in [(0, 0, 0, 0), (1, 3, 4, 2), (3, 7, 7, 1), (2, 5, 1, 0)]:
        step = np.zeros_like(x, np.float64)
        step[index] = 1e-4
        f = lambda v: float((reference(v, POLICY, params) * weights).sum())
        numeric = (f(x + step) - f(x - step)) / 2e-4
        np.testing.assert_allclose(grad[index], numeric, rtol=1e-3, atol=1e-4)
    assert np.abs(grad).sum() > 0
    # Without the colour terms, pixels moved out of the frame or cut out get no gradient.
    grad = _grad(loss_of("translation,cutout"), x)
    assert (grad == 0).any() and (grad != 0).mean() > 0.3


def test_random_draws_are_seeded_and_in_range():
    a = augment.draw_diff_augment_params(64, (32, 32, 3), POLICY, seed=3)
    b = augment.draw_diff_augment_params(64, (32, 32, 3), POLICY, seed=3)
    a = {k: ops.convert_to_numpy(v) for k, v in a.items()}
    for k, v in b.items():
        np.testing.assert_array_equal(a[k], ops.convert_to_numpy(v))
    assert -0.5 <= a["brightness"].min() and a["brightness"].max() < 0.5
    assert 0.0 <= a["saturation"].min() and a["saturation"].max() < 2.0
    assert 0.5 <= a["contrast"].min() and a["contrast"].max() < 1.5
    assert a["translation"].dtype == np.int32 and np.abs(a["translation"]).max() == 4
    assert a["cutout"].min() >= 0 and a["cutout"].max() <= 32  # 32 + (1 - 16 % 2) exclusive
    gen = keras.random.SeedGenerator(0)
    x = ops.ones((8, 16, 16, 3))
    y1 = ops.convert_to_numpy(augment.diff_augment(x, POLICY, seed=gen))
    y2 = ops.convert_to_numpy(augment.diff_augment(x, POLICY, seed=gen))
    assert y1.shape == (8, 16, 16, 3) and not np.allclose(y1, y2)  # the generator advances
    assert augment.diff_augment(x, None) is x and augment.diff_augment(x, "") is x


def test_policy_errors():
    with pytest.raises(ValueError, match=r"policies from \['color', 'cutout', 'translation'\]. "
                                         r"Received: 'flip'"):
        augment.parse_policy("color,flip")
    with pytest.raises(ValueError, match="Expected DiffAugment parameters"):
        augment.apply_diff_augment(np.zeros((1, 4, 4, 1), np.float32), "cutout", {})
    assert augment.parse_policy(" color , cutout ") == ("color", "cutout")
