"""L1-GAN presets with a bounded and an unbounded discriminator: `l1` and `l1_unbounded`.

Example:
>>> gan = kerasgan.zoo.get("l1_unbounded", seed=0)
>>> gan = kerasgan.zoo.get("l1", sigmoid_output=False)  # the same networks as "l1_unbounded"
"""

from kerasgan.zoo.registry import register

_REFERENCE = "L1 GAN with bounded and unbounded discriminators; code github atiyo/unbounded_gan"


def _rmsprop():
    # Keras adds epsilon inside the square root: 1e-16 stands for PyTorch's eps=1e-8 outside it
    # (the denominators differ by at most 1e-8).
    return {"class_name": "RMSprop", "config": {"learning_rate": 5e-5, "rho": 0.99, "epsilon": 1e-16}}


def _config(head):
    return {
        "image_shape": (28, 28, 1),
        "value_range": (-1.0, 1.0),
        "batch_size": 50,
        "latent_dim": 100,
        "seed": None,
        # reference_init: biases and BatchNorm scales start as PyTorch 0.3.1 drew them.
        "generator": {"name": "l1", "reference_init": True},
        # The one line the two presets differ in: the discriminator's sigmoid.
        "discriminator": {"name": "l1", "output_activation": head, "reference_init": True},
        # The reference: a real-only update, then a fake-only update, on the same real batch.
        "gan": {"noise": "normal", "d_steps": 1, "d_update": "split", "real_batches": "reuse"},
        "d_optimizer": _rmsprop(),
        "g_optimizer": _rmsprop(),
        "loss": "l1",
        "compile": {"jit_compile": "auto", "steps_per_execution": 1},
    }


register("l1", {
    "description": "L1 GAN with a sigmoid discriminator (the reference's failing case).",
    "reference": _REFERENCE,
    "dataset": "fashion_mnist",
    "config": _config("sigmoid"),
    "weights": {
        "fashion_mnist": {
            "file": "l1-fashion_mnist.generator.npz",
            "sha256": "368522f10326ab46244fcbfe01b76d7332cc9acaddd406f5caae8b16a3f77f76",
            "overrides": {},
            "description": (
                "The generator only, int8 (6.6 MB): seed 0 of the documented command, all 100 "
                "epochs (python -m kerasgan.train --flagfile=zoo/l1/train.flags; 120,000 steps of "
                "batch 50), TensorFlow. Collapsed, as the reference's sigmoid run: the same "
                "blotchy shape in every cell, a bright bar beside a blob. Its discriminator "
                "saturated in epoch 2 and the generator's gradient was exactly 0 from epoch 3 to "
                "100. FD 212.1 (second judge 361.7), 1 class. Scores: "
                "zoo/l1/weights_eval/metrics.json."),
        },
    },
})

register("l1_unbounded", {
    "description": "L1 GAN with an unbounded discriminator (the sigmoid line deleted).",
    "reference": _REFERENCE,
    "dataset": "fashion_mnist",
    "config": _config(None),
    "weights": {
        "fashion_mnist": {
            "file": "l1_unbounded-fashion_mnist.generator.npz",
            "sha256": "86571c5e1be27fc78e59c9ce6b11631e7aaf9589bbad5aa04ecfe4950f45cfdb",
            "overrides": {},
            "description": (
                "The generator only, int8 (6.1 MB): seed 0 of the documented command, all 100 "
                "epochs (python -m kerasgan.train --flagfile=zoo/l1_unbounded/train.flags; "
                "120,000 steps of batch 50), TensorFlow. Varied clothing of every class: FD 11.5 "
                "(second judge 14.3), 10 classes, recall 0.57, coverage 0.80 (float32: FD 11.4). "
                "Scores: zoo/l1_unbounded/weights_eval/metrics.json."),
        },
    },
})
