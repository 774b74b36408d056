#!/usr/bin/env bash
# One command from a fresh clone: install everything, then train the DCGAN preset on real
# Fashion-MNIST for a fixed step budget and write a sample grid.
# Usage: bash tools/quickstart.sh [extra kerasgan.train flags]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }

# 1. Real data: Debian's Fashion-MNIST (the full 70,000 images as IDX files).
if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && [ -z "${KERASGAN_FASHION_MNIST_DIR:-}" ]; then
  echo "== installing dataset-fashion-mnist (apt)"
  as_root apt-get install -y dataset-fashion-mnist >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y dataset-fashion-mnist >/dev/null; } \
    || echo "warning: could not apt-get dataset-fashion-mnist; kerasgan will try TFDS/keras.datasets downloads"
fi

# 2. Python environment with both backends.
echo "== installing kerasgan into .venv"
bash tools/setup_env.sh

# 3. The main job: a fixed step budget, so every machine gets the same model (only the
#    wall-clock time differs).
STEPS_PER_EPOCH=${STEPS_PER_EPOCH:-100}
EPOCHS=${EPOCHS:-15}
OUT=${OUT:-runs/quickstart}
echo "== training dcgan on Fashion-MNIST: $EPOCHS x $STEPS_PER_EPOCH steps -> $OUT"
start=$(date +%s)
.venv/bin/python -m kerasgan.train --preset=dcgan --dataset=fashion_mnist \
  --epochs="$EPOCHS" --steps_per_epoch="$STEPS_PER_EPOCH" --seed=0 --output_dir="$OUT" "$@"
echo "== done in $(( $(date +%s) - start )) s. Open $OUT/samples_final.png (per-epoch grids in $OUT/samples/)."
