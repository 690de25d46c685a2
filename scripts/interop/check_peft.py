"""Interop step 2 (scripts/interop/run.sh): every zip Tabtune exported for peft (or plain torch) loads in Python
and gives Tabtune's logits (common.py says how).

    HF_HUB_OFFLINE=1 .cache/interop-venv/bin/python scripts/interop/check_peft.py .cache/interop

Per layout:
- LoRA (SEQ_CLS): BertForSequenceClassification + PeftModel; its bert with the adapter active, mean pooling, the
  classifier peft restored from modules_to_save (not BertForSequenceClassification's own [CLS]-pooler forward).
- prompt learning (FEATURE_EXTRACTION): PeftModel on a BertModel, whose forward puts peft's prompt in (virtual
  tokens before the text for prompt tuning and P-tuning, keys/values in every layer for prefix tuning and P-tuning
  v2); mean pooling over the mask peft passes to BERT (prompt + text, or text alone); classifier.safetensors.
- head only: the frozen BertModel and classifier.safetensors as a torch.nn.Linear.
Also: the weights peft holds after loading are exactly the file's (peft only warns on missing or unexpected keys),
and the delta changes the output (it is really applied).
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import BertForSequenceClassification, BertModel
from transformers.utils import logging as hf_logging

from common import ENCODER_DIR, REPO_ROOT, check_effect, load_classifier, run_checks, tabtune_logits


def loaded_as_saved(model, folder: Path) -> int:
    """The adapter tensors peft holds equal the file's; their number."""
    from peft import get_peft_model_state_dict

    saved = load_file(str(folder / "adapter_model.safetensors"))
    held = get_peft_model_state_dict(model, save_embedding_layers=False)
    if sorted(saved) != sorted(held):
        missing, extra = sorted(set(held) - set(saved)), sorted(set(saved) - set(held))
        raise AssertionError(f"peft holds other tensors than the file: missing {missing[:3]}, not loaded {extra[:3]}")
    worst = max((saved[k] - held[k]).abs().max().item() for k in saved)
    if worst != 0:
        raise AssertionError(f"peft's loaded tensors differ from the file by {worst}")
    return len(saved)


def check_peft(folder: Path, manifest: dict, batch: dict, normalize: bool) -> tuple[torch.Tensor, str]:
    from peft import PeftModel

    if manifest["files"].get("classifier"):
        return check_peft_features(folder, manifest, batch, normalize)
    base = BertForSequenceClassification.from_pretrained(
        str(ENCODER_DIR), num_labels=len(manifest["task"]["labels"]), attn_implementation="eager")
    model = PeftModel.from_pretrained(base, str(folder)).eval()
    count = loaded_as_saved(model, folder)
    # The encoder with the adapter active, and the classifier peft restored from modules_to_save.
    encoder, head = model.base_model.model.bert, model.base_model.model.classifier
    logits = tabtune_logits(encoder, head, batch, normalize)
    with model.disable_adapter():
        effect = check_effect(logits, tabtune_logits(encoder, head, batch, normalize))
    return logits, f"peft {model.peft_config['default'].peft_type.value} SEQ_CLS, {count} tensors, effect {effect:.2e}"


def check_peft_features(folder: Path, manifest: dict, batch: dict, normalize: bool) -> tuple[torch.Tensor, str]:
    from peft import PeftModel

    base = BertModel.from_pretrained(str(ENCODER_DIR), attn_implementation="eager")
    model = PeftModel.from_pretrained(base, str(folder)).eval()
    config = model.peft_config["default"]
    if not config.is_prompt_learning or config.task_type != "FEATURE_EXTRACTION":
        raise AssertionError(f"expected a FEATURE_EXTRACTION prompt-learning adapter, got {config.peft_type} {config.task_type}")
    count = loaded_as_saved(model, folder)
    head = load_classifier(folder / "classifier.safetensors")
    logits = tabtune_logits(model, head, batch, normalize)  # peft's forward: prompt in, token_type_ids dropped
    effect = check_effect(logits, tabtune_logits(model.base_model, head, batch, normalize))  # the bare BertModel
    return logits, f"peft {config.peft_type.value} FEATURE_EXTRACTION + classifier.safetensors, {count} tensor, effect {effect:.2e}"


def check_head_only(folder: Path, manifest: dict, batch: dict, normalize: bool) -> tuple[torch.Tensor, str]:
    encoder = BertModel.from_pretrained(str(ENCODER_DIR), attn_implementation="eager").eval()
    head = load_classifier(folder / "classifier.safetensors")
    return tabtune_logits(encoder, head, batch, normalize), "torch.nn.Linear on the frozen encoder"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO_ROOT / ".cache/interop")
    hf_logging.set_verbosity_error()  # "classifier newly initialized": peft replaces it from modules_to_save
    warnings.filterwarnings("ignore", message="Token type ids are not supported")  # all 0 here; the README says so
    return 1 if run_checks(out, {"peft": check_peft, "none": check_head_only}) else 0


if __name__ == "__main__":
    sys.exit(main())
