"""dcgan's fit() step with its discriminator's Conv2D layers as `PatchConv2D` ("patchN": maps of
up to N positions as one matmul; down_1's map has 49, to_logit's 1) or as they are ("conv"), one
variant per process.

    KERASGAN_NO_DOWNLOAD=1 KERAS_BACKEND=jax python experiments/patch_conv/dcgan_ab.py patch64

Prints the discriminator's layer classes and two timed calls of 30 steps, in steps/s.
"""

import sys
import time

import keras

import kerasgan
from kerasgan.networks import dcgan

variant = sys.argv[1]
if variant.startswith("patch"):
    largest = int(variant[len("patch"):])

    class Patch(kerasgan.networks.PatchConv2D):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, max_positions=largest, **kwargs)

    # dcgan's builders read `layers.Conv2D`: a namespace with Keras' layers and Patch for Conv2D.
    names = {k: getattr(keras.layers, k) for k in dir(keras.layers) if not k.startswith("_")}
    dcgan.layers = type("Layers", (), {**names, "Conv2D": Patch})
gan = kerasgan.zoo.get("dcgan", seed=0)
print([type(layer).__name__ for layer in gan.discriminator.layers], flush=True)
ds = kerasgan.data.load("fashion_mnist", preset="dcgan", repeat=True)
gan.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
for _ in range(2):
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=30, verbose=0)
    print(keras.backend.backend(), variant, round(30 / (time.perf_counter() - start), 2),
          "steps/s", flush=True)
