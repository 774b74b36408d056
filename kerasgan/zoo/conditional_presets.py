"""Class-conditional and spectrally normalised presets: `cdcgan`, `cdcgan_small`, `msgan_small`
and `sngan`.

`cdcgan` trains on `(images, labels)` batches; `kerasgan.data.load(..., preset="cdcgan")`
yields them (a conditional preset turns labels on).

Example:
>>> ds = kerasgan.data.load("fashion_mnist", preset="cdcgan")
>>> gan = kerasgan.zoo.get("cdcgan", seed=0)
>>> gan.fit(ds, epochs=5)
>>> sneakers = gan.generate(16, labels=7, seed=0)
>>> gan = kerasgan.zoo.get("msgan_small", weights="fashion_mnist")   # the main job's model
>>> gan = kerasgan.zoo.get("sngan", image_shape=(32, 32, 3))   # CIFAR-10 sized
"""

import copy

# Importing the network modules registers "conditional_dcgan" and "sngan".
from kerasgan.networks import conditional as _conditional  # noqa: F401
from kerasgan.networks import sngan as _sngan  # noqa: F401
from kerasgan.zoo.registry import register


def _adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999):
    return {"class_name": "Adam",
            "config": {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2}}


CDCGAN_CONFIG = {
    "image_shape": (28, 28, 1),
    "value_range": (-1.0, 1.0),
    "batch_size": 128,
    "latent_dim": 100,
    "seed": None,
    # The label reaches G through both paths: the embedding changes the output from the first
    # step, the per-class BatchNorm tables learn later (with BatchNorm alone the samples ignored
    # the label after 1,500 steps; BUILD_NOTES.md, "Class fidelity").
    "generator": {"name": "conditional_dcgan", "num_classes": 10, "base_filters": 64,
                  "conditioning": "concat+batchnorm"},
    # The dcgan preset's discriminator body (BatchNorm, no spectral norm) with the projection
    # head over the flattened 7x7 features (as the dcgan head; the paper's global sum gave
    # logits of 17.7 +- 14.8 at initialisation and samples without variety: BUILD_NOTES.md,
    # "Presets");
    # the dcgan recipe: non-saturating loss, Adam 2e-4 (0.5, 0.999), batch 128.
    "discriminator": {"name": "conditional_dcgan", "num_classes": 10, "base_filters": 64,
                      "conditioning": "projection", "spectral_norm": False,
                      "pooling": "flatten"},
    "gan": {"noise": "normal", "num_classes": 10, "conditioning": "projection"},
    "d_optimizer": _adam(),
    "g_optimizer": _adam(),
    "loss": "non_saturating",
    "compile": {"jit_compile": "auto", "steps_per_execution": 1},
}

register("cdcgan", {
    "description": ("Class-conditional DCGAN: generator conditioned by a label embedding and "
                    "conditional BatchNorm, projection discriminator; 10 Fashion-MNIST classes."),
    "reference": ("Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018; "
                  "Radford et al., DCGAN, ICLR 2016; Mirza & Osindero, Conditional GANs, 2014"),
    "dataset": "fashion_mnist",
    "config": CDCGAN_CONFIG,
})

# cdcgan at half width. At equal training cost it trains about three times as many steps as
# cdcgan and scored best of the first arms of the main-job study
# (studies/results/main_job_recipe/FINDINGS.md, stages 1-2); msgan_small builds on it.
_SMALL = copy.deepcopy(CDCGAN_CONFIG)
_SMALL["generator"]["base_filters"] = 32
_SMALL["discriminator"]["base_filters"] = 32

register("cdcgan_small", {
    "description": ("cdcgan at half width (base_filters 32 in both networks): a ten-minute "
                    "Fashion-MNIST recipe (zoo/cdcgan_small/quickstart.flags)."),
    "reference": ("Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018; "
                  "Radford et al., DCGAN, ICLR 2016"),
    "dataset": "fashion_mnist",
    "config": _SMALL,
    "weights": {
        "fashion_mnist": {
            "file": "cdcgan_small-fashion_mnist.weights.h5",
            "sha256": "26673c1dc15abe684db8892cd92fc03bb4c75ea9bbbf655105d18a743b353583",
            "overrides": {},
            "description": (
                "Seed 0 of its quickstart recipe: 2,200 steps of batch 128 on Fashion-MNIST "
                "(python -m kerasgan.train "
                "--flagfile=zoo/cdcgan_small/quickstart.flags), TensorFlow; networks only, no "
                "optimizer state. Scores: zoo/cdcgan_small/results/quickstart.json (seed 0)."),
        },
    },
})

# The main job's recipe: cdcgan_small's discriminator, a generator 1.5x as wide, and MSGAN's
# mode-seeking term, which raised recall from 0.37-0.40 to 0.48-0.49 (the main-job study,
# studies/results/main_job_recipe/FINDINGS.md, stages 5 and 6; 2,000 steps fit the slowest CPU).
_MSGAN_SMALL = copy.deepcopy(_SMALL)
_MSGAN_SMALL["generator"]["base_filters"] = 48
_MSGAN_SMALL["gan"]["mode_seeking_weight"] = 1.0

register("msgan_small", {
    "description": ("Class-conditional DCGAN (G 48 wide, D 32) with MSGAN's mode-seeking term: "
                    "the main job's ten-minute Fashion-MNIST recipe (bash tools/quickstart.sh)."),
    "reference": ("Mao et al., Mode Seeking Generative Adversarial Networks for Diverse Image "
                  "Synthesis, CVPR 2019; Miyato & Koyama, cGANs with Projection Discriminator, "
                  "ICLR 2018; Radford et al., DCGAN, ICLR 2016"),
    "dataset": "fashion_mnist",
    "config": _MSGAN_SMALL,
    "weights": {
        "fashion_mnist": {
            "file": "msgan_small-fashion_mnist.weights.h5",
            "sha256": "e3ab051ab43cdeab360ef8e9d42e2c927bdb2c2c5d8ded46ad41714fa574aa8b",
            "overrides": {},
            "description": (
                "The main job, seed 0: 2,000 steps of batch 128 on Fashion-MNIST (bash "
                "tools/quickstart.sh, i.e. python -m kerasgan.train "
                "--flagfile=zoo/msgan_small/quickstart.flags), TensorFlow; networks only, no "
                "optimizer state. FD 15.5 (shipped judge), 17.2 (second), recall 0.48, 10 "
                "classes. Scores: zoo/msgan_small/results/quickstart.json (seed 0)."),
        },
    },
})

register("sngan", {
    "description": ("SNGAN standard CNN: spectrally normalised discriminator, hinge loss; "
                    "28x28 (Fashion-MNIST) by default, image_shape=(32, 32, 3) for CIFAR-10."),
    "reference": ("Miyato, Kataoka, Koyama, Yoshida, Spectral Normalization for Generative "
                  "Adversarial Networks, ICLR 2018 (table 3, setting C)"),
    "dataset": "fashion_mnist",
    "config": {
        "image_shape": (28, 28, 1),
        "value_range": (-1.0, 1.0),
        "batch_size": 64,
        "latent_dim": 128,
        "seed": None,
        "generator": {"name": "sngan", "base_filters": 64},
        "discriminator": {"name": "sngan", "base_filters": 64, "spectral_norm": True},
        "gan": {"noise": "normal"},
        "d_optimizer": _adam(),
        "g_optimizer": _adam(),
        "loss": "hinge",
        "compile": {"jit_compile": "auto", "steps_per_execution": 1},
    },
})
