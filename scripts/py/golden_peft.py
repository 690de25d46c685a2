"""Golden fixtures for the PEFT layer (fixtures/peft/): LoRA on the tiny BERT with a linear head, run by peft.

Run (from the repo root, with the dev venv; peft pinned as in the report / requirements):
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/py/golden_peft.py

Writes fixtures/peft/lora-tiny.json and lora-tiny.safetensors (see fixtures/peft/README.md). The model is
peft's LoRA (get_peft_model with a LoraConfig) on transformers' BertModel from fixtures/models/tiny-bert/, in
eval mode with lora_dropout 0, followed by what Tabtune puts on top: mean pooling over the attention mask
(not normalised) and a torch.nn.Linear head. lora_A keeps peft's own init (kaiming-uniform, a=sqrt(5)); lora_B
is set to small random values instead of peft's zeros, so gradients w.r.t. lora_A are non-zero and a
transposed or mis-scaled product shows. Deterministic: same bytes on every run.
"""
from __future__ import annotations

from importlib import metadata

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
from transformers import BertForSequenceClassification, BertModel, BertTokenizerFast

from common import REPO_ROOT, sha256_file, write_json, write_safetensors

SEED = 4321
R, ALPHA = 4, 8
TARGETS = ["query", "value", "dense"]  # peft's suffix match: "dense" hits attention.output/intermediate/output/pooler
EXCLUDE = ["pooler.dense"]  # Tabtune pools token states itself; BertModel's pooler is never in the loss
CLASSES = 3
ADAMW = {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01}
STEPS = 10
TEXTS = [
    "the movie was great and i love it",
    "a bad film , i hate the story",
    "the hotel room was small but the staff was nice",
    "what a day",
    "the food was fine , the price too high",
    "i think the book is better than the film",
]
LABELS = [0, 1, 2, 2, 1, 0]


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [batch, hidden]


def state_dict_keys_for_classification(model_dir: str) -> list[str]:
    """The keys peft saves for BertForSequenceClassification with modules_to_save=['classifier'] (recorded only)."""
    torch.manual_seed(0)
    m = BertForSequenceClassification.from_pretrained(model_dir, num_labels=CLASSES)
    cfg = LoraConfig(task_type="SEQ_CLS", r=R, lora_alpha=ALPHA, target_modules=TARGETS, exclude_modules=EXCLUDE,
                     modules_to_save=["classifier"])
    return list(get_peft_model_state_dict(get_peft_model(m, cfg)).keys())


def main() -> None:
    model_dir = REPO_ROOT / "fixtures/models/tiny-bert"
    out_dir = REPO_ROOT / "fixtures/peft"
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)

    tokenizer = BertTokenizerFast.from_pretrained(str(model_dir))
    batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    labels = torch.tensor(LABELS)

    base = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    keys_with_pooler = list(get_peft_model_state_dict(get_peft_model(
        BertModel.from_pretrained(str(model_dir)), LoraConfig(r=R, lora_alpha=ALPHA, target_modules=TARGETS))).keys())
    config = LoraConfig(r=R, lora_alpha=ALPHA, lora_dropout=0.0, target_modules=TARGETS, exclude_modules=EXCLUDE)
    model = get_peft_model(base, config).eval()
    hidden = base.config.hidden_size
    head = torch.nn.Linear(hidden, CLASSES)

    with torch.no_grad():  # lora_B: small random values instead of zeros (see the docstring)
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn_like(p) * 0.1)

    saved = get_peft_model_state_dict(model)  # peft's names, as save_pretrained writes them
    # The trainable parameters under their saved names, in a fixed order.
    live = {n: p for n, p in model.named_parameters() if p.requires_grad}
    params: dict[str, torch.nn.Parameter] = {}
    for key in saved:
        live_name = key.replace(".lora_A.weight", ".lora_A.default.weight").replace(".lora_B.weight", ".lora_B.default.weight")
        params[key] = live[live_name]
    assert len(params) == len(live)
    params["classifier.weight"] = head.weight  # [classes, hidden]
    params["classifier.bias"] = head.bias  # [classes]

    def forward() -> tuple[torch.Tensor, torch.Tensor]:
        out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                    token_type_ids=batch["token_type_ids"]).last_hidden_state
        logits = head(mean_pool(out, batch["attention_mask"]))  # [batch, classes]
        return logits, F.cross_entropy(logits, labels)

    tensors: dict[str, torch.Tensor] = {f"init.{k}": p.detach().clone() for k, p in params.items()}
    logits, loss = forward()
    loss.backward()
    for k, p in params.items():
        tensors[f"grad.{k}"] = p.grad.detach().clone()
    tensors["logits"] = logits.detach().clone()
    with torch.no_grad():  # the head on the frozen encoder (LoRA disabled)
        tensors["base.logits"] = head(mean_pool(_frozen_hidden(model, batch), batch["attention_mask"]))

    opt = torch.optim.AdamW(list(params.values()), **ADAMW)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        _, step_loss = forward()
        losses.append(step_loss.item())
        step_loss.backward()
        opt.step()
    with torch.no_grad():
        losses.append(forward()[1].item())

    tensors_file = "lora-tiny.safetensors"
    write_safetensors(out_dir / tensors_file, {k: v.to(torch.float32) for k, v in tensors.items()},
                      {"format": "pt", "peft_version": metadata.version("peft")})
    write_json(out_dir / "lora-tiny.json", {
        "model": "tiny-bert",
        "model_file": "fixtures/models/tiny-bert/model.safetensors",
        "model_sha256": sha256_file(model_dir / "model.safetensors"),
        "versions": {p: metadata.version(p) for p in ("peft", "torch", "transformers")},
        "lora_config": {"r": R, "lora_alpha": ALPHA, "lora_dropout": 0.0, "target_modules": TARGETS,
                        "exclude_modules": EXCLUDE, "use_rslora": False, "bias": "none"},
        "scaling": ALPHA / R,
        "head": {"pooling": "mean", "normalize": False, "classes": CLASSES},
        "texts": TEXTS,
        "labels": LABELS,
        "input_ids": batch["input_ids"].tolist(),
        "attention_mask": batch["attention_mask"].tolist(),
        "token_type_ids": batch["token_type_ids"].tolist(),
        "batch": len(TEXTS),
        "seq_len": batch["input_ids"].shape[1],
        "loss": loss.item(),
        "adamw": {**ADAMW, "betas": list(ADAMW["betas"]), "steps": STEPS},
        "adamw_losses": losses,
        "trainable": list(params.keys()),
        "peft_state_dict_keys": list(saved.keys()),
        "peft_state_dict_keys_without_exclude": keys_with_pooler,
        "peft_state_dict_keys_seq_cls": state_dict_keys_for_classification(str(model_dir)),
        "tensors_file": tensors_file,
    })
    print(f"loss {loss.item():.6f}; AdamW losses {losses[0]:.4f} -> {losses[-1]:.4f}; {len(tensors)} tensors")


def _frozen_hidden(model, batch) -> torch.Tensor:
    """last_hidden_state of the frozen encoder (LoRA disabled)."""
    with model.disable_adapter():
        return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                     token_type_ids=batch["token_type_ids"]).last_hidden_state


if __name__ == "__main__":
    main()
