"""Golden fixtures for the training machinery: fixtures/training/*.json.

Run (from the repo root):
    .venv/bin/python scripts/py/golden_training.py

What each file holds (all numbers plain JSON floats; tensors as nested lists):
  schedule.json   transformers.get_linear_schedule_with_warmup / get_constant_schedule_with_warmup:
                  cases [{kind, warmup, total, multipliers[t] for t = 0 .. total + 2}]
  clip.json       torch.nn.utils.clip_grad_norm_: cases [{max_norm, grads_before[], total_norm, grads_after[]}]
  adamw.json      torch.optim.AdamW on a tiny regression problem, under the linear warm-up schedule with
                  clip_grad_norm_(max_norm) before every step:
                    x [n, d], y [n, k]; params {w [d, k], g [k], b [k]} initial values;
                    loss = mean(((x @ w) * g + b - y) ** 2);
                    hyper {lr, betas, eps, weight_decay, max_norm, warmup_steps, total_steps}
                    steps[t] = {lr, loss, grad_norm, grads (clipped, as fed to AdamW), params (after the step)}
                  plus "skip": the same optimiser fed recorded grads where "b" has no grad at some steps
                  (torch skips such a parameter entirely: no decay, no moment update, no step count);
                  and "tiny": gradients near 1e-6 with eps 1e-6, where the place of eps matters.
"""
from __future__ import annotations

import torch
from transformers import get_constant_schedule_with_warmup, get_linear_schedule_with_warmup

from common import REPO_ROOT, write_json

OUT = REPO_ROOT / "fixtures" / "training"


def lists(t: torch.Tensor) -> object:
    return t.detach().to(torch.float64).tolist()


def schedule_cases() -> dict:
    cases = []
    for kind, make in (("linear", get_linear_schedule_with_warmup), ("constant", None)):
        for warmup, total in ((0, 10), (3, 10), (10, 10), (4, 7), (1, 1)):
            p = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([p], lr=1.0)
            if kind == "linear":
                sched = make(opt, num_warmup_steps=warmup, num_training_steps=total)
            else:
                sched = get_constant_schedule_with_warmup(opt, num_warmup_steps=warmup)
            mults = []
            for _ in range(total + 3):
                mults.append(opt.param_groups[0]["lr"])  # the lr the next optimizer.step() would use
                opt.step()
                sched.step()
            cases.append({"kind": kind, "warmup": warmup, "total": total, "multipliers": mults})
    return {"cases": cases}


def clip_cases() -> dict:
    gen = torch.Generator().manual_seed(1)
    cases = []
    for max_norm, scale in ((1.0, 3.0), (1.0, 0.05), (0.5, 1.0), (2.0, 0.0)):
        grads = [torch.randn(3, 2, generator=gen) * scale, torch.randn(4, generator=gen) * scale,
                 torch.randn(1, generator=gen) * scale]
        params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm)
        cases.append({"max_norm": max_norm, "grads_before": [lists(g) for g in grads],
                      "total_norm": float(total), "grads_after": [lists(p.grad) for p in params]})
    return {"cases": cases}


def adamw_case() -> dict:
    gen = torch.Generator().manual_seed(0)
    n, d, k = 12, 4, 3
    x = torch.randn(n, d, generator=gen)
    w_true = torch.randn(d, k, generator=gen) * 2.0
    y = x @ w_true + 1.5 + 0.1 * torch.randn(n, k, generator=gen)
    init = {"w": torch.randn(d, k, generator=gen) * 0.5, "g": torch.ones(k), "b": torch.zeros(k)}
    params = {name: torch.nn.Parameter(t.clone()) for name, t in init.items()}
    hyper = {"lr": 0.1, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.05, "max_norm": 1.0,
             "warmup_steps": 2, "total_steps": 10}
    opt = torch.optim.AdamW(params.values(), lr=hyper["lr"], betas=tuple(hyper["betas"]), eps=hyper["eps"],
                            weight_decay=hyper["weight_decay"])
    sched = get_linear_schedule_with_warmup(opt, hyper["warmup_steps"], hyper["total_steps"])
    steps = []
    for _ in range(hyper["total_steps"]):
        opt.zero_grad()
        loss = (((x @ params["w"]) * params["g"] + params["b"] - y) ** 2).mean()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params.values(), hyper["max_norm"])
        lr = opt.param_groups[0]["lr"]
        grads = {name: lists(p.grad) for name, p in params.items()}
        opt.step()
        sched.step()
        steps.append({"lr": lr, "loss": float(loss.detach()), "grad_norm": float(norm), "grads": grads,
                      "params": {name: lists(p) for name, p in params.items()}})
    return {"x": lists(x), "y": lists(y), "params": {name: lists(t) for name, t in init.items()}, "hyper": hyper,
            "steps": steps}


def adamw_skip_case() -> dict:
    """Constant lr 0.05, wd 0.1; "b" gets no grad at steps 1 and 2 (0-based)."""
    gen = torch.Generator().manual_seed(2)
    init = {"w": torch.randn(2, 3, generator=gen), "b": torch.randn(3, generator=gen)}
    params = {name: torch.nn.Parameter(t.clone()) for name, t in init.items()}
    opt = torch.optim.AdamW(params.values(), lr=0.05, weight_decay=0.1)
    steps = []
    for t in range(5):
        grads = {}
        for name, p in params.items():
            if name == "b" and t in (1, 2):
                p.grad = None
                grads[name] = None
            else:
                g = torch.randn(p.shape, generator=gen)
                p.grad = g.clone()
                grads[name] = lists(g)
        opt.step()
        steps.append({"grads": grads, "params": {name: lists(p) for name, p in params.items()}})
    return {"lr": 0.05, "weight_decay": 0.1, "params": {name: lists(t) for name, t in init.items()},
            "steps": steps}


def adamw_tiny_case() -> dict:
    """Gradients near 1e-6 with eps 1e-6: where eps sits (after sqrt(v_hat), as torch) changes the update."""
    gen = torch.Generator().manual_seed(3)
    p = torch.nn.Parameter(torch.randn(5, generator=gen))
    init = p.detach().clone()
    opt = torch.optim.AdamW([p], lr=0.01, eps=1e-6, weight_decay=0.0)
    steps = []
    for _ in range(4):
        g = torch.randn(5, generator=gen) * 1e-6
        p.grad = g.clone()
        opt.step()
        steps.append({"grads": {"p": lists(g)}, "params": {"p": lists(p)}})
    return {"lr": 0.01, "eps": 1e-6, "params": {"p": lists(init)}, "steps": steps}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    write_json(OUT / "schedule.json", schedule_cases())
    write_json(OUT / "clip.json", clip_cases())
    write_json(OUT / "adamw.json", {"torch": torch.__version__.split("+")[0], "regression": adamw_case(),
                                     "skip": adamw_skip_case(), "tiny": adamw_tiny_case()})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
