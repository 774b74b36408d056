"""A preset's structured config, and the flat overrides (`learning_rate=`, `hidden=`, ...) on it.

A preset config holds:

- `image_shape`, `value_range`, `batch_size` (real images per discriminator
  update), `latent_dim`, `seed`, `loss`: plain values;
- `generator`, `discriminator`: `{"name": <registered network>, **its keywords}`
  (`kerasgan.networks.generator_names()`);
- `gan`: keyword arguments of `kerasgan.GAN` (`noise`, `d_steps`, `clip_value`, ...);
- `d_optimizer`, `g_optimizer`: Keras optimizer configs
  (`{"class_name": "Adam", "config": {"learning_rate": 2e-4, ...}}`);
- `compile`: keywords of `compile()` (`jit_compile`, `steps_per_execution`, `run_eagerly`);
- optionally `init_order`: which network's initialisers draw first for a seed
  (default: the discriminator, then the generator).

Flat overrides are mapped onto it here and only here:

- a top-level key replaces its value (`generator`/`discriminator` given a
  name swap the family: the new network gets its own defaults);
- a `kerasgan.GAN` keyword goes to `gan`; `jit_compile`, `steps_per_execution` and
  `run_eagerly` go to `compile`;
- any other key sets that keyword wherever the networks or the optimizers
  hold it (`learning_rate=` sets both optimizers, `hidden=` both networks);
  `d_<key>` / `g_<key>` set one side only (`d_learning_rate`, `g_widths`);
- `sigmoid_output` and `critic_output` are the references' names of the
  discriminator's `output_activation`.

Example:
>>> kerasgan.zoo.config.apply_overrides("dcgan", kerasgan.zoo.spec("dcgan").recipe,
...                                     {"learning_rate": 1e-4, "generator": "mlp"})
"""

import copy
import difflib
import inspect

from kerasgan import validation

NETWORKS = ("generator", "discriminator")
OPTIMIZERS = ("d_optimizer", "g_optimizer")
COMPILE_KEYS = ("jit_compile", "steps_per_execution", "run_eagerly")
_COMPILE_DEFAULTS = {"jit_compile": "auto", "steps_per_execution": 1, "run_eagerly": False}
# Keywords of `kerasgan.GAN` a preset derives from its other keys.
_DERIVED_GAN_KEYS = ("self", "generator", "discriminator", "latent_dim", "output_range", "seed",
                     "shared_weights", "name", "kwargs")
# The references' flat names of the discriminator's output activation: {value: activation}.
HEAD_ALIASES = {
    "sigmoid_output": {True: "sigmoid", False: None},
    "critic_output": {"linear": None, "tanh": "tanh"},
}
_SIDES = {"d_": ("discriminator", "d_optimizer"), "g_": ("generator", "g_optimizer")}


def gan_keywords():
    """`kerasgan.GAN` constructor keywords a preset config may set, with their defaults."""
    from kerasgan.gan import GAN

    parameters = inspect.signature(GAN.__init__).parameters
    return {k: p.default for k, p in parameters.items()
            if k not in _DERIVED_GAN_KEYS and p.kind is p.POSITIONAL_OR_KEYWORD}


def _leaf_dicts(recipe):
    """`{place: dict of keywords}` for the networks' and optimizers' keywords."""
    places = {side: {k: v for k, v in recipe[side].items() if k != "name"} for side in NETWORKS}
    for opt in OPTIMIZERS:
        places[opt] = recipe[opt].get("config", {})
    return places


def _targets(recipe, key):
    """`[(place, keyword)]` a flat `key` sets among the networks and optimizers."""
    places = _leaf_dicts(recipe)
    found = [(place, key) for place, values in places.items() if key in values]
    if not found and key[:2] in _SIDES:
        found = [(place, key[2:]) for place in _SIDES[key[:2]] if key[2:] in places[place]]
    return found


def flat_view(recipe):
    """The flat keys of a preset config with their defaults (`kerasgan.zoo.spec(name).config`).

    Keywords the networks (or the two optimizers) share with equal values are
    one key (`learning_rate`); different values give `d_<key>` and `g_<key>`.
    """
    view = {k: v for k, v in recipe.items() if not isinstance(v, dict)}
    for side in NETWORKS:
        view[side] = recipe[side]["name"]
    view.update(recipe.get("gan", {}))
    view.update(recipe.get("compile", {}))
    places = _leaf_dicts(recipe)
    for group in (NETWORKS, OPTIMIZERS):
        d_place, g_place = group if group[0].startswith("d") else group[::-1]
        d_values, g_values = places[d_place], places[g_place]
        for key in sorted(set(d_values) | set(g_values)):
            if key in d_values and key in g_values and d_values[key] != g_values[key]:
                view["d_" + key], view["g_" + key] = d_values[key], g_values[key]
            else:
                view[key] = d_values[key] if key in d_values else g_values[key]
    return view


