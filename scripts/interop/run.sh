#!/usr/bin/env bash
# npm run test:interop — a delta of every method, exported by Tabtune, loads in its Python library and gives
# Tabtune's logits.
#
#   1. Python venvs: .cache/interop-venv (transformers 4.57.1 + peft 0.17.1) and .cache/interop-adapters-venv
#      (AdapterHub adapters 1.2.0, which pins transformers 4.51.x; scripts/py/requirements-adapters.txt), each
#      made once; torch is pinned so pip takes the local CPU wheel
#   2. scripts/interop/export.ts: trains every registry method briefly on fixtures/models/tiny-bert (f32),
#      writes .cache/interop/<method>/delta.zip + logits.json (Tabtune's logits on 32 sentences)
#   3. scripts/interop/check_peft.py (peft and head-only zips) and check_adapters.py (AdapterHub zips): load each
#      zip as its README says, recompute the logits as Tabtune defines them (mean pooling + the saved
#      classifier), compare (max |diff| <= 1e-4), run the README's Python too; one line per method
#
# Ends with "N passed, N failed" over every exported method (one no checker passed counts as failed) and exits
# non-zero on any failure. The tiny f32 BERT stands in for the bundled int8 MiniLM, whose weights Python could
# not load as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY_VENV=.cache/interop-venv
ADAPTERS_VENV=.cache/interop-adapters-venv
ADAPTERS_REQS=scripts/py/requirements-adapters.txt
OUT=.cache/interop
started=$(date +%s)

make_venv() { # dir, then one quoted list of pip-install arguments per install step, in order
  local dir=$1 step
  shift
  if [[ -x "$dir/bin/python" && -f "$dir/.complete" ]]; then return; fi
  echo "interop: creating $dir (once; a few minutes)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  for step in "$@"; do
    # shellcheck disable=SC2086 # a step is a list of pip arguments
    "$dir/bin/pip" install --quiet $step
  done
  touch "$dir/.complete"
}

# torch pinned to the version whose CPU wheel is on this machine kind; a bare `torch` would pull CUDA builds.
make_venv "$PY_VENV" "torch==2.13.0 transformers==4.57.1 peft==0.17.1 accelerate==1.15.0 psutil==7.2.2 safetensors numpy"

rm -rf "$OUT"
mkdir -p "$OUT"
npx tsx --import ./scripts/wgsl-hook.mjs scripts/interop/export.ts "$OUT"

make_venv "$ADAPTERS_VENV" torch==2.13.0 "-r $ADAPTERS_REQS" # torch first: the local CPU wheel

# Each checker prints its methods' lines and writes OUT/<method>/verdict; a checker's exit status adds nothing.
HF_HUB_OFFLINE=1 "$PY_VENV/bin/python" scripts/interop/check_peft.py "$OUT" || true
HF_HUB_OFFLINE=1 "$ADAPTERS_VENV/bin/python" scripts/interop/check_adapters.py "$OUT" || true

passed=0 failed=0
for zip in "$OUT"/*/delta.zip; do
  dir=$(dirname "$zip")
  if [[ "$(cat "$dir/verdict" 2>/dev/null)" == passed ]]; then
    passed=$((passed + 1))
  else
    [[ -f "$dir/verdict" ]] || echo "interop: $(basename "$dir"): FAIL: no checker looked at it"
    failed=$((failed + 1))
  fi
done
echo "interop: $passed passed, $failed failed (in $(($(date +%s) - started)) s)"
[[ $failed -eq 0 && $passed -gt 0 ]]
