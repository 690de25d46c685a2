"""Golden fixtures for bottleneck adapters (fixtures/adapters/): AdapterHub's `adapters` on the tiny BERT.

Run (repo root; `adapters` pins its own transformers, so it has a venv of its own, see
scripts/py/requirements-adapters.txt):
    python3 -m venv .venv-adapters
    .venv-adapters/bin/pip install torch==2.13.0 && .venv-adapters/bin/pip install -r scripts/py/requirements-adapters.txt
    cd scripts/py && HF_HUB_OFFLINE=1 ../../.venv-adapters/bin/python golden_adapters.py [--int8]

Writes fixtures/adapters/<case>-tiny.json and .safetensors for three cases (see fixtures/adapters/README.md):
Houlsby (DoubleSeqBnConfig), Pfeiffer (SeqBnConfig) and a "mixed" BnConfig that exercises the other placement
options (original_ln_before with residual_before_ln="post_add", tanh, scaling 0.5, both sites). Each is
adapters.init(BertModel(fixtures/models/tiny-bert)) + add_adapter in eval mode (dropout 0, eager attention),
then Tabtune's head: mean pooling over the attention mask (not normalised) and a torch.nn.Linear. Every adapter
tensor (biases and the up-projection included) is set to 0.1 * randn so that every gradient is non-trivial.
Deterministic: same bytes on every run. --int8: the same cases on tiny-bert-int8 (dequantised), one step each, into
fixtures/int8/ (see its README).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import adapters
import torch
from adapters import BertAdapterModel, BnConfig, DoubleSeqBnConfig, SeqBnConfig
from safetensors.torch import load_file
from transformers import BertModel, BertTokenizerFast

from common import (LABELS, REPO_ROOT, TEXTS, TINY_BERT_DIR, adamw_losses, classify, dequantized_tiny_bert, first_step,
                    linear_head, mean_pool, parity_record, parse_int8_flag, tokenize, write_int8_fixture,
                    write_parity_fixture)

SEED = 2024
REDUCTION = 8  # hidden 32 -> bottleneck 4
CASES = {
    "houlsby": DoubleSeqBnConfig(reduction_factor=REDUCTION),
    "pfeiffer": SeqBnConfig(reduction_factor=REDUCTION),
    "mixed": BnConfig(mh_adapter=True, output_adapter=True, reduction_factor=REDUCTION, non_linearity="tanh",
                      original_ln_before=True, residual_before_ln="post_add", scaling=0.5),
}


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


def run_case(name: str, config, model_dir: Path, batch, labels: torch.Tensor, base_hidden: torch.Tensor, int8: bool) -> None:
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
    head = linear_head(model.config.hidden_size)

    # The trainable tensors under the names a BertAdapterModel's save_adapter uses ("bert." + module path).
    params: dict[str, torch.nn.Parameter] = {f"bert.{n}": p for n, p in sorted(live.items())}
    params["classifier.weight"] = head.weight  # [classes, hidden]
    params["classifier.bias"] = head.bias  # [classes]

    def forward() -> tuple[torch.Tensor, torch.Tensor]:
        out = model(**batch).last_hidden_state
        return classify(head, mean_pool(out, batch["attention_mask"]), labels)

    tensors, loss = first_step(params, forward)
    with torch.no_grad():
        tensors["base.logits"] = head(mean_pool(base_hidden, batch["attention_mask"]))
    if int8:
        write_int8_fixture(out_dir / f"{name}-tiny.json", f"{name}-tiny", tensors, loss, params, batch,
                           ("adapters", "torch", "transformers"))
        return

    files_safe, keys_safe, adapter_config = saved_files(model, name, True)
    files_bin, keys_bin, _ = saved_files(model, name, False)
    losses = adamw_losses(params, forward)

    write_parity_fixture(out_dir, f"{name}-tiny", tensors, "adapters", {
        **parity_record(batch, params, loss, losses, ("adapters", "torch", "transformers")),
        "case": name,
        "adapter_name": name,
        "model": "tiny-bert",
        "model_file": "fixtures/models/tiny-bert/model.safetensors",
        "adapter_config": adapter_config,
        "saved_files_safetensors": files_safe,
        "saved_files_bin": files_bin,
        "saved_keys_bert_model": keys_safe,
        "saved_keys_bert_model_bin": keys_bin,
        "saved_keys_bert_adapter_model": keys_with_head_model(str(model_dir), name, config),
        "bottleneck_size": model.config.hidden_size // REDUCTION,
    })
    print(f"{name}: loss {loss:.6f}; AdamW losses {losses[0]:.4f} -> {losses[-1]:.4f}; {len(tensors)} tensors")


def main() -> None:
    int8 = parse_int8_flag(__doc__)
    model_dir = dequantized_tiny_bert() if int8 else TINY_BERT_DIR
    tokenizer = BertTokenizerFast.from_pretrained(str(model_dir))
    enc = tokenize(tokenizer, TEXTS, 64)
    batch = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
    labels = torch.tensor(LABELS)
    with torch.no_grad():  # the frozen encoder, without adapters
        base_hidden = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()(**batch).last_hidden_state
    for name, config in CASES.items():
        run_case(name, config, model_dir, batch, labels, base_hidden, int8)


if __name__ == "__main__":
    main()
