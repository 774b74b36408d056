"""MLP presets: `mnist_mlp` (Coursera's "Your First GAN")."""

from kerasgan.zoo.registry import register


def _adam():
    return {"class_name": "Adam", "config": {"learning_rate": 1e-5, "beta_1": 0.9, "beta_2": 0.999}}


register("mnist_mlp", {
    "description": "MLP GAN of Coursera's 'Your First GAN': BN-ReLU generator, LeakyReLU discriminator.",
    "reference": "Coursera, Build Basic Generative Adversarial Networks, week 1 ('Your First GAN')",
    "dataset": "mnist",
    "config": {
        "image_shape": (28, 28, 1),
        "value_range": (0.0, 1.0),
        "batch_size": 128,
        "latent_dim": 64,
        "seed": None,
        "generator": {"name": "mlp", "widths": (128, 256, 512, 1024)},
        "discriminator": {"name": "mlp", "widths": (512, 256, 128)},
        # The reference averages the real and fake terms of the discriminator loss.
        "gan": {"noise": "normal", "d_loss_weight": 0.5},
        "d_optimizer": _adam(),
        "g_optimizer": _adam(),
        "loss": "non_saturating",
        # Four steps per compiled call: this network's step is short enough that per-call
        # overhead shows (BUILD_NOTES.md, "steps_per_execution"). Keep steps_per_epoch a multiple.
        "compile": {"jit_compile": "auto", "steps_per_execution": 4},
    },
    "weights": {
        "mnist": {
            "file": "mnist_mlp-mnist.weights.h5",
            "sha256": "e201d7ea682a23bad750879738ca257e452cd72eb2235494dc2aa315be10e7d7",
            "overrides": {},
            "description": (
                "Seed 0 of the documented command (zoo/mnist_mlp/train.flags: the course's "
                "93,600 steps of batch 128, Adam 1e-5) on the first 5,000 images of MNIST's test "
                "split (the half the MNIST judges trained on), TensorFlow; networks only, no "
                "optimizer state. Grainy, speckled digit shapes, about half readable: FD 237.8 "
                "(second judge 229.7), recall 0.03, 10 classes but uneven (0: 1.5%) against the "
                "judges' held-out 5,000 (floor 5.4). Scores: zoo/mnist_mlp/results/course.json."),
        },
    },
})
