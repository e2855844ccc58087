"""The stagecredit models (src/nn) rebuilt as torch modules, for test/nn/oracle.test.ts.

Input: {"cases": [{"config": ModelConfig with defaults filled, "params": [flat list per
parameter, in stagecredit's order], "x": flat list, "xShape": [B, ...], "labels": [int],
"v": [flat list per parameter]}]}
Output per case: {"names": [...], "shapes": [...], "logits": [[...]], "loss": float,
"grad": [flat list per parameter], "hvp": [flat list per parameter]}, where loss is
F.cross_entropy (mean) and hvp = d/dθ <grad(θ), v>, a second torch.autograd.grad through the
create_graph=True graph of the first.

The modules are written so that named_parameters() yields exactly stagecredit's ParamSpec
names and order; the test checks that too, so these classes are the reference for what the
names mean (and a safetensors file written by stagecredit loads with load_state_dict).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import read_input, write_output, tensor

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "gelu-tanh": lambda: nn.GELU(approximate="tanh"),
    "sigmoid": nn.Sigmoid,
    # torch's Softplus switches to the identity above x = 20 (a 2e-9 difference there); the
    # oracle cases keep pre-activations small.
    "softplus": nn.Softplus,
}


def dense(widths, act):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(ACTIVATIONS[act]())
    return layers


def mlp(c):
    return nn.Sequential(*dense([c["inputDim"], *c["hidden"], c["numClasses"]], c["activation"]))


def logistic(c):
    return nn.Sequential(nn.Linear(c["inputDim"], c["numClasses"]))


def cnn(c):
    ch, h, w = c["inputShape"]
    k = c["kernel"]
    layers = []
    for co in c["channels"]:
        layers += [nn.Conv2d(ch, co, k, padding=k // 2), ACTIVATIONS[c["activation"]](),
                   nn.MaxPool2d(2) if c["pool"] == "max" else nn.AvgPool2d(2)]
        ch, h, w = co, h // 2, w // 2
    layers.append(nn.Flatten())
    layers += dense([ch * h * w, *c["hidden"], c["numClasses"]], c["activation"])
    return nn.Sequential(*layers)


class Attention(nn.Module):
    """Multi-head self-attention written out (nn.MultiheadAttention packs q, k, v into one
    in_proj_weight; separate projections keep the names readable)."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)

    def forward(self, a):
        b, s, d = a.shape
        dh = d // self.heads

        def split(t):
            return t.reshape(b, s, self.heads, dh).permute(0, 2, 1, 3)

        q, k, v = split(self.q(a)), split(self.k(a)), split(self.v(a))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)
        ctx = (weights @ v).permute(0, 2, 1, 3).reshape(b, s, d)
        return self.o(ctx)


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = Mlp(d, hidden)

    def forward(self, h):
        h = h + self.attn(self.ln1(h))
        return h + self.mlp(self.ln2(h))


class TorchTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dModel"]
        self.seq_len, self.token_dim = c["seqLen"], c["tokenDim"]
        self.embed = nn.Linear(self.token_dim, d)
        self.pos = nn.Parameter(torch.zeros(self.seq_len, d))
        self.block = Block(d, c["heads"], int(c["mlpRatio"] * d))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, c["numClasses"])

    def forward(self, x):
        h = self.embed(x.reshape(x.shape[0], self.seq_len, self.token_dim)) + self.pos
        h = self.block(h)
        return self.head(self.ln(h).mean(dim=1))


BUILDERS = {"logistic": logistic, "mlp": mlp, "cnn": cnn, "transformer": TorchTransformer}
INPUT_SHAPE = {
    "logistic": lambda c: [c["inputDim"]],
    "mlp": lambda c: [c["inputDim"]],
    "cnn": lambda c: c["inputShape"],
    "transformer": lambda c: [c["seqLen"] * c["tokenDim"]],
}


def run(case):
    c = case["config"]
    model = BUILDERS[c["kind"]](c).double()
    named = list(model.named_parameters())
    if len(named) != len(case["params"]):
        raise ValueError(f"{c['kind']}: torch has {len(named)} parameters "
                         f"({[n for n, _ in named]}), stagecredit sent {len(case['params'])}")
    with torch.no_grad():
        for (name, p), values in zip(named, case["params"]):
            p.copy_(tensor(values).reshape(p.shape))
    params = [p for _, p in named]
    x = tensor(case["x"]).reshape(case["xShape"][0], *INPUT_SHAPE[c["kind"]](c))
    labels = torch.tensor(case["labels"], dtype=torch.long)
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    v = [tensor(vals).reshape(p.shape) for vals, p in zip(case["v"], params)]
    dot = sum((g * vi).sum() for g, vi in zip(grads, v))
    hvp = torch.autograd.grad(dot, params)
    return {
        "names": [n for n, _ in named],
        "shapes": [list(p.shape) for _, p in named],
        "logits": logits,
        "loss": loss.item(),
        "grad": [g.reshape(-1) for g in grads],
        "hvp": [h.reshape(-1) for h in hvp],
    }


write_output([run(c) for c in read_input()["cases"]])
