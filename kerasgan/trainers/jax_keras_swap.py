"""One of Keras' JAX backend functions swapped for kerasgan's version while a block runs.

Used by kerasgan's JAX training step (`jax_conv_transpose`, `jax_conv_split`): the step is traced
inside the block, so its compiled code keeps kerasgan's versions, and Keras is untouched
everywhere else.
"""

import contextlib
import functools

from keras.src.backend.jax import nn as _keras_jax_nn

# A replacement carries the function it wraps under this name, so that nested scopes neither
# wrap it twice nor lose the way back to Keras' function.
WRAPS = "_kerasgan_wraps"


def wrapping(replacement, original):
    """Marks `replacement` as kerasgan's version of `original`; returns it."""
    replacement.__doc__ = original.__doc__
    setattr(replacement, WRAPS, original)
    return replacement


@contextlib.contextmanager
def swapped(name, build, enable):
    """`keras.src.backend.jax.nn.<name>` is `build(Keras' function)` inside the block.

    Args:
        name: The function's name in `keras.src.backend.jax.nn` (`conv`, `conv_transpose`).
        build: Keras' function -> kerasgan's version (cached by the caller).
        enable: False: Keras' own function inside the block (undoes an outer swap).
    """
    current = getattr(_keras_jax_nn, name)
    unwrapped = getattr(current, WRAPS, None) or current
    wanted = build(unwrapped) if enable else unwrapped
    if wanted is current:
        yield
        return
    setattr(_keras_jax_nn, name, wanted)
    try:
        yield
    finally:
        setattr(_keras_jax_nn, name, current)


def within(scope):
    """Decorator: runs the function inside `scope()` (a context manager factory)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with scope():
                return fn(*args, **kwargs)

        return wrapped

    return decorate
