#!/usr/bin/env bash
# Creates .venv (if missing) and installs kerasgan with both backends and the test tools.
# Idempotent: a second run only checks what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian's Python ships venv separately.
    rm -rf .venv
    as_root apt-get install -y python3-venv >/dev/null 2>&1 \
      || { as_root apt-get update >/dev/null && as_root apt-get install -y python3-venv >/dev/null; } \
      || { echo "error: '$PYTHON -m venv' failed; install python3-venv" >&2; exit 1; }
    "$PYTHON" -m venv .venv
  fi
fi
if ! .venv/bin/python -c "import kerasgan, keras, tensorflow, jax, pytest, hypothesis" 2>/dev/null \
   || [ pyproject.toml -nt .venv/.kerasgan-installed ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch .venv/.kerasgan-installed
fi
