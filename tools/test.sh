#!/usr/bin/env bash
# Installs what the tests need (tools/setup_env.sh), then runs the suite once per Keras backend.
#
# Usage:
#   bash tools/test.sh [pytest args]          the default suite (-m "not slow and not torch")
#   bash tools/test.sh --slow [pytest args]   the long tests instead: every test marked `slow`
#                                             (long trainings, the full preset matrix under JAX,
#                                             the tools' and studies' end-to-end runs) and the
#                                             PyTorch-twin tests (marked `torch`; installs
#                                             the bench extra, torch==2.13.0). Run it before
#                                             closing a change to the trainer, the presets or the
#                                             benchmark tool.
#   KERASGAN_TEST_SERIAL=1 bash tools/test.sh one backend after the other
#
# A third pass runs the backend-parity subset under KERAS_BACKEND=torch (the PyTorch trainer,
# checkpoints, shipped weights against TensorFlow's record, ONNX export, the NaN stop) after
# whichever of the TensorFlow and JAX passes ends first; with --slow it runs the preset matrix,
# the GAN, resume and loss tests under torch as well.
#
# The two backends run side by side (each in its own process, log and temp dir): much of a run is
# single-threaded tracing and XLA compilation, so two share 2 cores well. Tests marked
# `backend_neutral` (their subject does not depend on the Keras backend) run in one pass only, the
# one their marker names, so that the two passes end together; each pass compiles a computation
# once (tests/conftest.py: a compilation cache per run). It first prints the machine (CPU model,
# family, cores, vector extensions), so that its wall times can be compared. Each backend's output
# streams live, every line prefixed with its backend; the end repeats each backend's 15 slowest
# tests, its summary and its wall time, then the seconds of the tests, of the set-up and of both
# (a CI run's time). Exits non-zero if either backend fails, including pytest's exit 5 (no tests
# collected); a pass for which the tests named on the command line select nothing (backend-neutral
# tests run in one pass only) is reported as such, and the run fails only if no pass ran a test.
set -uo pipefail
cd "$(dirname "$0")/.."
marks="not slow and not torch"
torch_marks="not slow and not torch"
torch_files="tests/test_torch_backend.py tests/test_onnx_export.py tests/test_saved_files.py tests/test_nan_stop.py tests/test_augment.py tests/test_mode_seeking.py"
if [ "${1:-}" = --slow ]; then
  shift
  marks="slow or torch"
  torch_marks="not torch"
  torch_files="$torch_files tests/test_presets.py tests/test_gan.py tests/test_ema_start_and_r1.py tests/test_losses.py tests/test_resume.py"
  export KERASGAN_EXTRAS=test,bench KERASGAN_REQUIRE_TORCH=1
fi
setup_start=$SECONDS
bash tools/setup_env.sh || exit 1
setup_s=$(( SECONDS - setup_start ))
export TF_CPP_MIN_LOG_LEVEL=2 KERASGAN_NO_DOWNLOAD=1 PYTHONUNBUFFERED=1
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run() {  # backend [pytest args] -> streams "[backend] ..." lines; writes $logs/<backend>.{log,rc,s}
  local backend=$1; shift
  local started=$SECONDS
  mkdir -p "$logs/tmp-$backend"
  {
    KERAS_BACKEND=$backend .venv/bin/python -m pytest -v -p no:cacheprovider -m "${run_marks:-$marks}" \
      --durations=15 --durations-min=0.5 --basetemp="$logs/tmp-$backend" "$@" 2>&1
    echo $? > "$logs/$backend.rc"
  } | tee "$logs/$backend.log" | sed -u "s/^/[$backend] /"
  echo $(( SECONDS - started )) > "$logs/$backend.s"
}

torch_pass() {  # a parity subset (the full suite stays on TensorFlow and JAX)
  echo "=== pytest -m \"$torch_marks\" under torch: $torch_files"
  # shellcheck disable=SC2086
  run_marks=$torch_marks run torch $torch_files "$@"
}

start=$SECONDS
# The machine, so that the wall times below can be compared (CPU model and vector extensions).
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
isa=$(grep -m1 -o -w -E 'avx2|avx512f|avx512_bf16|amx_bf16|amx_tile' /proc/cpuinfo 2>/dev/null \
  | sort -u | tr '\n' ' ')
family=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "=== machine: ${cpu:-unknown CPU} (family ${family:-?}), $(nproc) cores; vector extensions: ${isa:-unknown}"
echo "=== pytest -m \"$marks\" under tensorflow and jax ($(nproc) cores)"
if [ "${KERASGAN_TEST_SERIAL:-0}" = 1 ]; then
  run tensorflow "$@"; run jax "$@"; torch_pass "$@"
else
  # The torch pass starts when the first of the two ends: which one that is depends on the
  # machine (BUILD_NOTES.md, "Tests and CI").
  run tensorflow "$@" & run jax "$@" & wait -n; torch_pass "$@"; wait
fi
status=0
ran=0
for backend in tensorflow jax torch; do
  echo
  echo "=== $backend: slowest tests"
  sed -n '/slowest .*durations/,/^=/p' "$logs/$backend.log" | grep -v '^=' | head -16
  echo "=== $backend: $(grep -E '^=+ .*(passed|failed|error|deselected|no tests ran).* =+$' "$logs/$backend.log" | tail -1 | tr -d '=' | xargs) ($(cat "$logs/$backend.s" 2>/dev/null || echo '?') s)"
  rc=$(cat "$logs/$backend.rc" 2>/dev/null || echo 1)
  # pytest exits 5 when nothing was collected: a failure here too, except where the tests or
  # files named on the command line hold nothing for this pass (backend-neutral tests run in one
  # pass only), as long as another pass ran some.
  if [ "$rc" -eq 5 ] && [ "$#" -gt 0 ] && grep -qE 'collected [1-9][0-9]* items? / [0-9]+ deselected( / [0-9]+ skipped)? / 0 selected' \
      "$logs/$backend.log"; then
    echo "=== nothing to run under $backend in this selection"
  elif [ "$rc" -ne 0 ]; then
    echo "=== FAILED under $backend (pytest exit $rc)"; status=1
  else
    ran=1
  fi
done
if [ $status -eq 0 ] && [ $ran -eq 0 ]; then echo "=== FAILED: no pass ran a test"; status=1; fi
tests_s=$(( SECONDS - start ))
echo "=== tests took $tests_s s; set-up $setup_s s; in all $(( SECONDS - setup_start )) s"
[ $status -eq 0 ] && echo "=== all tests passed under tensorflow, jax and torch"
exit $status
