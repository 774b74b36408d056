"""DCGAN presets: `dcgan` (28x28 / 32x32 images) and `dcgan_celeba` (64x64, the paper).

Example:
>>> gan = kerasgan.zoo.get("dcgan", seed=0)                       # Fashion-MNIST 28x28x1
>>> gan = kerasgan.zoo.get("dcgan", image_shape=(32, 32, 3))      # CIFAR-sized
>>> gan = kerasgan.zoo.get("dcgan", generator="mlp")              # an asymmetric pair
>>> gan = kerasgan.zoo.get("dcgan_celeba")
"""

from kerasgan.zoo.registry import register

_REFERENCE = "Radford et al., DCGAN, 2016 (arXiv:1511.06434); PyTorch examples/dcgan"


def _adam():
    return {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999}}


def _config(image_shape):
    """The paper's recipe at one image size (64 uses 4 upsampling stages, 32 three, 28 two)."""
    return {
        "image_shape": image_shape,
        "value_range": (-1.0, 1.0),
        "batch_size": 128,
        "latent_dim": 100,
        "seed": None,
        "generator": {"name": "dcgan", "base_filters": 64},
        "discriminator": {"name": "dcgan", "base_filters": 64},
        "gan": {"noise": "normal"},
        "d_optimizer": _adam(),
        "g_optimizer": _adam(),
        "loss": "non_saturating",
        "compile": {"jit_compile": "auto", "steps_per_execution": 1},
    }


register("dcgan", {
    "description": "DCGAN for small images (28x28 from a 7x7 start, 32x32 from 4x4); Adam 2e-4/0.5.",
    "reference": _REFERENCE,
    "dataset": "fashion_mnist",
    "config": _config((28, 28, 1)),
    "weights": {
        "fashion_mnist": {
            "file": "dcgan-fashion_mnist.weights.h5",
            "sha256": "e3683aff30769b9b3038be18c15897adaf29bae2ce267a64fd8fbef82f6ba00f",
            "overrides": {},
            "description": (
                "dcgan's quickstart recipe, seed 0: 1,500 steps of batch 128 on Fashion-MNIST "
                "(python -m kerasgan.train "
                "--flagfile=zoo/dcgan/quickstart.flags), TensorFlow; networks only, no optimizer "
                "state. Scores: zoo/dcgan/results/quickstart.json (seed 0)."),
        },
    },
})

register("dcgan_celeba", {
    "description": "DCGAN of the paper on 64x64x3 CelebA: ngf=ndf=64, nz=100, Adam 2e-4/0.5, batch 128.",
    "reference": _REFERENCE,
    "dataset": "celeb_a",
    "config": _config((64, 64, 3)),
})
