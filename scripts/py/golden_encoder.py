"""Golden fixture for the int8 MiniLM encoder: fixtures/encoder/minilm.json + minilm-hidden.safetensors.

Run (from the repo root, after convert_model.py has written public/models/all-MiniLM-L6-v2/):
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/py/golden_encoder.py

Layout (also in fixtures/encoder/README.md):
  minilm.json (ids are int, everything else plain JSON):
    model, model_file, model_sha256   the int8 checkpoint the references were computed from
    tokenizer                          {"padding": "longest", "truncation": true, "max_length": 128}
    texts [b]                          the input sentences
    tokens [b][s]                      the WordPiece tokens, padded with "[PAD]"
    input_ids, attention_mask, token_type_ids [b][s]   HF fast tokenizer output, right-padded batch
    batch, seq_len, hidden             b, s, h
    pooling                            {"mode": "mean", "normalize": true}
    cosine_dequant_vs_original [b]     cosine between the two embedding references below
    min_cosine_vs_original             the bar an int8 forward must reach against original.embeddings
    tensors_file                       the sidecar's file name
  minilm-hidden.safetensors (all F32):
    dequant.last_hidden_state [b, s, h]  BertModel (eager attention, eval) on int8 weights dequantised as q*scale
    dequant.embeddings        [b, h]     mean over attention_mask of the above, then L2-normalised
    original.embeddings       [b, h]     SentenceTransformer(original f32 folder).encode(texts), max_seq_length 128
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer, BertConfig, BertModel

from common import (REPO_ROOT, dequantize_int8, encoder_record, mean_pool_normalize, minilm_source, sha256_file,
                    tokenize, write_json, write_safetensors)

MAX_LENGTH = 128
MIN_COSINE = 0.995
TEXTS = [
    "",
    "The movie was surprisingly good.",
    "Crème brûlée at the café was délicieux, señor!",
    "東京は日本の首都です。",
    "I can't believe it's not butter... 100% sure? Great service 👍",
    "Unbelievably, the transformer-based classifier misclassified hyperparameters.",
    "HELLO World",
    " ".join(["Tabtune fine-tunes a small text classifier in a browser tab on top of a frozen encoder;"] * 12),
]


def forward(model: BertModel, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    with torch.no_grad():
        return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                     token_type_ids=batch["token_type_ids"]).last_hidden_state  # [b, s, h]


def main() -> None:
    torch.manual_seed(0)
    src, _ = minilm_source()
    model_dir = REPO_ROOT / "public" / "models" / "all-MiniLM-L6-v2"
    out_dir = REPO_ROOT / "fixtures" / "encoder"
    out_dir.mkdir(parents=True, exist_ok=True)
    assert sha256_file(src / "tokenizer.json") == sha256_file(model_dir / "tokenizer.json")

    tokenizer = AutoTokenizer.from_pretrained(str(src))
    batch = tokenize(tokenizer, TEXTS, MAX_LENGTH)

    # (a) int8 weights dequantised into an f32 BertModel.
    config = BertConfig.from_pretrained(str(model_dir), attn_implementation="eager")
    dequant = BertModel(config).eval()
    dequant.load_state_dict(dequantize_int8(model_dir / "model.safetensors"), strict=True)
    hidden = forward(dequant, batch)
    emb_dequant = mean_pool_normalize(hidden, batch["attention_mask"])

    # (b) the original f32 model through sentence-transformers itself (its own Pooling + Normalize modules).
    st = SentenceTransformer(str(src), device="cpu")
    st.max_seq_length = MAX_LENGTH
    emb_original = torch.from_numpy(st.encode(TEXTS, normalize_embeddings=False, convert_to_numpy=True))

    # Our pooling must be sentence-transformers' pooling: check it on the original weights.
    original = BertModel.from_pretrained(str(src), attn_implementation="eager").eval()
    ours = mean_pool_normalize(forward(original, batch), batch["attention_mask"])
    pool_err = (ours - emb_original).abs().max().item()
    print(f"pooling check on original weights: max |ours - sentence-transformers| = {pool_err:.2e}")
    assert pool_err < 1e-6, "mean pooling + normalise does not match sentence-transformers"

    cosines = F.cosine_similarity(emb_dequant, emb_original, dim=1)
    for text, c in zip(TEXTS, cosines.tolist()):
        print(f"  cosine int8-dequant vs original = {c:.6f}  {text[:50]!r}")
    assert cosines.min().item() >= MIN_COSINE, "int8 quantisation lost too much accuracy"

    fixture = {
        "model": "all-MiniLM-L6-v2",
        "model_file": "public/models/all-MiniLM-L6-v2/model.safetensors",
        "model_sha256": sha256_file(model_dir / "model.safetensors"),
        **encoder_record(tokenizer, TEXTS, batch, MAX_LENGTH, config.hidden_size),
        "cosine_dequant_vs_original": [round(c, 6) for c in cosines.tolist()],
        "min_cosine_vs_original": MIN_COSINE,
        "tensors_file": "minilm-hidden.safetensors",
    }
    write_json(out_dir / "minilm.json", fixture, indent=None)
    write_safetensors(out_dir / "minilm-hidden.safetensors", {
        "dequant.last_hidden_state": hidden.contiguous(),
        "dequant.embeddings": emb_dequant.contiguous(),
        "original.embeddings": emb_original.to(torch.float32).contiguous(),
    }, {"format": "pt", "tabtune.fixture": "encoder-golden", "tabtune.model": "all-MiniLM-L6-v2"})
    for name in ("minilm.json", "minilm-hidden.safetensors"):
        print(f"wrote {out_dir / name} ({(out_dir / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
