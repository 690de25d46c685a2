#!/usr/bin/env bash
# The int8 PEFT parity fixtures (fixtures/int8/, see its README), from any folder:
#   1. fixtures/models/tiny-bert-int8/: the tiny BERT converted to Tabtune's int8 format by convert_model.py;
#   2. fixtures/int8/<case>-tiny.*: each golden generator with --int8 (PyTorch on those weights dequantised).
# Needs both venvs of scripts/py (requirements.txt in .venv, requirements-adapters.txt in .venv-adapters).
# Deterministic: same bytes on every run.
set -euo pipefail
cd "$(dirname "$0")"
export HF_HUB_OFFLINE=1
../../.venv/bin/python convert_model.py ../../fixtures/models/tiny-bert ../../fixtures/models/tiny-bert-int8 \
  --id tiny-bert-int8 --hub-id none --authors "Tabtune (random weights)" \
  --source "fixtures/models/tiny-bert, written by scripts/py/make_tiny_bert.py"
../../.venv/bin/python golden_peft.py --int8
../../.venv/bin/python golden_prompts.py --int8
../../.venv-adapters/bin/python golden_adapters.py --int8
