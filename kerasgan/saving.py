"""Saving and loading `kerasgan.GAN`: compile configs, custom losses, older configs, `load_gan`.

A GAN saves as any Keras model (`gan.save("run.keras")`, `keras.saving.load_model`): its config
(`GAN.get_config`), its compile config (both optimizers, the loss family, custom losses) and its
variables, plus the state of its noise stream so that a resumed run continues it.
"""

import os

import keras

from kerasgan import step as step_lib

# The name `kerasgan.GAN` is registered under, in every saved file.
GAN_REGISTERED_NAME = "kerasgan>GAN"
# `keras.Model.compile` arguments a GAN's compile config keeps.
SAVED_COMPILE_ARGS = ("steps_per_execution", "jit_compile", "run_eagerly")
# Where a GAN's seed generator state sits among its own saved variables.
SEED_STATE_KEY = "seed_generator_state"
# Keys of configs written before the fake batch became the `discriminator_fake` hook: the source
# of the discriminator's fake batch, and what the GAN's constructor took for it.
_LEGACY_FAKE_SOURCE = "fake_source"
_LEGACY_FAKE_SOURCE_KEYS = ("anneal_steps",)


class CheckpointConfigError(ValueError):
    """A saved GAN's configuration cannot be restored (not a damaged file)."""


def serialize_loss(name, fn):
    """The Keras config of a custom loss `fn` passed as `name` to `GAN.compile` (None for None)."""
    if fn is None:
        return None
    if not callable(fn):
        raise ValueError(
            f"Expected {name} to be a callable or None. Received: {name}={fn!r}. Pass a function, "
            "or a loss family name as loss=..."
        )
    return keras.saving.serialize_keras_object(fn)


def deserialize_loss(name, config):
    """The custom loss saved as `name`; raises `CheckpointConfigError` for one Keras cannot find."""
    try:
        return keras.saving.deserialize_keras_object(config)
    except Exception as e:
        label = config.get("registered_name") or config.get("config") if isinstance(config, dict) else config
        raise CheckpointConfigError(
            f"Expected the custom {name} of this saved GAN to be a registered Keras object. "
            f"Received: {label!r}, which cannot be restored ({type(e).__name__}: {e}). Decorate "
            f"the function with @keras.saving.register_keras_serializable() (imported before "
            f"loading), or pass custom_objects={{...}} to keras.saving.load_model."
        ) from e


def compile_config(d_optimizer, g_optimizer, loss, d_loss, g_loss, compile_kwargs):
    """What `GAN.get_compile_config` returns for these `GAN.compile` arguments."""
    custom_losses = {"d_loss": serialize_loss("d_loss", d_loss),
                     "g_loss": serialize_loss("g_loss", g_loss)}
    return {
        "d_optimizer": portable_optimizer_config(keras.saving.serialize_keras_object(d_optimizer)),
        "g_optimizer": portable_optimizer_config(keras.saving.serialize_keras_object(g_optimizer)),
        "loss": loss,
        **{k: v for k, v in custom_losses.items() if v is not None},
        **{k: compile_kwargs[k] for k in SAVED_COMPILE_ARGS if k in compile_kwargs},
    }


def compile_arguments(config):
    """The `GAN.compile` keyword arguments a saved compile config describes."""
    config = dict(config)
    for key in ("d_loss", "g_loss"):
        if config.get(key) is not None:
            config[key] = deserialize_loss(key, config[key])
    for key in ("d_optimizer", "g_optimizer"):
        config[key] = keras.saving.deserialize_keras_object(portable_optimizer_config(config[key]))
    return config


def portable_optimizer_config(config):
    """A serialized optimizer that loads under every backend.

    Under the torch backend Keras' built-in optimizers are backend classes
    (`keras.src.backend.torch.optimizers...`); their configs are written as the
    public `keras.optimizers` class of that name, as under TensorFlow and JAX.
    Nested optimizers (`LossScaleOptimizer`'s inner one) too.
    """
    if isinstance(config, list):
        return [portable_optimizer_config(c) for c in config]
    if not isinstance(config, dict):
        return config
    config = {k: portable_optimizer_config(v) for k, v in config.items()}
    module, name = config.get("module"), config.get("class_name")
    if (isinstance(module, str) and module.startswith("keras.src.backend.")
            and isinstance(getattr(keras.optimizers, str(name), None), type)):
        config.update(module="keras.optimizers", registered_name=None)
    return config


