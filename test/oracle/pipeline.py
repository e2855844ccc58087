"""Oracle for src/pipeline: trains a stagecredit pipeline manifest with torch.

Input: {"manifest": path, "run": run directory}. Everything else is read from the same files
stagecredit used: the manifest (data sets given as {"file"} safetensors written by
writeDatasetFile, batches as {"batchOrder": {"file"}} JSON lists), and theta_0 from the run's
checkpoints/boundary-0.safetensors. Safetensors are parsed here by hand (struct + json), so no
code is shared with the implementation under test.

Each stage gets a new torch.optim optimizer (optimizerState "reset") and its own scheduler, stepped
after every optimizer.step() as torch's docs prescribe. Output: {"names": [...], "boundaries":
[[param, ...] per stage boundary 1..K]} with parameters as nested lists.
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

from common import read_input, write_output

DTYPES = {"F64": torch.float64, "F32": torch.float32, "I32": torch.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    body = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        data = bytearray(raw[body + begin : body + end])
        out[name] = torch.frombuffer(data, dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def relative_to(base, path):
    return path if os.path.isabs(path) else os.path.join(base, path)


def build_model(cfg):
    if cfg["kind"] != "mlp":
        raise SystemExit(f"pipeline.py handles mlp models only, not {cfg['kind']}")
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[cfg.get("activation", "relu")]
    widths = [cfg["inputDim"], *cfg["hidden"], cfg["numClasses"]]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers).double()


def make_optimizer(spec, params):
    kw = {"lr": spec["lr"], "foreach": False}
    if "weightDecay" in spec:
        kw["weight_decay"] = spec["weightDecay"]
    if spec["kind"] == "sgd":
        if spec.get("decoupledWeightDecay"):
            raise SystemExit("pipeline.py: decoupled SGD weight decay is not in torch 1.13")
        for ours, theirs in (("momentum", "momentum"), ("dampening", "dampening"), ("nesterov", "nesterov")):
            if ours in spec:
                kw[theirs] = spec[ours]
        return torch.optim.SGD(params, **kw)
    if "betas" in spec:
        kw["betas"] = tuple(spec["betas"])
    if "eps" in spec:
        kw["eps"] = spec["eps"]
    return {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[spec["kind"]](params, **kw)


def make_scheduler(spec, opt, steps):
    kind = spec.get("kind", "constant")
    if kind == "constant":
        return None
    if kind == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec.get("tMax", steps), eta_min=spec.get("etaMin", 0))
    if kind == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=spec["stepSize"], gamma=spec["gamma"])
    raise SystemExit(f"pipeline.py: schedule {kind} not handled")


def main():
    inp = read_input()
    with open(inp["manifest"]) as f:
        manifest = json.load(f)
    base = os.path.dirname(os.path.abspath(inp["manifest"]))
    if manifest.get("dtype", "float64") != "float64":
        raise SystemExit("pipeline.py runs float64 manifests only")

    data = {}
    for name, spec in manifest["datasets"].items():
        t = read_safetensors(relative_to(base, spec["file"]))
        data[name] = (t["x"].to(torch.float64).reshape(t["x"].shape[0], -1), t["y"].long())

    model = build_model(manifest["model"])
    init = read_safetensors(os.path.join(inp["run"], "checkpoints", "boundary-0.safetensors"))
    names = [name for name, _ in model.named_parameters()]
    model.load_state_dict({name: init[name] for name in names})

    boundaries = []
    for stage in manifest["stages"]:
        if stage.get("optimizerState", "reset") != "reset" or "subset" in stage or "sampleWeights" in stage:
            raise SystemExit(f"pipeline.py: stage {stage['name']} uses a feature this oracle does not model")
        with open(relative_to(base, stage["batchOrder"]["file"])) as f:
            batches = json.load(f)
        X, y = data[stage["data"]]
        opt = make_optimizer(stage["optimizer"], model.parameters())
        sched = make_scheduler(stage.get("schedule", {}), opt, len(batches))
        for idx in batches:
            index = torch.tensor(idx, dtype=torch.long)
            opt.zero_grad()
            F.cross_entropy(model(X[index]), y[index]).backward()
            opt.step()
            if sched is not None:
                sched.step()
        boundaries.append([p.detach().clone() for p in model.parameters()])

    write_output({"names": names, "boundaries": boundaries})


main()
