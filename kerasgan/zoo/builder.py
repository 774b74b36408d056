"""The one preset builder: a preset config (see `kerasgan.zoo.config`) -> a compiled `kerasgan.GAN`."""

import copy

import keras

from kerasgan import networks, validation
from kerasgan.gan import GAN
from kerasgan.utils import cpu_has_avx512

# Output activation of a generator for each value range it can draw.
_ACTIVATIONS = {(-1.0, 1.0): "tanh", (0.0, 1.0): "sigmoid"}
_INIT_ORDER = ("discriminator", "generator")


def output_activation(name, value_range, default_range=None):
    """The generator's output activation for `value_range`; raises for a range none draws.

    Args:
        name: The preset's name (for the message).
        value_range: `(low, high)` of the data.
        default_range: The preset's own range, named first in the message.
    """
    key = tuple(float(v) for v in value_range)
    if key in _ACTIVATIONS:
        return _ACTIVATIONS[key]
    ranges = sorted(_ACTIVATIONS, key=lambda r: r != tuple(float(v) for v in default_range or ()))
    choices = " or ".join(f"{r} ({_ACTIVATIONS[r]} output)" for r in ranges)
    raise ValueError(
        f"Expected a value_range the generator can draw. Preset '{name}' draws images in "
        f"{choices}. Received: value_range={tuple(value_range)}. "
        "Load the data in one of them, e.g. kerasgan.data.load(..., value_range=(-1, 1))."
    )


def _has_conv(model):
    return any(len(getattr(w, "shape", ())) == 4 for w in model.weights)


def resolve_jit_compile(jit_compile, networks=()):
    """What `"auto"` means under TensorFlow without a `tf.distribute` strategy, per CPU.

    XLA (True), except for convolutional networks on a CPU with AVX-512 and no GPU:
    there TensorFlow's own (oneDNN) kernels measured 1.4-1.8x faster per step than
    XLA, while on AVX2 XLA was about 1.1x faster, and for dense networks XLA was
    faster on every CPU (BUILD_NOTES.md, "Speed on Zen 4"). Keras' own "auto"
    would never use XLA on CPU. Under a strategy, and under JAX (which always
    compiles), Keras decides.
    """
    if jit_compile != "auto" or keras.backend.backend() != "tensorflow":
        return jit_compile
    import tensorflow as tf

    if tf.distribute.has_strategy():
        return "auto"
    if (any(_has_conv(n) for n in networks) and cpu_has_avx512()
            and not tf.config.list_physical_devices("GPU")):
        return False
    return True


def seed_everything(seed):
    """Seeds Python, NumPy and the backend so that weight init is repeatable."""
    if seed is not None:
        keras.utils.set_random_seed(int(seed))


def _networks(name, recipe, default_range):
    image_shape = tuple(int(d) for d in recipe["image_shape"])
    latent_dim = int(recipe["latent_dim"])
    g_kwargs = {k: v for k, v in recipe["generator"].items() if k != "name"}
    d_kwargs = {k: v for k, v in recipe["discriminator"].items() if k != "name"}
    g_name, d_name = recipe["generator"]["name"], recipe["discriminator"]["name"]
    g_entry = networks.generator_entry(g_name)
    networks.discriminator_entry(d_name)  # an unknown name fails before anything is built
    shared_weights = ()
    if g_kwargs.get("shared"):
        if g_entry.shared_layers is None or d_name != g_name:
            raise ValueError(
                f"Expected generator and discriminator of one family that can share a kernel: "
                f"preset '{name}' shares one between its own networks. Received: "
                f"generator={g_name!r}, discriminator={d_name!r}. Pass shared=False for other families."
            )
        shared_weights = (g_entry.shared_layers,)
    activation = g_kwargs.pop("output_activation", None)
    if activation is None and g_entry.accepts("output_activation"):
        activation = output_activation(name, recipe["value_range"], default_range)
    spec = None
    if g_entry.accepts("spec"):
        spec = networks.discriminator_spec(d_name, image_shape, **d_kwargs)
        if spec is None:
            raise ValueError(
                f"Expected a discriminator with a layer spec for generator={g_name!r}. Received: "
                f"discriminator={d_name!r}, which has none. Use discriminator='mlp' or 'dcgan'."
            )
    build = {
        "discriminator": lambda: networks.build_discriminator(d_name, image_shape, **d_kwargs),
        "generator": lambda: networks.build_generator(
            g_name, latent_dim, image_shape, activation, mirror_spec=spec, **g_kwargs),
    }
    order = tuple(recipe.get("init_order", _INIT_ORDER))
    if sorted(order) != sorted(_INIT_ORDER):
        raise validation.argument_error("init_order", order, f"{_INIT_ORDER} or its reverse")
    # The order fixes which random draws each network's initialisers take for a given seed.
    built = {side: build[side]() for side in order}
    return built["generator"], built["discriminator"], shared_weights


def build(name, recipe, default_range=None):
    """Builds and compiles the GAN a preset config describes.

    Args:
        name: The GAN's name (the preset's).
        recipe: A preset config, overrides applied (`kerasgan.zoo.config.apply_overrides`).
        default_range: The preset's own `value_range` (for messages).

    Example:
    >>> gan = kerasgan.zoo.builder.build("dcgan", kerasgan.zoo.spec("dcgan").recipe)
    """
    seed_everything(recipe.get("seed"))
    g, d, shared_weights = _networks(name, recipe, default_range)
    gan_kwargs = dict(recipe.get("gan", {}))
    if shared_weights:
        gan_kwargs["shared_weights"] = shared_weights
    gan = GAN(
        g,
        d,
        latent_dim=int(recipe["latent_dim"]),
        output_range=tuple(float(v) for v in recipe["value_range"]),
        seed=recipe.get("seed"),
        name=name,
        **gan_kwargs,
    )
    compile_kwargs = dict(recipe.get("compile", {}))
    if compile_kwargs.get("run_eagerly"):
        compile_kwargs["jit_compile"] = False  # an eager step is never compiled
    else:
        compile_kwargs["jit_compile"] = resolve_jit_compile(
            compile_kwargs.get("jit_compile", "auto"), (g, d))
    gan.compile(
        d_optimizer=keras.optimizers.get(copy.deepcopy(recipe["d_optimizer"])),
        g_optimizer=keras.optimizers.get(copy.deepcopy(recipe["g_optimizer"])),
        loss=recipe.get("loss", "non_saturating"),
        **compile_kwargs,
    )
    return gan
