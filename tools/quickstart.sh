#!/usr/bin/env bash
# One command from a fresh clone: install everything, train the DCGAN preset on real Fashion-MNIST
# for a fixed step budget (zoo/dcgan/quickstart.flags), write a sample grid and judge 5,000 samples.
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

# 3. The main job: the recipe in zoo/dcgan/quickstart.flags (dcgan, 15 epochs of 100 steps, seed 0),
#    a fixed step budget, so every machine trains the same model (only the wall-clock time differs).
#    Extra arguments are trainer flags and override the file's (e.g. --epochs=30 --output_dir=runs/x).
echo "== training dcgan on Fashion-MNIST (zoo/dcgan/quickstart.flags $*)"
start=$(date +%s)
.venv/bin/python -m kerasgan.train --flagfile=zoo/dcgan/quickstart.flags "$@"
echo "== trained in $(( $(date +%s) - start )) s."
echo "== judging 5,000 samples against 5,000 real test images (shipped Fashion-MNIST judge)"
OUT=runs/quickstart  # the flag file's --output_dir, unless an argument changes it
for arg in "$@"; do case $arg in --output_dir=*) OUT=${arg#--output_dir=} ;; esac; done
.venv/bin/python -m tools.evaluate --checkpoint="$OUT/checkpoint.keras" --grid_samples=0
echo "== done. Open $OUT/samples_final.png (per-epoch grids in $OUT/samples/); the report is $OUT/metrics.json."
