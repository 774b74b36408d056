"""Generator and discriminator builders."""

from kerasgan.networks.mlp import mlp_discriminator, mlp_generator

__all__ = ["mlp_discriminator", "mlp_generator"]
