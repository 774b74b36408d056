"""wgan_gp's step with its critic's convolutions as `PatchConv2D`'s matmul or as Conv2D's own
convolution, one variant per process: "patch" (the preset's layers as they are: `max_positions`
"auto"), "conv2d" (every layer as Conv2D: max_positions=0), "patchN" (every layer whose output map
has at most N positions as a matmul: conv_3's has 4, conv_2's 16, conv_1's 64, conv_0's 256).

    KERASGAN_NO_DOWNLOAD=1 KERAS_BACKEND=tensorflow python experiments/patch_conv/ab.py patch 512 3

Arguments: variant, batch size, steps per timed fit() call. Prints the first (compiling) call's
seconds and two timed calls' seconds per step.
"""

import sys
import time

import keras

import kerasgan

variant, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gan = kerasgan.zoo.get("wgan_gp", seed=0, batch_size=batch)
if variant != "patch":  # before the step is traced
    for layer in gan.discriminator.layers:
        if isinstance(layer, kerasgan.networks.PatchConv2D):
            layer.max_positions = 0 if variant == "conv2d" else int(variant[len("patch"):])
config = kerasgan.zoo.spec("wgan_gp").config
ds = kerasgan.data.load("fashion_mnist", image_shape=gan.image_shape,
                        value_range=tuple(config["value_range"]), batch_size=batch, seed=0,
                        repeat=True)
start = time.perf_counter()
gan.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
first = time.perf_counter() - start
per_step = []
for _ in range(2):
    start = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    per_step.append((time.perf_counter() - start) / steps)
print(keras.backend.backend(), variant, "batch", batch, "first", round(first, 1), "s/step",
      [round(x, 3) for x in per_step], flush=True)
