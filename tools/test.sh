#!/usr/bin/env bash
# Installs what the tests need, then runs the whole suite once per Keras backend.
# The two backends run side by side (each in its own process, log and temp dir): much of a run is
# single-threaded tracing and XLA compilation, so two of them share 2 cores well.
# Usage: bash tools/test.sh [extra pytest args]        KERASGAN_TEST_SERIAL=1: one after the other
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh || exit 1
export TF_CPP_MIN_LOG_LEVEL=2 KERASGAN_NO_DOWNLOAD=1
logs=$(mktemp -d)
run() {  # backend -> runs pytest, writes $logs/<backend>.log and $logs/<backend>.rc
  local backend=$1; shift
  mkdir -p "$logs/tmp-$backend"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest -q -p no:cacheprovider \
    --basetemp="$logs/tmp-$backend" "$@" > "$logs/$backend.log" 2>&1
  echo $? > "$logs/$backend.rc"
}
start=$(date +%s)
if [ "${KERASGAN_TEST_SERIAL:-0}" = 1 ]; then
  run tensorflow "$@"; run jax "$@"
else
  run tensorflow "$@" & run jax "$@" & wait
fi
status=0
for backend in tensorflow jax; do
  echo "=== pytest with KERAS_BACKEND=$backend"
  cat "$logs/$backend.log"
  rc=$(cat "$logs/$backend.rc" 2>/dev/null || echo 1)
  # pytest exits 5 when nothing was collected: that is a failure here too.
  if [ "$rc" -ne 0 ]; then echo "=== FAILED under $backend (pytest exit $rc)"; status=1; fi
done
echo "=== tests took $(( $(date +%s) - start )) s"
rm -rf "$logs"
[ $status -eq 0 ] && echo "=== all tests passed under tensorflow and jax"
exit $status
