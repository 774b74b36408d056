"""`GANOptimizer`: the discriminator's and the generator's optimizers as a GAN's one optimizer."""

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="kerasgan")
class GANOptimizer(keras.optimizers.Optimizer):
    """Holds the discriminator's and the generator's optimizers as one Keras optimizer.

    `fit()` threads `model.optimizer.variables` from step to step under JAX;
    exposing both optimizers' variables here keeps their state (moments,
    iteration counts) alive. `iterations` counts generator updates, i.e.
    training steps. Built by `GAN.compile`; users rarely create it directly.

    Args:
        d_optimizer: Optimizer (or identifier) for the discriminator.
        g_optimizer: Optimizer (or identifier) for the generator.
    """

    def __init__(self, d_optimizer, g_optimizer, name="gan_optimizer", **kwargs):
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        if self.d_optimizer is self.g_optimizer:
            raise ValueError(
                "Expected two different optimizer objects for d_optimizer and g_optimizer: one "
                "optimizer cannot hold the state of both networks. Received: the same object "
                f"twice ({self.d_optimizer!r}). Pass e.g. d_optimizer=keras.optimizers.Adam(2e-4), "
                "g_optimizer=keras.optimizers.Adam(2e-4)."
            )
        self._variable_lists = None

    def set_variable_lists(self, variable_lists):
        """Sets `variable_lists() -> (d_variables, g_variables)`, used by `build`."""
        self._variable_lists = variable_lists

    def build(self, var_list=None):
        if self._variable_lists is None:
            raise ValueError(
                "Expected a GANOptimizer built by GAN.compile() (it needs the GAN's variable "
                "lists). Received: one without variable lists. Call gan.compile(...) instead."
            )
        d_vars, g_vars = self._variable_lists()
        if not self.d_optimizer.built:
            self.d_optimizer.build(d_vars)
        if not self.g_optimizer.built:
            self.g_optimizer.build(g_vars)
        self.built = True

    @property
    def variables(self):
        return self._variables + self.d_optimizer.variables + self.g_optimizer.variables

    @property
    def iterations(self):
        return self.g_optimizer.iterations

    @property
    def optimizers(self):
        """`[d_optimizer, g_optimizer]`: Keras' multi-optimizer protocol.

        `keras.callbacks.LearningRateScheduler` and `ReduceLROnPlateau` look for
        this list and schedule each optimizer's own rate.
        """
        return [self.d_optimizer, self.g_optimizer]

    @property
    def learning_rate(self):
        """The generator's rate; setting it scales both rates by the same factor.

        Assigning `v` sets the generator's rate to `v` and multiplies the
        discriminator's rate by `v / old generator rate`, so a two time-scale
        ratio (TTUR) is kept. With a generator rate of 0 both become `v`.
        """
        return self.g_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if getattr(self, "g_optimizer", None) is None:
            return  # the base class assigns 0.0 at construction, before the two optimizers exist
        old_g = float(np.asarray(keras.ops.convert_to_numpy(self.g_optimizer.learning_rate)))
        old_d = float(np.asarray(keras.ops.convert_to_numpy(self.d_optimizer.learning_rate)))
        value = float(value)
        self.d_optimizer.learning_rate = old_d * value / old_g if old_g else value
        self.g_optimizer.learning_rate = value

    def apply(self, grads, trainable_variables=None):
        raise NotImplementedError(
            "GANOptimizer does not apply gradients itself; GAN.train_step uses "
            "d_optimizer and g_optimizer."
        )

    def save_own_variables(self, store):
        # The two inner optimizers are saved as their own children; avoid a second copy here.
        for i, v in enumerate(self._variables):
            store[str(i)] = v

    def load_own_variables(self, store):
        for i, v in enumerate(self._variables):
            if str(i) in store:
                v.assign(store[str(i)])

    def get_config(self):
        return {
            "name": self.name,
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        d = keras.saving.deserialize_keras_object(config.pop("d_optimizer"), custom_objects)
        g = keras.saving.deserialize_keras_object(config.pop("g_optimizer"), custom_objects)
        return cls(d, g, **config)


def get_pair(d_optimizer=None, g_optimizer=None):
    """The discriminator's and the generator's Keras optimizers for `GAN.compile`.

    Each may be an optimizer, an identifier or None (Adam 2e-4, beta_1 0.5). Under the
    `mixed_float16` policy each is wrapped in a `keras.optimizers.LossScaleOptimizer`.
    """
    if d_optimizer is None:
        d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    if g_optimizer is None:
        g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    d_optimizer = keras.optimizers.get(d_optimizer)
    g_optimizer = keras.optimizers.get(g_optimizer)
    if keras.config.dtype_policy().name == "mixed_float16":
        scaled = keras.optimizers.LossScaleOptimizer
        if not isinstance(d_optimizer, scaled):
            d_optimizer = scaled(d_optimizer)
        if not isinstance(g_optimizer, scaled):
            g_optimizer = scaled(g_optimizer)
    return d_optimizer, g_optimizer
