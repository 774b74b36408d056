"""Generator and discriminator builders."""

from kerasgan.networks.dcgan import dcgan_discriminator, dcgan_generator, dcgan_stages
from kerasgan.networks.families import (
    build_discriminator,
    build_generator,
    discriminator_spec,
)
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
    "discriminator_spec",
    "l1_discriminator",
    "l1_generator",
    "mirror_generator",
    "mlp_discriminator",
    "mlp_generator",
    "shared_wgan_critic",
    "shared_wgan_generator",
    "toy_discriminator",
    "toy_generator",
    "wgan_gp_critic",
    "wgan_gp_generator",
]