def upgrade_config(config, cls):
    """A copy of a saved config of the GAN class `cls` (or a subclass) in today's form.

    Files written before the `discriminator_fake` hook carry `fake_source` and its arguments
    (`anneal_steps`). `fake_source="generator"` was the plain GAN: those keys are dropped. Any
    other source loads only into a subclass that overrides `discriminator_fake` (the subclass
    makes that fake batch itself); its constructor receives the source's arguments.
    """
    config = dict(config)
    if _LEGACY_FAKE_SOURCE not in config:
        return config
    source = config.pop(_LEGACY_FAKE_SOURCE)
    if source == "generator":
        for key in _LEGACY_FAKE_SOURCE_KEYS:
            config.pop(key, None)
    elif cls.discriminator_fake is step_lib.AdversarialStep.discriminator_fake:
        raise CheckpointConfigError(
            "Expected a GAN config with fake_source='generator': kerasgan.GAN trains its "
            f"discriminator on the generator's samples. Received: fake_source={source!r}. Load "
            "the file into the GAN subclass that makes this fake batch (it overrides "
            "discriminator_fake and takes the source's arguments, e.g. anneal_steps): `with "
            f"keras.saving.CustomObjectScope({{'{GAN_REGISTERED_NAME}': TheSubclass}}): "
            "keras.saving.load_model(path)`."
        )
    return config


def save_seed_state(gan, store):
    """Adds the state of `gan.seed_generator` to `gan`'s own saved variables.

    Keras' saving skips `SeedGenerator` states; a resumed run must continue the noise stream.
    """
    store[SEED_STATE_KEY] = gan.seed_generator.state


def load_seed_state(gan, store):
    """Restores `gan.seed_generator`'s state if `store` has it; returns the rest of `store`."""
    keys = list(store.keys())
    if SEED_STATE_KEY not in keys:
        return store
    gan.seed_generator.state.assign(store[SEED_STATE_KEY])
    return {k: store[k] for k in keys if k != SEED_STATE_KEY}


def _causes(error):
    """`error` and the exceptions it was raised from, outermost first."""
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def _refusal(path, error):
    """A `CheckpointConfigError` for a file Keras refused to deserialize, or None for another error.

    Keras refuses, in safe mode, a file that would run Python code on load (a lambda), and any
    object it cannot find among the registered ones (a callable from an unknown module).
    """
    for cause in reversed(_causes(error)):
        text = str(cause)
        if "safe_mode" in text:
            return CheckpointConfigError(
                f"Expected a .keras checkpoint that loads in Keras' safe mode. Received: {path}, "
                f"which Keras refused because loading it would run Python code ({text.strip()}). "
                "kerasgan.load_gan keeps safe_mode=True; if you wrote this file yourself and "
                "trust it, load it with keras.saving.load_model(path, safe_mode=False).")
        if "Could not locate" in text:
            return CheckpointConfigError(
                f"Expected a .keras checkpoint whose objects Keras knows. Received: {path}, which "
                f"names an object that is not registered ({text.strip()}). Import the module that "
                "registers it (@keras.saving.register_keras_serializable) before loading, or "
                "pass custom_objects to keras.saving.load_model; do not load a file from an "
                "unknown source that names code to run.")
    return None


def load_gan(path):
    """Loads a `.keras` GAN checkpoint; a missing or corrupt file raises an error naming it.

    Example:
    >>> gan = kerasgan.load_gan("runs/dcgan/checkpoint.keras")
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"Expected a checkpoint file. Received: {path}, which does not exist.")
    if not path.endswith(".keras") or not os.path.isfile(path):
        raise ValueError(
            f"Expected a .keras checkpoint file (written by python -m kerasgan.train or "
            f"kerasgan.callbacks.AtomicCheckpoint). Received: {path}"
        )
    try:
        gan = keras.saving.load_model(path)
    except CheckpointConfigError:
        raise
    except Exception as e:  # keras raises many types for a damaged zip/h5
        refusal = _refusal(path, e)
        if refusal is not None:
            raise refusal from e
        raise ValueError(
            f"Expected a loadable .keras checkpoint. Received: {path}, which is corrupt or "
            f"truncated ({type(e).__name__}: {e}). Delete it to start over, or restore it from a "
            "backup."
        ) from e
    if not isinstance(gan, keras.saving.get_registered_object(GAN_REGISTERED_NAME)):
        raise ValueError(
            f"Expected a kerasgan.GAN checkpoint. Received: {path}, which holds a "
            f"{type(gan).__name__}. Pass a checkpoint written by python -m kerasgan.train "
            "(output_dir/checkpoint.keras)."
        )
    return gan
