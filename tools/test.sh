#!/usr/bin/env bash
# Installs what the tests need, then runs the whole suite once per Keras backend.
# Usage: bash tools/test.sh [extra pytest args]
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh || exit 1
export TF_CPP_MIN_LOG_LEVEL=2 KERASGAN_NO_DOWNLOAD=1
status=0
for backend in tensorflow jax; do
  echo "=== pytest with KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
  rc=$?
  # pytest exits 5 when nothing was collected: that is a failure here too.
  if [ $rc -ne 0 ]; then echo "=== FAILED under $backend (pytest exit $rc)"; status=1; fi
done
[ $status -eq 0 ] && echo "=== all tests passed under tensorflow and jax"
exit $status
