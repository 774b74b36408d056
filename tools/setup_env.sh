#!/usr/bin/env bash
# Creates .venv (if missing), installs kerasgan with its three backends, ONNX and the test tools, and the real
# data the tests read: Debian's Fashion-MNIST (apt-get, with root or passwordless sudo; MNIST's test
# split ships inside the package).
# Idempotent: a second run only checks what is installed.
# KERASGAN_EXTRAS=test,bench also installs PyTorch (the bench extra: the PyTorch-twin tests).
# Under CI=true a dataset that cannot be installed fails the setup instead of warning.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRAS=${KERASGAN_EXTRAS:-test}
FASHION_MNIST=/usr/share/datasets/fashion-mnist

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
ci() { case "${CI:-}" in true|1|yes) return 0 ;; *) return 1 ;; esac; }

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
stamp=.venv/.kerasgan-installed
[ "$EXTRAS" = test ] || stamp=$stamp-${EXTRAS//,/-}
check="import kerasgan, keras, tensorflow, jax, torch, onnx, onnxruntime, tf2onnx, pytest, hypothesis"
case ",$EXTRAS," in *,bench,*) check="$check, torch" ;; esac
pip_setting() {  # name -> the value pip's own configuration gives it (environment or files), if any
  .venv/bin/python -m pip config list 2>/dev/null | sed -n "s/^[^.]*\.$1='\(.*\)'\$/\1/p" | tail -1
}
install_with_uv() {  # uv fetches and unpacks the wheels in parallel; pip's sources and pins apply
  .venv/bin/python -m pip install -q uv >/dev/null 2>&1 || return 1
  local links constraint index args=()
  links=$(pip_setting find-links); index=$(pip_setting index-url)
  constraint=$(pip_setting constraint)
  [ -n "$links" ] && export UV_FIND_LINKS=${UV_FIND_LINKS:-${links// /,}}
  [ -n "$index" ] && export UV_DEFAULT_INDEX=${UV_DEFAULT_INDEX:-$index}
  [ -n "$constraint" ] && [ -e "$constraint" ] && args+=(--constraint "$constraint")
  .venv/bin/uv pip install -q --python .venv/bin/python "${args[@]}" -e ".[$EXTRAS]"
}
if ! .venv/bin/python -c "$check" 2>/dev/null || [ pyproject.toml -nt "$stamp" ]; then
  # Bytecode is written below, once, on every core (pip and uv would write it one file at a time).
  if ! install_with_uv; then
    echo "== uv could not install; installing with pip (slower)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q --no-compile -e ".[$EXTRAS]"
  fi
  site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  # Some packages ship files for other Python versions that do not compile, as under pip. Left
  # out: installers, packages' own test suites and other code nothing here imports.
  .venv/bin/python -m compileall -q -j 0 \
    -x '/site-packages/(pip|setuptools|networkx)/|/tests/|/onnxruntime/(transformers|tools)/' \
    "$site" >/dev/null 2>&1 || true
  touch "$stamp"
fi

# The real-data tests read Fashion-MNIST from Debian's package (or $KERASGAN_FASHION_MNIST_DIR).
if [ ! -e "$FASHION_MNIST/train-images-idx3-ubyte.gz" ] && [ -z "${KERASGAN_FASHION_MNIST_DIR:-}" ]; then
  echo "== installing dataset-fashion-mnist (apt)"
  as_root apt-get install -y dataset-fashion-mnist >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y dataset-fashion-mnist >/dev/null; } \
    || {
      msg="could not apt-get install dataset-fashion-mnist (needs root or passwordless sudo); the real-data tests need it (or KERASGAN_FASHION_MNIST_DIR=<dir of its IDX files>)"
      if ci; then echo "error: $msg" >&2; exit 1; fi
      echo "warning: $msg; they skip" >&2
    }
fi
