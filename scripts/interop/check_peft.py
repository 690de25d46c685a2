"""Interop step 2 (scripts/interop/run.sh): every zip Tabtune exported loads in Python and gives Tabtune's logits.

    HF_HUB_OFFLINE=1 .cache/interop-venv/bin/python scripts/interop/check_peft.py .cache/interop

For each OUT/<method>/ written by export.ts: unzips delta.zip (Python's zipfile, which checks CRCs), loads it
the way its README tells a user to, and computes the logits as Tabtune defines them: the encoder's
last_hidden_state (adapter active), mean pooling over the attention mask, the saved classifier. That is not
BertForSequenceClassification's own forward, which classifies the pooler's [CLS] output instead.

Checks per method: the weights peft holds after loading are exactly the file's (peft only warns on missing
or unexpected keys), the adapter changes the output (it is really applied), and max |logits - Tabtune's| <= 1e-4.
Prints one line per method and a closing "N passed, N failed"; exits 1 on any failure.
"""
from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import BertForSequenceClassification, BertModel
from transformers.utils import logging as hf_logging

REPO_ROOT = Path(__file__).resolve().parents[2]
ENCODER_DIR = REPO_ROOT / "fixtures/models/tiny-bert"  # the f32 encoder export.ts trained on
TOL_LOGITS = 1e-4
MIN_ADAPTER_EFFECT = 1e-4  # an adapter that changes no logit by more than this was probably not loaded


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor, normalize: bool) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [batch, hidden]
    return torch.nn.functional.normalize(pooled, dim=-1) if normalize else pooled


def tabtune_logits(encoder: torch.nn.Module, head: torch.nn.Module, batch: dict, normalize: bool) -> torch.Tensor:
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state  # [batch, seq, hidden]
        return head(mean_pool(hidden, batch["attention_mask"], normalize))  # [batch, classes]


def check_peft(folder: Path, manifest: dict, batch: dict, normalize: bool) -> tuple[torch.Tensor, str]:
    from peft import PeftModel, get_peft_model_state_dict

    config = json.loads((folder / "adapter_config.json").read_text())
    peft_type = config["peft_type"]
    base = BertForSequenceClassification.from_pretrained(
        str(ENCODER_DIR), num_labels=len(manifest["task"]["labels"]), attn_implementation="eager")
    model = PeftModel.from_pretrained(base, str(folder)).eval()
    if model.peft_config["default"].is_prompt_learning:
        raise NotImplementedError(f"peft_type {peft_type}: prompt-learning methods need their own logits path here")

    saved = load_file(str(folder / "adapter_model.safetensors"))
    held = get_peft_model_state_dict(model, save_embedding_layers=False)
    if sorted(saved) != sorted(held):
        missing, extra = sorted(set(held) - set(saved)), sorted(set(saved) - set(held))
        raise AssertionError(f"peft holds other tensors than the file: missing {missing[:3]}, not loaded {extra[:3]}")
    worst = max((saved[k] - held[k]).abs().max().item() for k in saved)
    if worst != 0:
        raise AssertionError(f"peft's loaded tensors differ from the file by {worst}")

    # The encoder with the adapter active, and the classifier peft restored from modules_to_save.
    encoder, head = model.base_model.model.bert, model.base_model.model.classifier
    logits = tabtune_logits(encoder, head, batch, normalize)
    with model.disable_adapter():
        effect = (logits - tabtune_logits(encoder, head, batch, normalize)).abs().max().item()
    if effect <= MIN_ADAPTER_EFFECT:
        raise AssertionError(f"the adapter changes the logits by only {effect:.1e}: was it applied?")
    return logits, f"peft {peft_type}, {len(saved)} tensors, adapter effect {effect:.2e}"


def check_head_only(folder: Path, manifest: dict, batch: dict, normalize: bool) -> tuple[torch.Tensor, str]:
    encoder = BertModel.from_pretrained(str(ENCODER_DIR), attn_implementation="eager").eval()
    state = load_file(str(folder / "classifier.safetensors"))
    classes, hidden = state["weight"].shape
    head = torch.nn.Linear(hidden, classes)
    head.load_state_dict(state)  # strict: exactly weight and bias
    return tabtune_logits(encoder, head, batch, normalize), "torch.nn.Linear on the frozen encoder"


CHECKS = {"peft": check_peft, "none": check_head_only}


def readme_logits(folder: Path, manifest: dict, texts: list[str]) -> torch.Tensor:
    """Runs the Python in the zip's README.md as a user would (their folder and encoder path filled in)."""
    readme = (folder / "README.md").read_text()
    code = "\n".join(block.split("\n", 1)[1] for block in readme.split("```")[1::2] if block.startswith("python"))
    code = code.replace("path/to/this/folder", str(folder)).replace(json.dumps(manifest["encoder"]["id"]), json.dumps(str(ENCODER_DIR)))
    code = "\n".join(line for line in code.split("\n") if not line.startswith("print("))  # define, do not predict
    scope: dict = {}
    exec(compile(code, str(folder / "README.md"), "exec"), scope)
    return scope["tabtune_logits"](texts)


def check(method_dir: Path) -> str:
    ref = json.loads((method_dir / "logits.json").read_text())
    folder = method_dir / "delta"
    with zipfile.ZipFile(method_dir / "delta.zip") as z:
        bad = z.testzip()
        if bad is not None:
            raise AssertionError(f"{bad} fails its CRC in Python's zipfile")
        z.extractall(folder)
    manifest = json.loads((folder / "tabtune.json").read_text())
    if manifest["library"] != ref["library"]:
        raise AssertionError(f"tabtune.json says library {manifest['library']}, export.ts said {ref['library']}")
    pooling = manifest["encoder"]["pooling"]
    if pooling["mode"] != "mean":
        raise NotImplementedError(f"pooling {pooling['mode']}")
    batch = {k: torch.tensor(ref[k]) for k in ("input_ids", "attention_mask", "token_type_ids")}
    logits, what = CHECKS[manifest["library"]](folder, manifest, batch, pooling["normalize"])
    diff = (logits - torch.tensor(ref["logits"])).abs().max().item()
    verdict = "ok" if diff <= TOL_LOGITS else f"FAIL (> {TOL_LOGITS})"
    line = f"{what}; {logits.shape[0]} sentences x {logits.shape[1]} classes, max |diff| vs Tabtune {diff:.2e}: {verdict}"
    if diff > TOL_LOGITS:
        raise AssertionError(line)
    readme_diff = (readme_logits(folder, manifest, ref["texts"]) - torch.tensor(ref["logits"])).abs().max().item()
    if readme_diff > TOL_LOGITS:
        raise AssertionError(f"{line}; but the README's snippet (with its own tokenizer) is off by {readme_diff:.2e}")
    return f"{line}; README snippet {readme_diff:.2e}: ok"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO_ROOT / ".cache/interop")
    torch.manual_seed(0)
    hf_logging.set_verbosity_error()  # "classifier newly initialized": peft replaces it from modules_to_save
    passed = failed = 0
    for method_dir in sorted(p for p in out.iterdir() if (p / "delta.zip").exists()):
        try:
            print(f"interop: {method_dir.name}: {check(method_dir)}", flush=True)
            passed += 1
        except Exception as e:  # one line per method, whatever went wrong
            print(f"interop: {method_dir.name}: FAIL: {type(e).__name__}: {e}", flush=True)
            failed += 1
    if passed + failed == 0:
        print(f"interop: no exported deltas under {out}")
        return 1
    print(f"interop: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