def _alias_default(recipe, key):
    head = recipe["discriminator"].get("output_activation")
    for value, activation in HEAD_ALIASES[key].items():
        if activation == head:
            return value
    return next(iter(HEAD_ALIASES[key]))


def defaults_of(name, recipe, keys):
    """`{key: default}` for flat override `keys`; raises a ValueError naming unknown ones.

    Args:
        name: The preset's name (for messages).
        recipe: A preset config.
        keys: Flat override names.
    """
    view = flat_view(recipe)
    gan_kw = gan_keywords()
    out, unknown = {}, []
    for key in keys:
        if key in view:
            out[key] = view[key]
        elif key in recipe:  # a structured key given whole (d_optimizer=..., generator={...})
            out[key] = recipe[key]
        elif key in gan_kw:
            out[key] = gan_kw[key]
        elif key in COMPILE_KEYS:
            out[key] = _COMPILE_DEFAULTS[key]
        elif key in HEAD_ALIASES:
            out[key] = _alias_default(recipe, key)
        elif _targets(recipe, key):
            place, inner = _targets(recipe, key)[0]
            out[key] = _leaf_dicts(recipe)[place][inner]
        else:
            unknown.append(key)
    if unknown:
        valid = sorted(view)
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, valid, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise ValueError(
            f"Expected overrides that preset '{name}' takes. Received: unknown override(s) "
            f"{', '.join(hints)}. Valid overrides: {', '.join(valid)}; also any kerasgan.GAN "
            "keyword, d_<key> / g_<key> for one side, and d_optimizer / g_optimizer as Keras "
            "optimizer configs."
        )
    return out


def _swap(name, recipe, side, value):
    if isinstance(value, dict):
        if "name" not in value:
            raise ValueError(
                f"Expected {side}={{'name': ..., **keywords}}. Received: {side}={value!r}"
            )
        recipe[side] = dict(value)
        return
    if value == recipe[side]["name"]:
        return
    if recipe[side].get("shared"):
        raise ValueError(
            f"Expected {side}={recipe[side]['name']!r}: preset '{name}' shares a kernel between "
            f"its own networks. Received: {side}={value!r}. "
            "Pass shared=False, or use the preset without sharing for other families."
        )
    recipe[side] = {"name": value}


# GAN keywords whose value the networks must share (a conditional GAN's class count). The networks'
# own `conditioning` differs by side (generator: "batchnorm"/"concat"; discriminator:
# "projection"/"concat"/"acgan"): set it with g_conditioning=/d_conditioning=.
SHARED_WITH_NETWORKS = ("num_classes",)


def apply_overrides(name, recipe, overrides):
    """A copy of the preset config `recipe` with the flat `overrides` applied.

    Args:
        name: The preset's name (for messages).
        recipe: The preset config.
        overrides: Flat keys (see the module docstring) or whole structured values.

    Raises:
        ValueError: An override that no part of the config takes.
    """
    recipe = copy.deepcopy(recipe)
    recipe.setdefault("gan", {})
    recipe.setdefault("compile", {})
    gan_kw = gan_keywords()
    # Family swaps first: keyword overrides then apply to the swapped-in networks.
    for side in NETWORKS:
        if side in overrides:
            _swap(name, recipe, side, overrides[side])
    for key, value in overrides.items():
        if key in NETWORKS:
            continue
        if key in recipe and (isinstance(recipe[key], dict) or not _targets(recipe, key)):
            recipe[key] = copy.deepcopy(value)
        elif key in recipe["gan"] or key in gan_kw:
            recipe["gan"][key] = value
            if key in SHARED_WITH_NETWORKS:
                for side in NETWORKS:
                    if key in recipe[side]:
                        recipe[side][key] = value
        elif key in recipe["compile"] or key in COMPILE_KEYS:
            recipe["compile"][key] = value
        elif key in HEAD_ALIASES:
            choices = HEAD_ALIASES[key]
            if value not in choices or isinstance(value, bool) != isinstance(next(iter(choices)), bool):
                raise validation.argument_error(
                    key, value, "one of " + ", ".join(map(repr, choices)))
            recipe["discriminator"]["output_activation"] = choices[value]
        else:
            targets = _targets(recipe, key)
            if not targets:
                raise ValueError(
                    f"Expected a network or optimizer that takes {key!r} in preset '{name}'. "
                    f"Received: {key}={value!r} with generator={recipe['generator']['name']!r}, "
                    f"discriminator={recipe['discriminator']['name']!r}. Leave {key} out after "
                    "swapping a family, or pass the network whole: generator={'name': ..., ...}."
                )
            leaves = _leaf_dicts(recipe)
            for place, inner in targets:
                if place in NETWORKS:
                    recipe[place][inner] = value
                else:
                    leaves[place][inner] = value
    return recipe
