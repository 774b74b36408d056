"""DiffAugment: differentiable augmentation of real and fake images (Zhao et al., 2020).

The same random transform family is applied to the discriminator's real and
fake inputs in both training phases; every transform is differentiable with
respect to the images, so the generator's gradient flows through it. The
randomness is explicit: `draw_diff_augment_params` draws the per-image
parameters with `keras.random`, `apply_diff_augment` is a pure function of
the images and those parameters, so fixed parameters give the same result on
every backend.

Example:
>>> seed = keras.random.SeedGenerator(0)
>>> y = kerasgan.augment.diff_augment(images, "color,translation,cutout", seed=seed)

Reference: Zhao, Liu, Lin, Zhu, Han, Differentiable Augmentation for
Data-Efficient GAN Training, NeurIPS 2020 (github mit-han-lab/data-efficient-gans).
"""

import keras
from keras import ops

# Policy name -> the parameters it draws, applied in this order.
POLICIES = {
    "color": ("brightness", "saturation", "contrast"),
    "translation": ("translation",),
    "cutout": ("cutout",),
}
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def parse_policy(policy):
    """The policy's transform names in order, e.g. "color,cutout" -> ("color", "cutout").

    None or "" is the empty policy (no augmentation).
    """
    if policy is None:
        return ()
    if not isinstance(policy, str):
        raise ValueError(
            f"Expected a policy string such as 'color,translation,cutout'. Received: {policy!r}"
        )
    names = tuple(p.strip() for p in policy.split(",") if p.strip())
    for name in names:
        if name not in POLICIES:
            raise ValueError(
                f"Expected DiffAugment policies from {sorted(POLICIES)}. Received: {name!r} in "
                f"policy {policy!r}"
            )
    return names


def _sizes(image_shape, translation_ratio, cutout_ratio):
    h, w = int(image_shape[0]), int(image_shape[1])
    shift = (int(h * translation_ratio + 0.5), int(w * translation_ratio + 0.5))
    cut = (int(h * cutout_ratio + 0.5), int(w * cutout_ratio + 0.5))
    return h, w, shift, cut


def draw_diff_augment_params(batch_size, image_shape, policy, seed=None,
                             translation_ratio=TRANSLATION_RATIO, cutout_ratio=CUTOUT_RATIO):
    """Draws the per-image random parameters of `policy` with `keras.random`.

    Args:
        batch_size: Images in the batch (an int or a scalar tensor).
        image_shape: `(H, W, C)` of one image.
        policy: E.g. "color,translation,cutout".
        seed: A `keras.random.SeedGenerator` (needed inside a compiled JAX
            step for fresh draws each step), an int, or None.
        translation_ratio: Largest shift as a fraction of the side (0.125).
        cutout_ratio: Side of the cut-out square as a fraction of the side (0.5).

    Returns:
        A dict: "brightness" (B,) in [-0.5, 0.5), "saturation" (B,) in
        [0, 2), "contrast" (B,) in [0.5, 1.5), "translation" (B, 2) int32
        row/column shifts in [-shift, shift], "cutout" (B, 2) int32 centres;
        only the keys the policy uses.
    """
    names = parse_policy(policy)
    h, w, shift, cut = _sizes(image_shape, translation_ratio, cutout_ratio)
    params = {}
    for name in names:
        if name == "color":
            params["brightness"] = keras.random.uniform((batch_size,), -0.5, 0.5, seed=seed)
            params["saturation"] = keras.random.uniform((batch_size,), 0.0, 2.0, seed=seed)
            params["contrast"] = keras.random.uniform((batch_size,), 0.5, 1.5, seed=seed)
        elif name == "translation":
            params["translation"] = ops.stack([
                keras.random.randint((batch_size,), -shift[0], shift[0] + 1, "int32", seed=seed),
                keras.random.randint((batch_size,), -shift[1], shift[1] + 1, "int32", seed=seed),
            ], axis=1)
        elif name == "cutout":
            # As the reference: centres in [0, H + (1 - cut % 2)), the square clipped to the image.
            params["cutout"] = ops.stack([
                keras.random.randint((batch_size,), 0, h + (1 - cut[0] % 2), "int32", seed=seed),
                keras.random.randint((batch_size,), 0, w + (1 - cut[1] % 2), "int32", seed=seed),
            ], axis=1)
    return params


def check_fill(fill):
    """`fill` (the value translation and cutout fill with) as a float; raises unless finite."""
    from kerasgan import validation

    if not validation.is_finite_number(fill):
        raise validation.argument_error("augment_fill", fill, "a finite number",
                                        "Pass the data's minimum, e.g. -1.0, or 0.0.")
    return float(fill)


def _per_image(v, dtype):
    return ops.reshape(ops.cast(v, dtype), (-1, 1, 1, 1))


def _shift_matrix(shift, size, dtype):
    """(B, size, size) one-hot rows: row i picks source index i - shift (zero outside)."""
    i = ops.arange(size, dtype="int32")
    src = ops.reshape(i, (1, size, 1)) - ops.reshape(ops.cast(shift, "int32"), (-1, 1, 1))
    return ops.cast(ops.equal(src, ops.reshape(i, (1, 1, size))), dtype)


