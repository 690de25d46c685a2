"""Interop step 3 (scripts/interop/run.sh): every zip Tabtune exported for AdapterHub loads with `adapters` 1.2.0
and gives Tabtune's logits (common.py says how). Runs in a venv of its own (adapters pins transformers 4.51.x):

    HF_HUB_OFFLINE=1 .cache/interop-adapters-venv/bin/python scripts/interop/check_adapters.py .cache/interop

A BertModel with adapters.init, load_adapter(folder, use_safetensors=True) + set_active_adapters, as the zip's
README says; mean pooling; classifier.safetensors as a torch.nn.Linear (Tabtune's head pools by the mean, which no
AdapterHub head does). Also: the adapter tensors the model holds are exactly the file's, under the adapter's
name, and the adapter changes the output.
"""
from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import adapters
import torch
from safetensors.torch import load_file
from transformers import BertModel
from transformers.utils import logging as hf_logging

from common import ENCODER_DIR, REPO_ROOT, check_effect, load_classifier, run_checks, tabtune_logits


def check_adapters(folder: Path, manifest: dict, batch: dict, normalize: bool) -> tuple[torch.Tensor, str]:
    encoder = BertModel.from_pretrained(str(ENCODER_DIR), attn_implementation="eager")
    adapters.init(encoder)
    name = encoder.load_adapter(str(folder), use_safetensors=True)
    encoder.set_active_adapters(name)
    encoder.eval()

    # load_adapter warns, not fails, on keys it cannot place: compare the model's adapter tensors with the file.
    saved = {k.removeprefix("bert."): v for k, v in load_file(str(folder / "adapter.safetensors")).items()}
    held = {k: v for k, v in encoder.state_dict().items() if f".adapters.{name}." in k}
    if sorted(saved) != sorted(held):
        missing, extra = sorted(set(held) - set(saved)), sorted(set(saved) - set(held))
        raise AssertionError(f"the model holds other adapter tensors than the file: missing {missing[:3]}, not loaded {extra[:3]}")
    worst = max((saved[k] - held[k]).abs().max().item() for k in saved)
    if worst != 0:
        raise AssertionError(f"the loaded adapter differs from the file by {worst}")

    head = load_classifier(folder / "classifier.safetensors")
    logits = tabtune_logits(encoder, head, batch, normalize)
    encoder.set_active_adapters(None)
    effect = check_effect(logits, tabtune_logits(encoder, head, batch, normalize))
    encoder.set_active_adapters(name)
    scaling = encoder.adapters_config.get(name)["scaling"]
    return logits, f"adapters {adapters.__version__} adapter {name!r} (scaling {scaling}), {len(saved)} tensors, effect {effect:.2e}"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO_ROOT / ".cache/interop")
    hf_logging.set_verbosity_error()
    logging.getLogger("adapters").setLevel(logging.ERROR)  # "none are activated": the effect check turns them off
    warnings.filterwarnings("ignore", category=FutureWarning)
    return 1 if run_checks(out, {"adapters": check_adapters}) else 0


if __name__ == "__main__":
    sys.exit(main())
