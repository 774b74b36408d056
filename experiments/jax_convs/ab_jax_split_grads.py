"""A/B of kerasgan's JAX fit() step with kernel gradients split over batch parts (on) or in one
piece (off): `kerasgan.trainers.jax_conv_split.enabled`.

Alternate processes, e.g. for i in 1 2 3; do for m in on off; do
  KERAS_BACKEND=jax KERASGAN_NO_DOWNLOAD=1 PYTHONPATH=. python experiments/jax_convs/ab_jax_split_grads.py $m dcgan 4 10
  done; done
(arguments: on|off, preset, chunks, steps per chunk). Prints steps/s of each chunk after a
compiling first call. Log: experiments/jax_convs/ab_jax_split_grads_zen4.txt
"""
import os
import sys
import time

import keras

import kerasgan
from kerasgan.trainers import jax_conv_split
from tools.profiler.common import preset_data

mode, preset, chunks, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
jax_conv_split.enabled = mode == "on"
gan = kerasgan.zoo.get(preset, seed=0)
ds, _ = preset_data(gan, kerasgan.zoo.spec(preset).config, kerasgan)  # Fashion-MNIST, resized
gan.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
rates = []
for _ in range(chunks):
    t = time.perf_counter()
    gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    keras.ops.convert_to_numpy(gan.generator.trainable_variables[0])
    rates.append(steps / (time.perf_counter() - t))
print(mode, preset, "steps/s", " ".join(f"{r:.3f}" for r in rates), "load", os.getloadavg()[0],
      flush=True)
