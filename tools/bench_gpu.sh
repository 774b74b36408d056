#!/usr/bin/env bash
# GPU throughput of dcgan_celeba (64x64, batch 128): float32 and mixed_bfloat16, both backends.
# Usage: bash tools/bench_gpu.sh [DATASET] [STEPS]     (needs a GPU; not yet run: no GPU lent)
#   DATASET: celeb_a (default) or any directory of images; STEPS per epoch (default 200).
# Prints one line per run: backend, policy, steps/s and images/s of the 2nd epoch (the 1st
# epoch includes compilation). Each run writes to runs/bench_gpu/<backend>_<policy>/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATASET=${1:-celeb_a}
STEPS=${2:-200}
PY=${PYTHON:-.venv/bin/python}
for backend in tensorflow jax; do
  for policy in float32 mixed_bfloat16; do
    out=runs/bench_gpu/${backend}_${policy}
    rm -rf "$out"
    KERAS_BACKEND=$backend "$PY" - "$out" "$DATASET" "$STEPS" "$policy" <<'PY'
import sys, time
import keras
from kerasgan import train
out, dataset, steps, policy = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
times = []
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.t)
import kerasgan.callbacks as cb
_orig = cb.StopOnNonFiniteLoss
class Stop(_orig):  # rides along with the trainer's callbacks
    def __init__(self, *a, **k):
        super().__init__(*a, **k); self._timer = Timer()
    def set_model(self, model):
        super().set_model(model); self._timer.set_model(model)
    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs); self._timer.on_epoch_begin(epoch, logs)
    def on_epoch_end(self, epoch, logs=None):
        self._timer.on_epoch_end(epoch, logs)
cb.StopOnNonFiniteLoss = Stop
train.run("dcgan_celeba", out, dataset=dataset, epochs=2, steps_per_epoch=steps, batch_size=128,
          mixed_precision=policy, num_samples=16, verbose=0)
sps = steps / times[-1]
print(f"{keras.backend.backend():10s} {policy:15s} {sps:8.2f} steps/s {sps * 128:9.0f} images/s "
      f"(epoch 1 incl. compile: {times[0]:.1f} s)", flush=True)
PY
  done
done
