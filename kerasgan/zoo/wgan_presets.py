"""Wasserstein presets: `wgan`, `shared_wgan` (Shared-WGAN) and `wgan_gp` (keras.io).

Example:
>>> gan = kerasgan.zoo.get("shared_wgan", seed=0)
>>> gan = kerasgan.zoo.get("shared_wgan", loss="wgan_cross_entropy", critic_output="tanh")
>>> gan = kerasgan.zoo.get("wgan_gp")
"""

from kerasgan.zoo.registry import register

_SHARED_WGAN_REFERENCE = (
    "Karuvally, A Study into the similarity in generator and discriminator in GAN architecture; "
    "code github arjun23496/Shared-WGAN"
)


def _rmsprop():
    # TF1 RMSPropOptimizer: rho 0.9, epsilon 1e-10, added inside the square root as Keras does.
    return {"class_name": "RMSprop", "config": {"learning_rate": 5e-5, "rho": 0.9, "epsilon": 1e-10}}


def _shared_wgan_config(shared):
    return {
        "image_shape": (28, 28, 1),
        "value_range": (0.0, 1.0),
        # Real images per critic update; a fit() step takes batch_size * d_steps (real_batches
        # "split": a fresh real batch per critic update, as the reference).
        "batch_size": 64,
        "latent_dim": 100,
        "seed": None,
        # h = 64 as SPEC.md (the reference's argparse default is 256).
        "generator": {"name": "wgan", "hidden": 64, "shared": shared},
        # None: the WGAN objective's linear critic; "tanh" is the reference code's.
        "discriminator": {"name": "wgan", "hidden": 64, "output_activation": None},
        "gan": {"noise": "uniform", "d_steps": 5, "d_update": "joint", "real_batches": "split",
                "clip_value": 0.01},
        "d_optimizer": _rmsprop(),
        "g_optimizer": _rmsprop(),
        "loss": "wasserstein",
        "compile": {"jit_compile": "auto", "steps_per_execution": 1},
    }


def _adam():
    return {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.9}}


register("wgan", {
    "description": "Shared-WGAN baseline: conv critic/generator, clip 0.01, n_critic 5, RMSprop 5e-5.",
    "reference": _SHARED_WGAN_REFERENCE,
    "dataset": "mnist",
    "config": _shared_wgan_config(False),
    "weights": {
        "mnist": {
            "file": "wgan-mnist.weights.h5",
            "sha256": "0d04e75120d49db9d861b25481bb480d77156e2d3ad0e0a157110b7d3ddfcd41",
            "overrides": {},
            "description": (
                "Seed 0 of the documented command (zoo/wgan/train.flags: h = 64, 10 epochs of "
                "1,094 generator steps, 54,700 critic updates of batch 64) on the first 5,000 "
                "images of MNIST's test split (the half the MNIST judge trained on), TensorFlow; "
                "networks only. White strokes on black, about two in three readable as digits of "
                "every class: FD 79.2 (second judge 76.2), recall 0.79, entropy 0.14 nats, 10 "
                "classes against the judges' held-out 5,000 (floor 5.4). "
                "Scores: zoo/wgan/results/train.json."),
        },
        "mnist_h16": {
            "file": "wgan-mnist_h16.weights.h5",
            "sha256": "07ec2e1fe691c2b6e9d5e4566c92643ca290fd26f70143b89650b6a1b7f87835",
            "overrides": {"hidden": 16},
            "description": (
                "Seed 0 of the entropy study's runs, not the documented command: h = 16 (SPEC: "
                "64), 2,000 steps (10,000 critic updates) of batch 64 on the first 5,000 images "
                "of MNIST's test split (the half the MNIST judge trained on), TensorFlow; "
                "networks only. White digit-like strokes, some readable: FD 223.6, entropy "
                "0.29 nats, 10 classes against the judge's held-out 5,000 (floor 5.4). "
                "Scores: zoo/wgan/results/entropy_h16.json."),
        },
    },
})

