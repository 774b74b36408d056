"""Generator and discriminator builders, registered by name (`kerasgan.networks.generator_names()`)."""

from kerasgan.networks.registry import (  # isort: skip
    build_discriminator,
    build_generator,
    discriminator_entry,
    discriminator_names,
    discriminator_spec,
    generator_entry,
    generator_names,
    register_discriminator,
    register_generator,
)
# Importing a network module registers its builders.
from kerasgan.networks.dcgan import dcgan_discriminator, dcgan_generator, dcgan_stages
from kerasgan.networks.l1 import l1_discriminator, l1_generator
from kerasgan.networks.layers import PixelShuffle, TiedConv2D, TiedDense
from kerasgan.networks.mirror import mirror_generator
from kerasgan.networks.mlp import mlp_discriminator, mlp_generator
from kerasgan.networks.toy import toy_discriminator, toy_generator
from kerasgan.networks.wgan import (
    shared_wgan_critic,
    shared_wgan_generator,
    wgan_gp_critic,
    wgan_gp_generator,
)

__all__ = [
    "PixelShuffle",
    "TiedConv2D",
    "TiedDense",
    "build_discriminator",
    "build_generator",
    "dcgan_discriminator",
    "dcgan_generator",
    "dcgan_stages",
    "discriminator_entry",
    "discriminator_names",
    "discriminator_spec",
    "generator_entry",
    "generator_names",
    "l1_discriminator",
    "l1_generator",
    "mirror_generator",
    "mlp_discriminator",
    "mlp_generator",
    "register_discriminator",
    "register_generator",
    "shared_wgan_critic",
    "shared_wgan_generator",
    "toy_discriminator",
    "toy_generator",
    "wgan_gp_critic",
    "wgan_gp_generator",
]
