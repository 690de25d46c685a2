"""Golden fixtures for the PEFT layer (fixtures/peft/): LoRA on the tiny BERT with a linear head, run by peft.

Run (from the repo root, with the dev venv; peft pinned as in the report / requirements):
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/py/golden_peft.py [--int8]

Writes fixtures/peft/lora-tiny.json and lora-tiny.safetensors (see fixtures/peft/README.md). The model is
peft's LoRA (get_peft_model with a LoraConfig) on transformers' BertModel from fixtures/models/tiny-bert/, in
eval mode with lora_dropout 0, followed by what Tabtune puts on top: mean pooling over the attention mask
(not normalised) and a torch.nn.Linear head. lora_A keeps peft's own init (kaiming-uniform, a=sqrt(5)); lora_B
is set to small random values instead of peft's zeros, so gradients w.r.t. lora_A are non-zero and a
transposed or mis-scaled product shows. Deterministic: same bytes on every run.

--int8: the same model on tiny-bert-int8 (dequantised): fixtures/int8/lora-tiny.*, and head-tiny.* (the head alone
on the frozen encoder, Tabtune's "head" method, from the same initial head), see fixtures/int8/README.md.
"""
from __future__ import annotations

import torch
from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
from transformers import BertForSequenceClassification, BertModel, BertTokenizerFast

from common import (CLASSES, LABELS, REPO_ROOT, TEXTS, TINY_BERT_DIR, adamw_losses, classify, dequantized_tiny_bert,
                    first_step, linear_head, mean_pool, parity_record, parse_int8_flag, tokenize, write_int8_fixture,
                    write_parity_fixture)

SEED = 4321
R, ALPHA = 4, 8
TARGETS = ["query", "value", "dense"]  # peft's suffix match: "dense" hits attention.output/intermediate/output/pooler
EXCLUDE = ["pooler.dense"]  # Tabtune pools token states itself; BertModel's pooler is never in the loss


def state_dict_keys_for_classification(model_dir: str) -> list[str]:
    """The keys peft saves for BertForSequenceClassification with modules_to_save=['classifier'] (recorded only)."""
    torch.manual_seed(0)
    m = BertForSequenceClassification.from_pretrained(model_dir, num_labels=CLASSES)
    cfg = LoraConfig(task_type="SEQ_CLS", r=R, lora_alpha=ALPHA, target_modules=TARGETS, exclude_modules=EXCLUDE,
                     modules_to_save=["classifier"])
    return list(get_peft_model_state_dict(get_peft_model(m, cfg)).keys())


def main() -> None:
    int8 = parse_int8_flag(__doc__)
    model_dir = dequantized_tiny_bert() if int8 else TINY_BERT_DIR
    out_dir = REPO_ROOT / "fixtures/peft"
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)

    tokenizer = BertTokenizerFast.from_pretrained(str(model_dir))
    batch = tokenize(tokenizer, TEXTS, 64)
    labels = torch.tensor(LABELS)

    base = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    keys_with_pooler = list(get_peft_model_state_dict(get_peft_model(
        BertModel.from_pretrained(str(model_dir)), LoraConfig(r=R, lora_alpha=ALPHA, target_modules=TARGETS))).keys())
    config = LoraConfig(r=R, lora_alpha=ALPHA, lora_dropout=0.0, target_modules=TARGETS, exclude_modules=EXCLUDE)
    model = get_peft_model(base, config).eval()
    head = linear_head(base.config.hidden_size)

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
        return classify(head, mean_pool(out, batch["attention_mask"]), labels)

    tensors, loss = first_step(params, forward)
    with torch.no_grad():  # the head on the frozen encoder (LoRA disabled)
        tensors["base.logits"] = head(mean_pool(_frozen_hidden(model, batch), batch["attention_mask"]))
    if int8:
        packages = ("peft", "torch", "transformers")
        write_int8_fixture(out_dir / "lora-tiny.json", "lora-tiny", tensors, loss, params, batch, packages)
        head_params = {k: params[k] for k in ("classifier.weight", "classifier.bias")}
        for p in head_params.values():
            p.grad = None
        head_tensors, head_loss = first_step(head_params, lambda: classify(
            head, mean_pool(_frozen_hidden(model, batch), batch["attention_mask"]), labels))
        write_int8_fixture(out_dir / "lora-tiny.json", "head-tiny", head_tensors, head_loss, head_params, batch, packages)
        return
    losses = adamw_losses(params, forward)

    write_parity_fixture(out_dir, "lora-tiny", tensors, "peft", {
        **parity_record(batch, params, loss, losses, ("peft", "torch", "transformers")),
        "model": "tiny-bert",
        "model_file": "fixtures/models/tiny-bert/model.safetensors",
        "lora_config": {"r": R, "lora_alpha": ALPHA, "lora_dropout": 0.0, "target_modules": TARGETS,
                        "exclude_modules": EXCLUDE, "use_rslora": False, "bias": "none"},
        "scaling": ALPHA / R,
        "peft_state_dict_keys": list(saved.keys()),
        "peft_state_dict_keys_without_exclude": keys_with_pooler,
        "peft_state_dict_keys_seq_cls": state_dict_keys_for_classification(str(model_dir)),
    })
    print(f"loss {loss:.6f}; AdamW losses {losses[0]:.4f} -> {losses[-1]:.4f}; {len(tensors)} tensors")


def _frozen_hidden(model, batch) -> torch.Tensor:
    """last_hidden_state of the frozen encoder (LoRA disabled)."""
    with model.disable_adapter():
        return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                     token_type_ids=batch["token_type_ids"]).last_hidden_state


if __name__ == "__main__":
    main()
