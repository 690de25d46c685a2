"""What check_peft.py and check_adapters.py share (each runs in its own venv; this needs only torch).

For each OUT/<method>/ written by export.ts whose tabtune.json names one of the checker's libraries: unzip
delta.zip (Python's zipfile checks CRCs), load it the way its README tells a user to, compute the logits as
Tabtune defines them (the encoder's last_hidden_state with the delta active, mean pooling over the mask the
encoder saw, the saved classifier), compare them with Tabtune's (max |diff| <= 1e-4), then run the README's own
Python and compare again. Prints one line per method and writes OUT/<method>/verdict ("passed" or "failed"),
which run.sh counts.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import load_file

REPO_ROOT = Path(__file__).resolve().parents[2]
ENCODER_DIR = REPO_ROOT / "fixtures/models/tiny-bert"  # the f32 encoder export.ts trained on
TOL_LOGITS = 1e-4
MIN_ADAPTER_EFFECT = 1e-4  # a delta that changes no logit by more than this was probably not loaded

# (folder, manifest, batch, normalize) -> (logits [batch, classes], a description for the line)
Check = Callable[[Path, dict, dict, bool], "tuple[torch.Tensor, str]"]


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor, normalize: bool) -> torch.Tensor:
    """hidden [batch, n, h]; mask [batch, n'] with n' <= n: virtual tokens put before the text count as attended."""
    virtual = hidden.shape[1] - mask.shape[1]  # prompt tuning / P-tuning: peft prepends them to what BERT sees
    mask = torch.cat([mask.new_ones(mask.shape[0], virtual), mask], 1)
    m = mask.unsqueeze(-1).to(hidden.dtype)  # [batch, n, 1]
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # [batch, h]
    return torch.nn.functional.normalize(pooled, dim=-1) if normalize else pooled


def tabtune_logits(encoder: Callable, head: torch.nn.Module, batch: dict, normalize: bool) -> torch.Tensor:
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state  # [batch, seq (+ virtual), hidden]
        return head(mean_pool(hidden, batch["attention_mask"], normalize))  # [batch, classes]


def load_classifier(path: Path) -> torch.nn.Linear:
    state = load_file(str(path))
    classes, hidden = state["weight"].shape
    head = torch.nn.Linear(hidden, classes)
    head.load_state_dict(state)  # strict: exactly weight and bias
    return head


def check_effect(logits: torch.Tensor, without: torch.Tensor) -> float:
    effect = (logits - without).abs().max().item()
    if effect <= MIN_ADAPTER_EFFECT:
        raise AssertionError(f"the delta changes the logits by only {effect:.1e}: was it applied?")
    return effect


def readme_logits(folder: Path, manifest: dict, texts: list[str]) -> torch.Tensor:
    """Runs the Python in the zip's README.md as a user would (their folder and encoder path filled in)."""
    readme = (folder / "README.md").read_text()
    code = "\n".join(block.split("\n", 1)[1] for block in readme.split("```")[1::2] if block.startswith("python"))
    code = code.replace("path/to/this/folder", str(folder)).replace(json.dumps(manifest["encoder"]["id"]), json.dumps(str(ENCODER_DIR)))
    code = "\n".join(line for line in code.split("\n") if not line.startswith("print("))  # define, do not predict
    scope: dict = {}
    exec(compile(code, str(folder / "README.md"), "exec"), scope)
    return scope["tabtune_logits"](texts)


def check(method_dir: Path, checks: dict[str, Check]) -> str:
    ref = json.loads((method_dir / "logits.json").read_text())
    folder = method_dir / "delta"
    manifest = json.loads((folder / "tabtune.json").read_text())
    if manifest["library"] != ref["library"]:
        raise AssertionError(f"tabtune.json says library {manifest['library']}, export.ts said {ref['library']}")
    pooling = manifest["encoder"]["pooling"]
    if pooling["mode"] != "mean":
        raise NotImplementedError(f"pooling {pooling['mode']}")
    batch = {k: torch.tensor(ref[k]) for k in ("input_ids", "attention_mask", "token_type_ids")}
    logits, what = checks[manifest["library"]](folder, manifest, batch, pooling["normalize"])
    diff = (logits - torch.tensor(ref["logits"])).abs().max().item()
    verdict = "ok" if diff <= TOL_LOGITS else f"FAIL (> {TOL_LOGITS})"
    line = f"{what}; {logits.shape[0]} sentences x {logits.shape[1]} classes, max |diff| vs Tabtune {diff:.2e}: {verdict}"
    if diff > TOL_LOGITS:
        raise AssertionError(line)
    readme_diff = (readme_logits(folder, manifest, ref["texts"]) - torch.tensor(ref["logits"])).abs().max().item()
    if readme_diff > TOL_LOGITS:
        raise AssertionError(f"{line}; but the README's snippet (with its own tokenizer) is off by {readme_diff:.2e}")
    return f"{line}; README snippet {readme_diff:.2e}: ok"


def run_checks(out: Path, checks: dict[str, Check]) -> int:
    """Checks every exported method laid out for one of `checks`' libraries; the number that failed."""
    torch.manual_seed(0)
    failed = 0
    for method_dir in sorted(p for p in out.iterdir() if (p / "delta.zip").exists()):
        folder = method_dir / "delta"
        try:
            with zipfile.ZipFile(method_dir / "delta.zip") as z:
                bad = z.testzip()
                if bad is not None:
                    raise AssertionError(f"{bad} fails its CRC in Python's zipfile")
                z.extractall(folder)
            library = json.loads((folder / "tabtune.json").read_text())["library"]
            if library not in checks:
                continue  # the other checker's
            line, verdict = check(method_dir, checks), "passed"
        except Exception as e:  # one line per method, whatever went wrong
            line, verdict = f"FAIL: {type(e).__name__}: {e}", "failed"
            failed += 1
        print(f"interop: {method_dir.name}: {line}", flush=True)
        (method_dir / "verdict").write_text(verdict)
    return failed
