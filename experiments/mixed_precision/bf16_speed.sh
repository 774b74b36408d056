#!/bin/bash
# Round-robin: float32 vs mixed_bfloat16, TF and JAX, per preset ($PRESETS, default cdcgan_small
# and shared_wgan; msgan_small too); Keras' 2nd-epoch time.
cd "$(dirname "$0")/../.."
# Run directories go to $OUT (new or empty) or to a new temporary directory; nothing is removed.
out=${OUT:-$(mktemp -d /tmp/bf16.XXXXXX)}
if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "error: OUT=$out is not empty; pass a new or empty directory (nothing was changed)" >&2
  exit 1
fi
mkdir -p "$out"
for round in 1 2; do
 for preset in ${PRESETS:-cdcgan_small shared_wgan}; do
  if [ $preset = shared_wgan ]; then spe=6; data=mnist; extra="--split=test --limit=5000"; else spe=60; data=fashion_mnist; extra=""; fi
  for backend in tensorflow jax; do
   for mp in float32 mixed_bfloat16; do
    d=$out/${preset}_${backend}_${mp}_r$round
    KERAS_BACKEND=$backend TF_CPP_MIN_LOG_LEVEL=3 KERASGAN_NO_DOWNLOAD=1 .venv/bin/python -m kerasgan.train --preset=$preset --dataset=$data $extra --epochs=2 --steps_per_epoch=$spe --output_dir=$d --mixed_precision=$mp --tensorboard=false --verbose=2 --num_samples=16 > $d.log 2>&1
    t=$(grep -E "^$spe/$spe - " $d.log | tail -1)
    echo "$preset $backend $mp round$round: $t" | cut -c1-140
   done
  done
 done
done
