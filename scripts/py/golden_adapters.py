"""Golden fixtures for bottleneck adapters (fixtures/adapters/): AdapterHub's `adapters` on the tiny BERT.

Run (repo root; `adapters` pins its own transformers, so it has a venv of its own, see
scripts/py/requirements-adapters.txt):
    python3 -m venv .venv-adapters
    .venv-adapters/bin/pip install torch==2.13.0 && .venv-adapters/bin/pip install -r scripts/py/requirements-adapters.txt
    cd scripts/py && HF_HUB_OFFLINE=1 ../../.venv-adapters/bin/python golden_adapters.py

Writes fixtures/adapters/<case>-tiny.json and .safetensors for three cases (see fixtures/adapters/README.md):
Houlsby (DoubleSeqBnConfig), Pfeiffer (SeqBnConfig) and a "mixed" BnConfig that exercises the other placement
options (original_ln_before with residual_before_ln="post_add", tanh, scaling 0.5, both sites). Each is
adapters.init(BertModel(fixtures/models/tiny-bert)) + add_adapter in eval mode (dropout 0, eager attention),
then Tabtune's head: mean pooling over the attention mask (not normalised) and a torch.nn.Linear. Every adapter
tensor (biases and the up-projection included) is set to 0.1 * randn so that every gradient is non-trivial.
Deterministic: same bytes on every run.
"""
from __future__ import annotations

import json
import tempfile
from importlib import metadata
from pathlib import Path

import adapters
import torch
import torch.nn.functional as F
from adapters import BertAdapterModel, BnConfig, DoubleSeqBnConfig, SeqBnConfig
from safetensors.torch import load_file
from transformers import BertModel, BertTokenizerFast

from common import REPO_ROOT, sha256_file, write_json, write_safetensors

SEED = 2024
CLASSES = 3
REDUCTION = 8  # hidden 32 -> bottleneck 4
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
CASES = {
    "houlsby": DoubleSeqBnConfig(reduction_factor=REDUCTION),
    "pfeiffer": SeqBnConfig(reduction_factor=REDUCTION),
    "mixed": BnConfig(mh_adapter=True, output_adapter=True, reduction_factor=REDUCTION, non_linearity="tanh",
                      original_ln_before=True, residual_before_ln="post_add", scaling=0.5),
}


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [batch, hidden]


def saved_files(model, name: str, safetensors: bool) -> tuple[list[str], list[str], dict]:
    """What save_adapter writes: file names, tensor keys, and adapter_config.json."""
    with tempfile.TemporaryDirectory() as d:
        model.save_adapter(d, name, use_safetensors=safetensors)
        files = sorted(p.name for p in Path(d).iterdir())
        if safetensors:
            keys = sorted(load_file(str(Path(d) / "adapter.safetensors")).keys())
        else:
            keys = sorted(torch.load(str(Path(d) / "pytorch_adapter.bin"), weights_only=True).keys())
        config = json.loads((Path(d) / "adapter_config.json").read_text())
    # model_name is the path from_pretrained was given: recorded relative to the repo, for reproducible bytes.
    config["model_name"] = str(Path(config["model_name"]).relative_to(REPO_ROOT))
    return files, keys, config


def keys_with_head_model(model_dir: str, name: str, config) -> list[str]:
    """The keys save_adapter writes from a BertAdapterModel (base model under "bert.")."""
    m = BertAdapterModel.from_pretrained(model_dir)
    m.add_adapter(name, config=config)
    return saved_files(m, name, True)[1]


def run_case(name: str, config, model_dir: Path, batch, labels: torch.Tensor, base_hidden: torch.Tensor) -> None:
    out_dir = REPO_ROOT / "fixtures/adapters"
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)

    model = BertModel.from_pretrained(str(model_dir), attn_implementation="eager")
    adapters.init(model)
    model.add_adapter(name, config=config)
    model.set_active_adapters(name)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    live = {n: p for n, p in model.named_parameters() if f".adapters.{name}." in n}
    with torch.no_grad():  # fixed non-zero values everywhere (see the docstring)
        for p in live.values():
            p.copy_(torch.randn_like(p) * 0.1)
            p.requires_grad_(True)
    head = torch.nn.Linear(model.config.hidden_size, CLASSES)

    # The trainable tensors under the names a BertAdapterModel's save_adapter uses ("bert." + module path).
    params: dict[str, torch.nn.Parameter] = {f"bert.{n}": p for n, p in sorted(live.items())}
    params["classifier.weight"] = head.weight  # [classes, hidden]
    params["classifier.bias"] = head.bias  # [classes]

    def forward() -> tuple[torch.Tensor, torch.Tensor]:
        out = model(**batch).last_hidden_state
        logits = head(mean_pool(out, batch["attention_mask"]))  # [batch, classes]
        return logits, F.cross_entropy(logits, labels)

    tensors: dict[str, torch.Tensor] = {f"init.{k}": p.detach().clone() for k, p in params.items()}
    logits, loss = forward()
    loss.backward()
    for k, p in params.items():
        tensors[f"grad.{k}"] = p.grad.detach().clone()
    tensors["logits"] = logits.detach().clone()
    with torch.no_grad():
        tensors["base.logits"] = head(mean_pool(base_hidden, batch["attention_mask"]))

    files_safe, keys_safe, adapter_config = saved_files(model, name, True)
    files_bin, keys_bin, _ = saved_files(model, name, False)

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

    tensors_file = f"{name}-tiny.safetensors"
    write_safetensors(out_dir / tensors_file, {k: v.to(torch.float32) for k, v in tensors.items()},
                      {"format": "pt", "adapters_version": metadata.version("adapters")})
    write_json(out_dir / f"{name}-tiny.json", {
        "case": name,
        "adapter_name": name,
        "model": "tiny-bert",
        "model_file": "fixtures/models/tiny-bert/model.safetensors",
        "model_sha256": sha256_file(model_dir / "model.safetensors"),
        "versions": {p: metadata.version(p) for p in ("adapters", "torch", "transformers")},
        "adapter_config": adapter_config,
        "saved_files_safetensors": files_safe,
        "saved_files_bin": files_bin,
        "saved_keys_bert_model": keys_safe,
        "saved_keys_bert_model_bin": keys_bin,
        "saved_keys_bert_adapter_model": keys_with_head_model(str(model_dir), name, config),
        "bottleneck_size": model.config.hidden_size // REDUCTION,
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
        "tensors_file": tensors_file,
    })
    print(f"{name}: loss {loss.item():.6f}; AdamW losses {losses[0]:.4f} -> {losses[-1]:.4f}; {len(tensors)} tensors")


def main() -> None:
    model_dir = REPO_ROOT / "fixtures/models/tiny-bert"
    tokenizer = BertTokenizerFast.from_pretrained(str(model_dir))
    enc = tokenizer(TEXTS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    batch = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    labels = torch.tensor(LABELS)
    with torch.no_grad():  # the frozen encoder, without adapters
        base_hidden = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()(**batch).last_hidden_state
    for name, config in CASES.items():
        run_case(name, config, model_dir, batch, labels, base_hidden)


if __name__ == "__main__":
    main()
