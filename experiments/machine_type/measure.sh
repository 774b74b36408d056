#!/usr/bin/env bash
# The speed figures the docs give per machine type, in one command, one stage after another.
#
# Usage (from anywhere; run it on a quiet machine, with every training run paused):
#   bash experiments/machine_type/measure.sh OUT_DIR
#   STAGES="suite quickstart" bash experiments/machine_type/measure.sh OUT_DIR
#   STAGES="heavy" bash experiments/machine_type/measure.sh OUT_DIR
#
# OUT_DIR (relative to the repository root) must be new or empty: nothing is overwritten. It
# first runs tools/setup_env.sh. Stages (default: all but heavy, in this order):
#   ci          a CI run as CI makes it: a fresh `git clone` of this repository's HEAD (not its
#               uncommitted changes) into a temporary directory, then `CI=true bash .ci/run`
#               there (set-up from nothing with an empty uv cache, data included, and the
#               tests); removed afterwards
#   suite       CI=true bash tools/test.sh --durations=0 (the CI command and its wall time, set-up
#               already done, every test's duration)
#   quickstart  bash tools/quickstart.sh into OUT_DIR/quickstart (the main job's training time)
#   peak        python tools/bench_peak.py (matmul and convolution peak per backend)
#   bench       python tools/bench.py --presets=mnist_mlp,dcgan --rounds=2 (kerasgan, hand loops,
#               PyTorch)
#   convs       python -m tools.profiler --what=convs --preset=dcgan (each convolution alone,
#               TensorFlow, JAX and PyTorch)
#   step_ops    python -m tools.profiler --what=step_ops --preset=dcgan (per-op time of a step)
#   bf16        experiments/mixed_precision/bf16_speed.sh, only on a CPU with avx512_bf16 or
#               amx_bf16 (its runs under runs/machine_type/<OUT_DIR's name>/, outside git)
#   threads     experiments/cpu_settings/run.py --study=threads (TensorFlow's thread pools and
#               XLA's Eigen threads, dcgan fit())
#   heavy       tools/bench.py on the heavy presets, one round each, kerasgan, hand loops and
#               PyTorch: shared_wgan, wgan_gp at batch 64, dcgan_celeba (three JSON files,
#               heavy_<preset>.json; not in the default stages: on Zen 4 the shared_wgan and
#               wgan_gp benches alone took 548 s and 258 s)
# Each stage's command, start, end, seconds and exit status go to OUT_DIR/stages.tsv, its output
# to OUT_DIR/<stage>.log, its JSON (where it writes one) to OUT_DIR/<stage>.json; the machine
# (CPU model, family, vector extensions, cores, load) to OUT_DIR/machine.txt. A failing stage is
# recorded and the next one runs; the exit status is non-zero if any stage failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: bash experiments/machine_type/measure.sh OUT_DIR (new or empty)}
default="ci suite quickstart peak bench convs step_ops bf16 threads"
known="$default heavy"
stages=${STAGES:-$default}
for s in $stages; do
  case " $known " in *" $s "*) ;; *) echo "error: unknown stage '$s' (stages: $known)" >&2; exit 2 ;; esac
done
if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "error: $out is not empty; pass a new or empty directory (nothing was changed)" >&2
  exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
bash tools/setup_env.sh || exit 1
export KERASGAN_NO_DOWNLOAD=1 TF_CPP_MIN_LOG_LEVEL=3
py=.venv/bin/python

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null) $(git status --porcelain --untracked-files=no | grep -q . && echo dirty || echo clean)"
  sed -n 's/^model name[[:space:]]*: /cpu: /p; s/^cpu family[[:space:]]*: /family: /p; s/^model[[:space:]]*: /model: /p' /proc/cpuinfo | sort -u
  echo "vector extensions: $(grep -m1 -o -w -E 'avx2|avx512f|avx512_bf16|avx512_vnni|amx_bf16|amx_tile|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "cores: $(nproc)"
  echo "load average: $(cat /proc/loadavg)"
} > "$out/machine.txt"
cat "$out/machine.txt"
has_bf16=$(grep -m1 -o -w -E 'avx512_bf16|amx_bf16' /proc/cpuinfo | head -1)

printf 'stage\tstarted\tended\tseconds\texit\tcommand\n' > "$out/stages.tsv"
failed=0
stage() {  # name command...
  local name=$1; shift
  local started=$SECONDS start_date
  start_date=$(date -u +%H:%M:%S)
  echo "== $name: $*"
  "$@" > "$out/$name.log" 2>&1
  local rc=$?
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$start_date" "$(date -u +%H:%M:%S)" \
    "$((SECONDS - started))" "$rc" "$*" >> "$out/stages.tsv"
  echo "   exit $rc after $((SECONDS - started)) s (log: $out/$name.log)"
  [ "$rc" = 0 ] || failed=1
}

for s in $stages; do
  case $s in
    ci)
      clone=$(mktemp -d)
      stage ci bash -c "git clone -q '$PWD' '$clone/kerasgan' && cd '$clone/kerasgan' && UV_CACHE_DIR='$clone/uv-cache' CI=true bash .ci/run"
      rm -rf "$clone" ;;
    suite) stage suite env CI=true bash tools/test.sh --durations=0 ;;
    quickstart) stage quickstart bash tools/quickstart.sh --output_dir="$out/quickstart" ;;
    peak) stage peak "$py" tools/bench_peak.py --output="$out/peak.json" ;;
    bench) stage bench "$py" tools/bench.py --presets=mnist_mlp,dcgan --rounds=2 --output="$out/bench.json" ;;
    convs) stage convs "$py" -m tools.profiler --what=convs --preset=dcgan --repeats=7 --rounds=2 --output="$out/convs.json" ;;
    step_ops) stage step_ops "$py" -m tools.profiler --what=step_ops --preset=dcgan --rounds=2 --output="$out/step_ops.json" ;;
    bf16)
      if [ -n "$has_bf16" ]; then
        # The training runs' directories (checkpoints: 150 MB in all) go under the ignored runs/.
        stage bf16 env OUT="runs/machine_type/$(basename "$out")/bf16_runs" \
          PRESETS="cdcgan_small shared_wgan msgan_small" \
          bash experiments/mixed_precision/bf16_speed.sh
      else
        echo "== bf16: skipped (no avx512_bf16 or amx_bf16 on this CPU)"
      fi ;;
    threads) stage threads "$py" experiments/cpu_settings/run.py --study=threads --presets=dcgan \
      --rounds=2 --repeats=5 --output="$out/threads.json" ;;
    heavy)
      common=(--rounds=1 --repeats=2 --pipeline=false)
      stage heavy_shared_wgan "$py" tools/bench.py --presets=shared_wgan --target_seconds=6 \
        --fastgrad=false "${common[@]}" --output="$out/heavy_shared_wgan.json"
      stage heavy_wgan_gp "$py" tools/bench.py --presets=wgan_gp --batch_size=64 --steps=3 \
        --xla=false "${common[@]}" --output="$out/heavy_wgan_gp.json"
      stage heavy_dcgan_celeba "$py" tools/bench.py --presets=dcgan_celeba --steps=3 --xla=false \
        "${common[@]}" --output="$out/heavy_dcgan_celeba.json" ;;
  esac
done
echo
column -t -s $'\t' "$out/stages.tsv" 2>/dev/null || cat "$out/stages.tsv"
exit $failed
