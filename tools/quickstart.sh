#!/usr/bin/env bash
# One command from a fresh clone: install everything (kerasgan, both backends, Fashion-MNIST), train
# the main job's recipe on real Fashion-MNIST for a fixed step budget, write a sample grid and judge
# 5,000 samples with both shipped Fashion-MNIST judges.
# Usage: bash tools/quickstart.sh [extra kerasgan.train flags, e.g. --output_dir=runs/x --seed=1]
# A second call continues the same run (--resume): a finished run is only judged again; nothing the
# first call wrote is deleted; a run of another preset in the output directory stops the script
# before anything else. Set-up and TensorFlow's start-up messages go to runs/quickstart.log.
set -euo pipefail
cd "$(dirname "$0")/.."
FLAGFILE=zoo/msgan_small/quickstart.flags
OUT=runs/quickstart  # the flag file's --output_dir, unless an argument changes it
PRESET=$(sed -n 's/^--preset=//p' "$FLAGFILE")
for arg in "$@"; do
  case $arg in --output_dir=*) OUT=${arg#--output_dir=} ;; --preset=*) PRESET=${arg#--preset=} ;; esac
done
# A run of another preset in $OUT (e.g. an earlier main job's) is kept: say so before anything.
HELD=
if [ -f "$OUT/config.json" ]; then
  HELD=$(sed -n 's/^[[:space:]]*"preset":[[:space:]]*"\([^"]*\)".*/\1/p' "$OUT/config.json" | head -1)
fi
if [ -n "$HELD" ] && [ "$HELD" != "$PRESET" ]; then
  echo "error: $OUT holds a run of the preset '$HELD', not '$PRESET'; nothing was changed." >&2
  echo "       Train into another directory (bash tools/quickstart.sh --output_dir=runs/quickstart_$PRESET)," >&2
  echo "       or move $OUT away first." >&2
  exit 1
fi
mkdir -p runs
LOG=runs/quickstart.log
: > "$LOG"
fail() { echo "error: $1 failed; the last lines of $LOG:" >&2; tail -n 30 "$LOG" >&2; exit 1; }

# 1. Python environment with both backends, and Debian's Fashion-MNIST (the full 70,000 images).
echo "== setting up .venv (kerasgan, TensorFlow, JAX) and Fashion-MNIST; log: $LOG"
bash tools/setup_env.sh >> "$LOG" 2>&1 || fail "set-up"

# 2. The main job: a fixed step budget, so every machine trains the same model (only the time
#    differs). Extra arguments are trainer flags and override the file's.
echo "== training on Fashion-MNIST ($FLAGFILE $*)"
export TF_CPP_MIN_LOG_LEVEL=3 KERAS_BACKEND=${KERAS_BACKEND:-tensorflow}
start=$(date +%s)
# Keras' progress bar goes to the screen (stdout), TensorFlow's C++ start-up log to $LOG (stderr).
.venv/bin/python -m kerasgan.train --flagfile="$FLAGFILE" --resume --verbose=1 "$@" 2>> "$LOG" \
  || fail "training"
train_seconds=$(( $(date +%s) - start ))

# 3. The judges: 5,000 samples against 5,000 real test images, in each judge's feature space.
echo "== judging 5,000 samples against 5,000 real test images (both shipped judges)"
.venv/bin/python -m tools.evaluate --checkpoint="$OUT/checkpoint.keras" --grid_samples=0 \
  > "$OUT/metrics.txt" 2>> "$LOG" || fail "judging"
.venv/bin/python - "$OUT" "$train_seconds" <<'EOF' 2>> "$LOG" || fail "the summary"
import json, sys
out, seconds = sys.argv[1], int(sys.argv[2])
r = json.load(open(f"{out}/metrics.json"))
fds = ", ".join(f"{name} {j['fd']:.1f}" for name, j in r["judges"].items())
hist = r["class_histogram"]
print(f"== done: trained {r.get('step', '?')} steps in {seconds} s (wall, this call)")
print(f"   FD (lower is better; real vs real about 1): {fds}")
print(f"   recall {r['recall']:.2f}, precision {r['precision']:.2f}, "
      f"{r['classes_covered']} of {len(hist)} classes, smallest class {min(hist):.1%} of samples")
print(f"   samples: {out}/samples_final.png (one row per class; per-epoch grids in {out}/samples/)")
print(f"   report:  {out}/metrics.json (full text: {out}/metrics.txt)")
EOF
