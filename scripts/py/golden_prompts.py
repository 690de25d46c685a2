"""Golden fixtures for the virtual-token methods (fixtures/prompts/): prefix tuning, P-tuning v2, prompt tuning and
P-tuning v1 (MLP and LSTM prompt encoders) on the tiny BERT with a linear head, run by peft.

Run (from scripts/py, with the dev venv; peft pinned as in requirements.txt):
    HF_HUB_OFFLINE=1 ../../.venv/bin/python golden_prompts.py [--int8]

Writes fixtures/prompts/<case>-tiny.json and .safetensors (see fixtures/prompts/README.md). Each case is
get_peft_model(BertModel(tiny-bert), <Config>(task_type="FEATURE_EXTRACTION", ...)) in eval mode (eager attention),
then what Tabtune puts on top: mean pooling over the attention mask peft passes to BERT (virtual tokens count as
real: for prompt methods the pool runs over prompt + text; prefix methods add no output positions) and a
torch.nn.Linear head. Parameters keep peft's / torch's own random init under a fixed seed. Deterministic.

Prefix methods: transformers' BertModel treats peft's prefix as a key/value cache of length p, so it numbers the
text's positions p..p+seq-1 (BertEmbeddings' past_key_values_length); Tabtune's forward does the same
(BertHooks.positionOffset), and the fixture is peft's own forward.

--int8: the same cases on tiny-bert-int8 (dequantised), one step each, into fixtures/int8/ (see its README).
"""
from __future__ import annotations

from importlib import metadata

import torch
from peft import (PrefixTuningConfig, PromptEncoderConfig, PromptTuningConfig, get_peft_model,
                  get_peft_model_state_dict)
from transformers import BertModel, BertTokenizerFast

from common import (LABELS, REPO_ROOT, TEXTS, TINY_BERT_DIR, adamw_losses, classify, dequantized_tiny_bert, first_step,
                    linear_head, mean_pool, parity_record, parse_int8_flag, tokenize, write_int8_fixture, write_json,
                    write_parity_fixture, write_safetensors)

SEED = 2468
VIRTUAL = 4
ENCODER_HIDDEN = 16
INIT_TEXT = "classify the review"
INIT_TEXT_VIRTUAL = 9  # more than the text's tokens, so peft repeats them

CASES = {
    "prefix": lambda: PrefixTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=VIRTUAL,
                                         prefix_projection=True, encoder_hidden_size=ENCODER_HIDDEN),
    "ptuning-v2": lambda: PrefixTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=VIRTUAL,
                                             prefix_projection=False),
    "prompt": lambda: PromptTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=VIRTUAL,
                                         prompt_tuning_init="RANDOM"),
    "ptuning-mlp": lambda: PromptEncoderConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=VIRTUAL,
                                               encoder_reparameterization_type="MLP",
                                               encoder_hidden_size=ENCODER_HIDDEN),
    "ptuning-lstm": lambda: PromptEncoderConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=VIRTUAL,
                                                encoder_reparameterization_type="LSTM",
                                                encoder_hidden_size=ENCODER_HIDDEN, encoder_num_layers=2,
                                                encoder_dropout=0.0),
}


def json_config(cfg) -> dict:
    """adapter_config.json as peft writes it, with the checkpoint path relative to the repo (reproducible bytes)."""
    d = cfg.to_dict()
    out = {k: (v.value if hasattr(v, "value") else list(v) if isinstance(v, set) else v) for k, v in d.items()}
    for k in ("base_model_name_or_path", "tokenizer_name_or_path"):
        if out.get(k):
            out[k] = "fixtures/models/tiny-bert"
    return out


def run_case(name: str, model_dir, batch, labels, int8: bool) -> None:
    torch.manual_seed(SEED)
    base = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    model = get_peft_model(base, CASES[name]()).eval()
    cfg = model.peft_config["default"]
    is_prefix = cfg.peft_type.value == "PREFIX_TUNING"
    head = linear_head(base.config.hidden_size)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    ext_mask = torch.cat([torch.ones(ids.shape[0], VIRTUAL, dtype=mask.dtype), mask], 1)  # what peft passes BERT

    params = {n.replace("prompt_encoder.default.", ""): p for n, p in model.named_parameters() if p.requires_grad}
    params["classifier.weight"] = head.weight  # [classes, hidden]
    params["classifier.bias"] = head.bias  # [classes]

    def forward() -> tuple[torch.Tensor, torch.Tensor]:
        # token_type_ids: FEATURE_EXTRACTION drops them (zeros); the batch's are all zero anyway.
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
        return classify(head, mean_pool(hidden, mask if is_prefix else ext_mask), labels)

    tensors, loss = first_step(params, forward)
    with torch.no_grad():
        tensors["saved.prompt_embeddings"] = get_peft_model_state_dict(model)["prompt_embeddings"].clone()
        tensors["base.logits"] = head(mean_pool(base(input_ids=ids, attention_mask=mask).last_hidden_state, mask))
    if int8:
        write_int8_fixture(REPO_ROOT / f"fixtures/prompts/{name}-tiny.json", f"{name}-tiny", tensors, loss, params, batch,
                           ("peft", "torch", "transformers"))
        return
    losses = adamw_losses(params, forward)

    record = parity_record(batch, params, loss, losses, ("peft", "torch", "transformers"))
    write_parity_fixture(REPO_ROOT / "fixtures/prompts", f"{name}-tiny", tensors, "peft", {
        **record,
        "case": name,
        "adapter_config": json_config(cfg),
        "head": {**record["head"], "pooled_over": "text" if is_prefix else "prompt+text"},
        "text_positions": "p..p+seq-1",
        "peft_state_dict_keys": list(get_peft_model_state_dict(model).keys()),
    })
    print(f"{name}: loss {loss:.6f}; AdamW {losses[0]:.4f} -> {losses[-1]:.4f}; {len(tensors)} tensors")


def text_init(model_dir, tokenizer) -> None:
    """prompt_tuning_init=TEXT: the token ids peft tokenizes and the initial prompt it builds from them."""
    base = BertModel.from_pretrained(str(model_dir)).eval()
    cfg = PromptTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=INIT_TEXT_VIRTUAL,
                             prompt_tuning_init="TEXT", prompt_tuning_init_text=INIT_TEXT,
                             tokenizer_name_or_path=str(model_dir))
    model = get_peft_model(base, cfg)
    emb = model.prompt_encoder["default"].embedding.weight.detach().clone()
    write_safetensors(REPO_ROOT / "fixtures/prompts/prompt-text-init.safetensors", {"prompt_embeddings": emb},
                      {"format": "pt", "peft_version": metadata.version("peft")})
    write_json(REPO_ROOT / "fixtures/prompts/prompt-text-init.json", {
        "init_text": INIT_TEXT,
        "num_virtual_tokens": INIT_TEXT_VIRTUAL,
        "token_ids": tokenizer(INIT_TEXT)["input_ids"],
        "tensors_file": "prompt-text-init.safetensors",
    })


def main() -> None:
    int8 = parse_int8_flag(__doc__)
    model_dir = dequantized_tiny_bert() if int8 else TINY_BERT_DIR
    (REPO_ROOT / "fixtures/prompts").mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizerFast.from_pretrained(str(model_dir))
    batch = tokenize(tokenizer, TEXTS, 64)
    assert int(batch["token_type_ids"].abs().sum()) == 0  # FEATURE_EXTRACTION drops token types: keep them zero
    labels = torch.tensor(LABELS)
    for name in CASES:
        run_case(name, model_dir, batch, labels, int8)
    if not int8:
        text_init(model_dir, tokenizer)


if __name__ == "__main__":
    main()