def _translate(x, shifts, fill=0.0):
    """Shifts each image by (rows, cols) = shifts[b]; the pixels shifted in take `fill`."""
    h, w = x.shape[1], x.shape[2]
    rows = _shift_matrix(-shifts[:, 0], h, x.dtype)  # out[i] = x[i + shift]
    cols = _shift_matrix(-shifts[:, 1], w, x.dtype)
    # One-hot matrix products move pixels exactly (a single non-zero term per output).
    x = ops.einsum("bjl,bilc->bijc", cols, ops.einsum("bik,bkjc->bijc", rows, x))
    if not fill:
        return x
    # 1 where a pixel came from inside the image: the row and column shifts of a ones image.
    inside = ops.sum(rows, axis=2)[:, :, None] * ops.sum(cols, axis=2)[:, None, :]
    return x + ops.cast(fill, x.dtype) * (1.0 - inside[..., None])


def _cutout_mask(centres, h, w, cut, dtype):
    """(B, H, W, 1) mask, 0 inside each image's cut-out square, 1 elsewhere."""
    top = ops.cast(centres[:, 0], "int32") - cut[0] // 2
    left = ops.cast(centres[:, 1], "int32") - cut[1] // 2
    i = ops.reshape(ops.arange(h, dtype="int32"), (1, h))
    j = ops.reshape(ops.arange(w, dtype="int32"), (1, w))
    in_rows = ops.logical_and(i >= top[:, None], i < top[:, None] + cut[0])  # (B, H)
    in_cols = ops.logical_and(j >= left[:, None], j < left[:, None] + cut[1])  # (B, W)
    inside = ops.logical_and(in_rows[:, :, None], in_cols[:, None, :])
    return ops.cast(ops.logical_not(inside), dtype)[..., None]


def apply_diff_augment(x, policy, params, translation_ratio=TRANSLATION_RATIO,
                       cutout_ratio=CUTOUT_RATIO, fill=0.0):
    """Applies `policy` to NHWC images `x` with the given per-image parameters.

    A pure, differentiable function of `x` (keras.ops only): with the same
    `params` it gives the same images on every backend.

    Args:
        x: Images `(B, H, W, C)`.
        policy: E.g. "color,translation,cutout", applied in that order.
        params: The dict `draw_diff_augment_params` returns (arrays or tensors).
        translation_ratio, cutout_ratio: As in `draw_diff_augment_params`.
        fill: The value translation shifts in and cutout leaves. DiffAugment's 0 is mid-grey
            for images in [-1, 1]; the data's minimum (-1) fills with their black background.

    Returns:
        The augmented images, same shape and dtype as `x`.
    """
    names = parse_policy(policy)
    if not names:
        return x
    x = ops.convert_to_tensor(x)  # NumPy images too, on every backend
    if len(x.shape) != 4:
        raise ValueError(f"Expected NHWC images (rank 4). Received: shape={tuple(x.shape)}")
    _, _, _, cut = _sizes(x.shape[1:], translation_ratio, cutout_ratio)
    missing = [k for n in names for k in POLICIES[n] if k not in params]
    if missing:
        raise ValueError(
            f"Expected DiffAugment parameters {missing} for policy {policy!r}. Received keys: "
            f"{sorted(params)}. Draw them with draw_diff_augment_params(..., policy)."
        )
    dtype = x.dtype
    for name in names:
        if name == "color":
            x = x + _per_image(params["brightness"], dtype)
            mean = ops.mean(x, axis=-1, keepdims=True)
            x = (x - mean) * _per_image(params["saturation"], dtype) + mean
            mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
            x = (x - mean) * _per_image(params["contrast"], dtype) + mean
        elif name == "translation":
            x = _translate(x, params["translation"], fill)
        elif name == "cutout":
            keep = _cutout_mask(params["cutout"], x.shape[1], x.shape[2], cut, dtype)
            x = x * keep + (ops.cast(fill, dtype) * (1.0 - keep) if fill else 0.0)
    return x


def diff_augment(x, policy, seed=None, translation_ratio=TRANSLATION_RATIO,
                 cutout_ratio=CUTOUT_RATIO, fill=0.0):
    """DiffAugment of NHWC images `x`: fresh random parameters, then `apply_diff_augment`.

    Args:
        x: Images `(B, H, W, C)`.
        policy: E.g. "color,translation,cutout"; None or "" returns `x`.
        seed: A `keras.random.SeedGenerator`, an int or None (see
            `draw_diff_augment_params`).
        translation_ratio, cutout_ratio: As in `draw_diff_augment_params`.
        fill: As in `apply_diff_augment`.

    Example:
    >>> y = kerasgan.augment.diff_augment(x, "translation,cutout", seed=0)
    """
    if not parse_policy(policy):
        return x
    params = draw_diff_augment_params(
        ops.shape(x)[0], x.shape[1:], policy, seed, translation_ratio, cutout_ratio
    )
    return apply_diff_augment(x, policy, params, translation_ratio, cutout_ratio, fill)


def draw_into(randomness, prefix, batch_size, image_shape, policy, seed=None):
    """Adds `draw_diff_augment_params`' arrays to the dict `randomness` as `<prefix>/<name>`.

    Flat keys keep every value a `(batch, ...)` tensor, as `kerasgan.GAN.draw_randomness`
    requires (its values are sliced by rows).
    """
    for name, value in draw_diff_augment_params(batch_size, image_shape, policy, seed).items():
        randomness[f"{prefix}/{name}"] = value
    return randomness


def apply_from(randomness, prefix, x, policy, fill=0.0):
    """`apply_diff_augment(x, policy, params, fill=fill)` with the parameters `draw_into` stored."""
    if not parse_policy(policy):
        return x
    start = prefix + "/"
    params = {k[len(start):]: v for k, v in randomness.items() if k.startswith(start)}
    return apply_diff_augment(x, policy, params, fill=fill)
