"""Oracle for src/optim: runs torch.optim.{SGD, Adam, AdamW} on a small float64 MLP.

Input: {"data": {"X", "y"}, "init": [W1, b1, W2, b2], "cases": [{"name", "spec", "lrs"}]}, where
"spec" is a stagecredit OptimizerSpec. Only the fields the spec sets are passed to torch, so
torch's own defaults (e.g. AdamW's weight_decay 1e-2) are what an omitted field means.
Output, per case: the parameters after every step, the gradient used at every step, and the final
optimizer state. The loss is mean((tanh(X @ W1 + b1) @ W2 + b2 - y)^2).
"""
import torch

from common import read_input, tensor, write_output


def loss_of(params, X, y):
    W1, b1, W2, b2 = params
    out = torch.tanh(X @ W1 + b1) @ W2 + b2
    return ((out - y) ** 2).mean()


def make_optimizer(spec, params):
    kind = spec["kind"]
    kw = {"lr": spec["lr"], "foreach": False}  # the single-tensor code path
    if "weightDecay" in spec:
        kw["weight_decay"] = spec["weightDecay"]
    if kind == "sgd":
        for ours, theirs in (("momentum", "momentum"), ("dampening", "dampening"), ("nesterov", "nesterov")):
            if ours in spec:
                kw[theirs] = spec[ours]
        if spec.get("decoupledWeightDecay"):
            kw.pop("weight_decay", None)  # applied by hand in run(), see there
        return torch.optim.SGD(params, **kw)
    if "betas" in spec:
        kw["betas"] = tuple(spec["betas"])
    if "eps" in spec:
        kw["eps"] = spec["eps"]
    return (torch.optim.Adam if kind == "adam" else torch.optim.AdamW)(params, **kw)


def run(case, init, X, y):
    spec = case["spec"]
    params = [tensor(p).requires_grad_(True) for p in init]
    opt = make_optimizer(spec, params)
    # torch 1.13 has no SGDW. stagecredit's decoupled SGD decays as AdamW does: gradient at the
    # undecayed theta, then theta *= 1 - lr*lambda, then the plain SGD update.
    sgdw = spec["kind"] == "sgd" and spec.get("decoupledWeightDecay") and spec.get("weightDecay", 0) != 0
    history, grads = [], []
    for lr in case["lrs"]:
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        loss_of(params, X, y).backward()
        grads.append([p.grad.clone() for p in params])
        if sgdw:
            with torch.no_grad():
                for p in params:
                    p.mul_(1 - lr * spec["weightDecay"])
        opt.step()
        history.append([p.detach().clone() for p in params])
    state = {}
    for key in ("momentum_buffer", "exp_avg", "exp_avg_sq", "step"):
        values = [opt.state[p].get(key) for p in params]
        if all(v is not None for v in values):
            state[key] = [float(v) if key == "step" else v for v in values]
    return {"params": history, "grads": grads, "state": state}


def main():
    inp = read_input()
    X, y = tensor(inp["data"]["X"]), tensor(inp["data"]["y"])
    write_output({"cases": [run(case, inp["init"], X, y) for case in inp["cases"]]})


main()
