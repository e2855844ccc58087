"""Per-step learning rates from torch.optim.lr_scheduler for stagecredit ScheduleSpecs.

Input: {"cases": [{"spec": ScheduleSpec, "baseLr": float, "steps": int}, ...]}
Output: [[lr used at step 0, 1, ...], ...]: the lr read before optimizer.step(), with
scheduler.step() called after every optimizer.step(), as torch recommends.
Only fields present in the spec are passed, so torch's own defaults are exercised.
"""
import warnings

import torch
from torch.optim import lr_scheduler as sch

from common import read_input, write_output

# SequentialLR calls scheduler.step(0) at a milestone, which warns about the epoch argument.
warnings.filterwarnings("ignore", category=UserWarning)


def make(spec, opt, steps):
    kind = spec["kind"]
    if kind == "constant":
        return None
    if kind == "step":
        return sch.StepLR(opt, step_size=spec["stepSize"], gamma=spec["gamma"])
    if kind == "linear":
        kw = {}
        for ours, theirs in (("startFactor", "start_factor"), ("endFactor", "end_factor"), ("totalIters", "total_iters")):
            if ours in spec:
                kw[theirs] = spec[ours]
        return sch.LinearLR(opt, **kw)
    if kind == "cosine":
        return sch.CosineAnnealingLR(opt, T_max=spec.get("tMax", steps), eta_min=spec.get("etaMin", 0))
    if kind == "warmupCosine":
        w = spec["warmupSteps"]
        kw = {"start_factor": spec["warmupStartFactor"]} if "warmupStartFactor" in spec else {}
        warm = sch.LinearLR(opt, end_factor=1.0, total_iters=w, **kw)
        cos = sch.CosineAnnealingLR(opt, T_max=steps - w, eta_min=spec.get("etaMin", 0))
        return sch.SequentialLR(opt, [warm, cos], milestones=[w])
    raise ValueError(f"no torch scheduler for kind {kind!r}")


def run(case):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=case["baseLr"])
    scheduler = make(case["spec"], opt, case["steps"])
    lrs = []
    for _ in range(case["steps"]):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return lrs


write_output([run(c) for c in read_input()["cases"]])
