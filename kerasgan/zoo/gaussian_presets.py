"""1-D Gaussian presets: `gaussian_1d` and `gaussian_1d_shared` (Shared-WGAN, section 5).

U(-1, 1) noise -> N(4, 0.5) with small MLPs; the generator is unbounded, so
`value_range` only sets what `generate()` maps to [0, 1] (0 to 8).

`gaussian_1d` is the reference's baseline (`gan.py`: softplus / ReLU middle
layers). `gaussian_1d_shared` is its shared model (`gan_shared.py`): the
middle layer of both networks is one affine map (kernel and bias, no
activation). `shared_update` chooses who updates it: `"discriminator"` (the
paper) or `"both"` (the reference code's variable lists).

Example:
>>> gan = kerasgan.zoo.get("gaussian_1d_shared", seed=0)
>>> gan.fit(kerasgan.zoo.gaussian.gaussian_samples(20_000, seed=0), batch_size=64, epochs=3)
"""

from kerasgan.zoo.registry import register

_REFERENCE = ("Karuvally, A Study into the similarity in generator and discriminator in GAN "
              "architecture, section 5; code github arjun23496/Shared-WGAN gan_shared.py")


def _adam():
    return {"class_name": "Adam", "config": {"learning_rate": 1e-3, "beta_1": 0.5, "beta_2": 0.999}}


def _config(shared):
    # The reference's shared model: one middle layer (kernel and bias) without activation in
    # both networks; its baseline keeps softplus (G) and ReLU (D) there.
    g_act, d_act = ("linear", "linear") if shared else ("softplus", "relu")
    return {
        "image_shape": (1,),
        "value_range": (0.0, 8.0),
        "batch_size": 64,
        "latent_dim": 1,
        "seed": None,
        # Equal hidden widths make the shared hidden x hidden kernel possible.
        "generator": {"name": "toy", "hidden": 16, "shared": shared, "share_bias": shared,
                      "middle_activation": g_act},
        "discriminator": {"name": "toy", "hidden": 16, "middle_activation": d_act},
        "gan": {"noise": "uniform"},
        "d_optimizer": _adam(),
        "g_optimizer": _adam(),
        "loss": "non_saturating",
        "compile": {"jit_compile": "auto", "steps_per_execution": 1},
        # The generator's initialisers draw first, so a seed gives the networks of earlier releases
        # (the 1-D study's runs); the other presets initialise the discriminator first.
        "init_order": ("generator", "discriminator"),
    }


register("gaussian_1d", {
    "description": "U(-1,1) noise -> N(4, 0.5) with small MLPs (baseline).",
    "reference": _REFERENCE,
    "dataset": "gaussian_1d",
    "config": _config(False),
})

register("gaussian_1d_shared", {
    "description": "The 1-D Gaussian GAN whose middle layer (kernel and bias) is one affine map in G and D.",
    "reference": _REFERENCE,
    "dataset": "gaussian_1d",
    "config": _config(True),
})
