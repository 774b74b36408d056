"""The exponential moving average (EMA) of a GAN's generator weights: build, update and swap.

`GeneratorEMA` is a part of `kerasgan.GAN`; `GAN(ema_decay=..., ema_start=...)` turns it on.
"""

import contextlib
import dataclasses

import numpy as np
from keras import ops

from kerasgan import validation


@dataclasses.dataclass(frozen=True)
class _EMAPairs:
    """(generator variable, its average) pairs of a GAN with `ema_decay`."""

    pairs: tuple


def check_options(ema_decay, ema_start):
    """`(ema_decay as float or None, ema_start as int)`; raises for values the EMA cannot use."""
    if ema_decay is not None and not (validation.is_number(ema_decay) and 0 < ema_decay < 1):
        raise validation.argument_error(
            "ema_decay", ema_decay, "a number in (0, 1) or None",
            "Typical values: 0.99 to 0.9999.")
    if isinstance(ema_start, bool) or not isinstance(ema_start, int) or ema_start < 0:
        raise validation.argument_error(
            "ema_start", ema_start, "an integer >= 0",
            "It counts generator updates before averaging starts; 0 starts at once.")
    if ema_start and ema_decay is None:
        raise validation.argument_error(
            "ema_start", ema_start, "0 unless ema_decay is set",
            "Pass ema_decay=0.999 (for example) with ema_start, or drop ema_start.")
    return (None if ema_decay is None else float(ema_decay)), int(ema_start)


class GeneratorEMA:
    """The generator's averaged weights, for a model with `generator`, `ema_decay`, `ema_start`.

    The averages are variables of the model (`ema_step`, then one `ema_{i}_{name}` per float
    generator variable, created by `_build_ema()`), so they are saved with it.
    """

    def _build_ema(self):
        """Creates the averages, each starting as a copy of its generator variable."""
        sources, seen = [], set()
        for v in self.generator.variables:
            if id(v) not in seen and "float" in str(v.dtype):
                seen.add(id(v))
                sources.append(v)
        # Every replica computes the same average: keep the first replica's value.
        self.ema_step = self.add_weight(
            shape=(), dtype="int32", initializer="zeros", trainable=False, name="ema_step",
            aggregation="only_first_replica")
        averages = []
        for i, v in enumerate(sources):
            average = self.add_weight(
                shape=v.shape, dtype=v.dtype, initializer="zeros", trainable=False,
                name=f"ema_{i}_{v.name}", aggregation="only_first_replica")
            # A copy: under JAX two variables must not share one buffer (fit() donates them).
            average.assign(np.array(ops.convert_to_numpy(v)))
            averages.append(average)
        # Kept out of Keras' attribute tracking: the sources belong to the generator.
        self._ema = _EMAPairs(tuple(zip(sources, averages)))

    @property
    def ema_variables(self):
        """The averaged copies of the generator's float variables (empty when EMA is off)."""
        ema = getattr(self, "_ema", None)
        return [a for _, a in ema.pairs] if ema is not None else []

    def after_generator_update(self):
        """Runs after every generator update, inside both trainers' step: the EMA update.

        Backend-neutral (`assign` on variables): under JAX the trainer runs
        it in a stateless scope and threads the new values.
        """
        if self.ema_decay is None:
            return
        t = ops.cast(self.ema_step, "float32") - float(self.ema_start)
        decay = ops.where(t < 0.0, 0.0,
                          ops.minimum(self.ema_decay, (1.0 + t) / (10.0 + ops.maximum(t, 0.0))))
        for source, average in self._ema.pairs:
            value = ops.cast(source, average.dtype)
            average.assign(decay * average + (1.0 - decay) * value)
        self.ema_step.assign(self.ema_step + 1)

    @contextlib.contextmanager
    def ema_weights(self, use_ema=True):
        """Within the block the generator holds its averaged weights (restored on exit).

        Args:
            use_ema: True: swap in the averages (requires `ema_decay`);
                False: leave the weights alone; None: swap iff `ema_decay` is set.

        Example:
        >>> with gan.ema_weights():
        ...     images = gan.predict(noise)
        """
        if use_ema is None:
            use_ema = self.ema_decay is not None
        if not use_ema:
            yield
            return
        if self.ema_decay is None:
            raise ValueError(
                "Expected a GAN built with ema_decay=... to use averaged weights. Received: "
                "ema_decay=None. Pass use_ema=False, or build the GAN with e.g. ema_decay=0.999."
            )
        saved = [ops.convert_to_numpy(source) for source, _ in self._ema.pairs]
        for source, average in self._ema.pairs:
            source.assign(np.array(ops.convert_to_numpy(average)))
        try:
            yield
        finally:
            for (source, _), value in zip(self._ema.pairs, saved):
                source.assign(value)
