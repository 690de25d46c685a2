#!/usr/bin/env bash
# npm run test:interop — a delta exported by Tabtune loads in Python's peft and gives Tabtune's logits.
#
#   1. a Python venv at .cache/interop-venv (made once; torch is pinned so pip takes the CPU wheel)
#   2. scripts/interop/export.ts: trains each exportable method briefly on fixtures/models/tiny-bert (f32),
#      writes .cache/interop/<method>/delta.zip + logits.json (Tabtune's logits on 32 sentences)
#   3. scripts/interop/check_peft.py: loads each zip with transformers + peft, recomputes the logits as Tabtune
#      defines them (mean pooling + the saved classifier) and compares them (max |diff| <= 1e-4)
#   4. if scripts/py/requirements-adapters.txt exists: the same for AdapterHub `adapters` in a second venv
#
# Exits non-zero on any failure. The tiny f32 BERT stands in for the bundled int8 MiniLM, whose weights
# Python could not load as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY_VENV=.cache/interop-venv
ADAPTERS_VENV=.cache/interop-venv-adapters
ADAPTERS_REQS=scripts/py/requirements-adapters.txt
OUT=.cache/interop
started=$(date +%s)

make_venv() { # dir, pip args...
  local dir=$1
  shift
  if [[ -x "$dir/bin/python" && -f "$dir/.complete" ]]; then return; fi
  echo "interop: creating $dir (once; a few minutes)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet "$@"
  touch "$dir/.complete"
}

# torch pinned to the version whose CPU wheel is on this machine kind; a bare `torch` would pull CUDA builds.
make_venv "$PY_VENV" torch==2.13.0 transformers==4.57.1 peft==0.17.1 accelerate==1.15.0 psutil==7.2.2 safetensors numpy

rm -rf "$OUT"
mkdir -p "$OUT"
npx tsx scripts/interop/export.ts "$OUT"

HF_HUB_OFFLINE=1 "$PY_VENV/bin/python" scripts/interop/check_peft.py "$OUT"

# AdapterHub pins another transformers, so it gets a venv of its own, made only when there is a check to run.
if [[ ! -f "$ADAPTERS_REQS" ]]; then
  echo "interop: adapters: not run ($ADAPTERS_REQS does not exist yet)"
elif [[ ! -f scripts/interop/check_adapters.py ]]; then
  echo "interop: adapters: not run (scripts/interop/check_adapters.py does not exist yet)"
else
  make_venv "$ADAPTERS_VENV" -r "$ADAPTERS_REQS"
  HF_HUB_OFFLINE=1 "$ADAPTERS_VENV/bin/python" scripts/interop/check_adapters.py "$OUT"
fi

echo "interop: done in $(($(date +%s) - started)) s"