register("shared_wgan", {
    "description": "WGAN whose generator reuses the critic's 2nd conv kernel (updated by the critic only).",
    "reference": _SHARED_WGAN_REFERENCE,
    "dataset": "mnist",
    "config": _shared_wgan_config(True),
    "weights": {
        "mnist": {
            "file": "shared_wgan-mnist.weights.h5",
            "sha256": "c5ab92fe3349411d48caa436abab6f81cdb51a71266a473533fa2dc0ffcf76bf",
            "overrides": {},
            "description": (
                "Seed 0 of the documented command (zoo/shared_wgan/train.flags: h = 64, 10 epochs "
                "of 1,094 generator steps, 54,700 critic updates of batch 64) on the first 5,000 "
                "images of MNIST's test split (the half the MNIST judge trained on), TensorFlow; "
                "networks only. White strokes on black, most readable as digits of every class: "
                "FD 89.6 (second judge 96.6), recall 0.73, entropy 0.15 nats, 10 classes against "
                "the judges' held-out 5,000 (floor 5.4). Scores: zoo/shared_wgan/results/train.json."),
        },
        "mnist_h16": {
            "file": "shared_wgan-mnist_h16.weights.h5",
            "sha256": "89c6404ab609a57631eb6c66d029b216ba1b6ffe538d10550b1528196f3dff2f",
            "overrides": {"hidden": 16},
            "description": (
                "Seed 0 of the entropy study's runs, not the documented command: h = 16 (SPEC: "
                "64), 2,000 steps (10,000 critic updates) of batch 64 on the first 5,000 images "
                "of MNIST's test split (the half the MNIST judge trained on), TensorFlow; "
                "networks only. White digit-like strokes, some readable: FD 240.9, entropy "
                "0.30 nats, 10 classes against the judge's held-out 5,000 (floor 5.4). "
                "Scores: zoo/shared_wgan/results/entropy_h16.json."),
        },
    },
})

register("wgan_gp", {
    "description": "keras.io WGAN-GP on Fashion-MNIST: GP 10 with U(0,1) interpolation, n_critic 3.",
    "reference": ("Gulrajani et al., Improved Training of Wasserstein GANs, 2017; "
                  "keras.io examples/generative/wgan_gp.py"),
    "dataset": "fashion_mnist",
    "config": {
        "image_shape": (28, 28, 1),  # H, W <= 32: the critic zero-pads to 32
        "value_range": (-1.0, 1.0),
        "batch_size": 512,
        "latent_dim": 128,
        "seed": None,
        "generator": {"name": "wgan_gp"},
        "discriminator": {"name": "wgan_gp"},
        # Every critic update reuses the step's real batch, as the example; the interpolation
        # factor is U(0, 1) (the paper; the example draws it from N(0, 1)).
        "gan": {"noise": "normal", "d_steps": 3, "d_update": "joint", "real_batches": "reuse",
                "gradient_penalty_weight": 10.0},
        "d_optimizer": _adam(),
        "g_optimizer": _adam(),
        "loss": "wasserstein",
        "compile": {"jit_compile": "auto", "steps_per_execution": 1},
    },
    "weights": {
        "fashion_mnist": {
            "file": "wgan_gp-fashion_mnist.generator.npz",
            "sha256": "71e65c9b86e11d9980ac7732308aad5844b8f171ca9dffdfa88dd2d119cacf03",
            "overrides": {},
            "description": (
                "The generator only, float32 (3.4 MB): seed 0 of the documented command "
                "(zoo/wgan_gp/train.flags: 20 epochs, 2,340 steps of batch 512), TensorFlow. "
                "Rough but recognisable garments of every class, streaky textures. FD 33.9 "
                "(second judge 29.3), recall 0.34, 10 classes. "
                "Scores: zoo/wgan_gp/results/train.json."),
        },
    },
})
