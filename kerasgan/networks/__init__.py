"""Generator and discriminator builders, registered by name (`kerasgan.networks.generator_names()`)."""

from kerasgan.networks.catalog import (  # isort: skip
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
from kerasgan.networks.batch_norm import BatchNormalization
from kerasgan.networks.conditional import (
    ConditionalBatchNormalization,
    GlobalSumPooling2D,
    MinibatchStdDev,
    acgan_discriminator,
    concat_discriminator,
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
    projection_discriminator,
)
from kerasgan.networks.dcgan import dcgan_discriminator, dcgan_generator, dcgan_stages
from kerasgan.networks.l1 import l1_discriminator, l1_generator
from kerasgan.networks.layers import PatchConv2D, PixelShuffle, TiedConv2D, TiedDense
from kerasgan.networks.mirror import mirror_generator
from kerasgan.networks.mlp import mlp_discriminator, mlp_generator
from kerasgan.networks.sngan import sngan_discriminator, sngan_generator
from kerasgan.networks.spectral_norm import SpectralNorm
from kerasgan.networks.toy import toy_discriminator, toy_generator
from kerasgan.networks.wgan import (
    shared_wgan_critic,
    shared_wgan_generator,
    wgan_gp_critic,
    wgan_gp_generator,
)

__all__ = [
    "BatchNormalization",
    "ConditionalBatchNormalization",
    "GlobalSumPooling2D",
    "MinibatchStdDev",
    "PatchConv2D",
    "PixelShuffle",
    "SpectralNorm",
    "TiedConv2D",
    "TiedDense",
    "acgan_discriminator",
    "build_discriminator",
    "build_generator",
    "concat_discriminator",
    "conditional_dcgan_discriminator",
    "conditional_dcgan_generator",
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
    "projection_discriminator",
    "register_discriminator",
    "register_generator",
    "shared_wgan_critic",
    "shared_wgan_generator",
    "sngan_discriminator",
    "sngan_generator",
    "toy_discriminator",
    "toy_generator",
    "wgan_gp_critic",
    "wgan_gp_generator",
]
