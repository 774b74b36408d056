#!/usr/bin/env bash
# The test suite on the code paths of a CPU without AVX-512, emulated on one that has it, beside
# the same suite run plainly: what fails only there, and every test's CPU seconds in both runs.
#
# Usage (from anywhere; quiet machine, every training run paused; about 11 minutes on Zen 4):
#   bash experiments/machine_type/emulate_avx2.sh OUT_DIR
#
# OUT_DIR (relative to the repository root) must be new or empty. Emulated: oneDNN capped at AVX2
# (ONEDNN_MAX_CPU_ISA=AVX2), XLA's code generation capped too (--xla_cpu_max_isa=AVX2), and
# kerasgan's cpu_has_avx512() answering False (avx2_emulation/sitecustomize.py, on PYTHONPATH for
# every process, those the tests start included), so jit_compile="auto" and the JAX convolution
# paths choose as on such a CPU.
# Not emulated: the cores' speed (the run shows what the AVX2 type's own choices cost, not how
# fast its cores are), and TensorFlow's choice of bfloat16 kernels, which it makes from the CPU's
# own flags (oneDNN's wherever the CPU has AVX512F): under the cap oneDNN refuses them, so the
# TensorFlow tests that train in bfloat16 abort in the emulated run (the two-device checks of
# tests/test_distribution.py, the ONNX export of a bfloat16 generator). Those run again with
# TF_ENABLE_ONEDNN_OPTS=0, on the Eigen kernels TensorFlow takes for bfloat16 on an AVX2 CPU.
# The check that kerasgan's answer matches /proc/cpuinfo is left out of the emulated run.
#
# Writes OUT_DIR/machine.txt, plain.log, avx2.log, bf16_eigen.log, plain/<backend>.tsv and
# avx2/<backend>.tsv (test, own CPU s, child processes' CPU s, wall s) and summary.txt. Exits
# non-zero if the plain run fails, if a test fails in the emulated run other than those bfloat16
# ones, or if they fail on Eigen's kernels.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
out=${1:?usage: bash experiments/machine_type/emulate_avx2.sh OUT_DIR (new or empty)}
if [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "error: $out is not empty; pass a new or empty directory (nothing was changed)" >&2
  exit 1
fi
mkdir -p "$out/plain" "$out/avx2"
out=$(cd "$out" && pwd)
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  state=$(git status --porcelain --untracked-files=no | grep -q . && echo dirty || echo clean)
  echo "commit: $(git rev-parse HEAD) $state"
  sed -n 's/^model name[[:space:]]*: /cpu: /p; s/^cpu family[[:space:]]*: /family: /p;
          s/^model[[:space:]]*: /model: /p' /proc/cpuinfo | sort -u
  isa=$(grep -m1 -o -w -E 'avx2|avx512f|avx512_bf16|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')
  echo "vector extensions: $isa"
  echo "cores: $(nproc)"
  echo "load average: $(cat /proc/loadavg)"
} > "$out/machine.txt"
cat "$out/machine.txt"

plugins=$here  # cpu_per_test.py, the per-test CPU plugin
cpuinfo_check=tests/test_zoo_registry.py::test_jit_compile_auto_is_the_faster_step_of_this_cpu
onnx_bf16=tests/test_onnx_export.py::test_a_generator_trained_in_bfloat16_exports_a_float32_model
emulation=(PYTHONPATH="$here/avx2_emulation:$plugins" ONEDNN_MAX_CPU_ISA=AVX2
           XLA_FLAGS=--xla_cpu_max_isa=AVX2)

echo "=== plain: CI=true bash tools/test.sh -p cpu_per_test"
TEST_CPU_DIR=$out/plain CI=true PYTHONPATH="$plugins" \
  bash tools/test.sh -p cpu_per_test > "$out/plain.log" 2>&1
plain_rc=$?
echo "=== emulated: the same under ${emulation[*]}"
env "${emulation[@]}" TEST_CPU_DIR="$out/avx2" CI=true \
  bash tools/test.sh -p cpu_per_test --deselect "$cpuinfo_check" > "$out/avx2.log" 2>&1
avx2_rc=$?
echo "=== the bfloat16 tests on Eigen's kernels (TF_ENABLE_ONEDNN_OPTS=0)"
env "${emulation[@]}" TF_ENABLE_ONEDNN_OPTS=0 KERAS_BACKEND=tensorflow CI=true \
  .venv/bin/python -m pytest -q -p no:cacheprovider -k "not multi_worker" \
  tests/test_distribution.py "$onnx_bf16" > "$out/bf16_eigen.log" 2>&1
eigen_rc=$?

.venv/bin/python - "$out" "$plain_rc" "$avx2_rc" "$eigen_rc" "$onnx_bf16" <<'EOF' \
  | tee "$out/summary.txt"
import collections, re, sys

out, onnx_bf16 = sys.argv[1], sys.argv[5]
plain_rc, avx2_rc, eigen_rc = (int(rc) for rc in sys.argv[2:5])

def cpu(run):
    table = {}
    for backend in ("tensorflow", "jax", "torch"):
        try:
            with open(f"{out}/{run}/{backend}.tsv") as f:
                for line in f:
                    test, own, children, _ = line.rstrip("\n").split("\t")
                    table[(backend, test)] = float(own) + float(children)
        except FileNotFoundError:
            pass
    return table

plain, avx2 = cpu("plain"), cpu("avx2")
failed = collections.defaultdict(list)
with open(f"{out}/avx2.log") as f:
    for line in f:
        m = re.match(r"\[(\w+)\] (?:FAILED|ERROR) (\S+)", line)
        if m:
            failed[m.group(1)].append(m.group(2))

def bf16_abort(backend, test):
    return backend == "tensorflow" and (
        test == onnx_bf16 or (test.startswith("tests/test_distribution.py::")
                              and "multi_worker" not in test))

unexpected = [(b, t) for b, tests in failed.items() for t in tests if not bf16_abort(b, t)]
print(f"plain run: exit {plain_rc}")
# A failing run with no failed test named (a crash, no test collected) is a failure too.
crashed = avx2_rc != 0 and not failed
print(f"emulated run: exit {avx2_rc}, {sum(map(len, failed.values()))} failed or errored"
      f" ({len(unexpected)} other than the bfloat16 tests on oneDNN)")
for backend, test in unexpected:
    print(f"  {backend} {test}")
print(f"bfloat16 tests on Eigen's kernels: exit {eigen_rc}")
both = sorted(set(plain) & set(avx2))
aborted = {(b, t) for b, tests in failed.items() for t in tests}
print("CPU seconds of the tests both runs completed (own + child processes):")
for backend in ("tensorflow", "jax", "torch"):
    keys = [k for k in both if k[0] == backend and k not in aborted]
    print(f"  {backend}: {len(keys)} tests, plain {sum(plain[k] for k in keys):.0f},"
          f" emulated {sum(avx2[k] for k in keys):.0f}")
print("largest differences, emulated - plain:")
for key in sorted((k for k in both if k not in aborted), key=lambda k: plain[k] - avx2[k])[:10]:
    print(f"  {avx2[key] - plain[key]:+6.2f} s  {key[0]} {key[1]}")
sys.exit(1 if plain_rc or crashed or unexpected or eigen_rc or not both else 0)
EOF
