"""ONNX oracle: tiny torch models exported with torch.onnx.export (float64), and for each one the
logits, the mean cross-entropy loss, its gradient and a Hessian-vector product, so the TypeScript
side can check its ONNX reader op by op. Input: {"dir": where to write the .onnx files}.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import read_input, write_output

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from stagecredit_recorder import export_onnx  # noqa: E402  (the recorder's export: names kept)


class MlpGelu(nn.Module):
    """Gemm, exact GELU (Div, Erf, Add, Mul), Tanh, Sigmoid, Relu."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 7)
        self.fc2 = nn.Linear(7, 6)
        self.fc3 = nn.Linear(6, 3)

    def forward(self, x):
        h = F.gelu(self.fc1(x))
        h = torch.tanh(self.fc2(h)) + torch.sigmoid(h[:, :6]) * torch.relu(h[:, 1:])
        return self.fc3(h)


class Cnn(nn.Module):
    """Conv, MaxPool, AveragePool, GlobalAveragePool, Flatten, Gemm."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, 3, padding=1)
        self.conv2 = nn.Conv2d(3, 4, 3, padding=1, stride=1)
        self.conv3 = nn.Conv2d(4, 4, 3)
        self.fc = nn.Linear(4 + 4, 3)

    def forward(self, x):
        h = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        h = F.avg_pool2d(F.gelu(self.conv2(h)), 2, stride=1)
        a = torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)
        b = torch.flatten(F.adaptive_avg_pool2d(torch.tanh(self.conv3(h)), 1), 1)
        return self.fc(torch.cat([a, b], 1))


class Transformer(nn.Module):
    """MatMul on 3-D inputs, attention (Shape-derived Reshape, Slice, Softmax), LayerNorm as
    ReduceMean/Sub/Pow/Sqrt/Div, ReduceMean pooling."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(3, 8)
        self.pos = nn.Parameter(torch.randn(4, 8) * 0.5)
        self.layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, activation="gelu")
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        h = self.layer(self.embed(x) + self.pos)
        return self.head(self.norm(h).mean(1))


class LayerNormOps(nn.Module):
    """LayerNormalization (opset 17), Gather of one token, Unsqueeze/Squeeze, Transpose, Sub, Pow,
    Sqrt, Softmax/LogSoftmax, Concat of floats, Reshape."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 6)
        self.norm = nn.LayerNorm(6)
        self.out = nn.Linear(6 + 3 + 3, 3)

    def forward(self, x):
        h = self.norm(self.proj(x))                        # [B, 3, 6]
        first = h[:, 0, :]                                  # Gather
        t = h.transpose(1, 2).reshape(h.shape[0], 6, 3)     # Transpose, Reshape
        s = torch.sqrt((t - t.mean(1, keepdim=True)).pow(2).mean(1) + 1.0)  # ReduceMean, Sub, Pow, Sqrt
        p = torch.softmax(h.sum(2), -1) + torch.log_softmax(h.sum(2), -1).unsqueeze(1).squeeze(1)
        return self.out(torch.cat([first, s, p], 1))


class ElementwiseOps(nn.Module):
    """Exp, Neg, Abs, Log, Softplus, ConstantOfShape (zeros_like), ReduceSum, padded AveragePool."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4 * 4)
        self.out = nn.Linear(4 * 4 + 1, 3)

    def forward(self, x):
        h = self.fc(x)
        a = torch.exp(-h.abs()) + torch.log(h * h + 1) + F.softplus(h) + torch.zeros_like(h)
        img = F.avg_pool2d(a.reshape(a.shape[0], 1, 4, 4), 3, stride=1, padding=1).flatten(1)
        return self.out(torch.cat([img, a.sum(-1, keepdim=True)], 1))


CASES = {
    "mlp-gelu": (MlpGelu, [5], 13),
    "cnn": (Cnn, [2, 8, 8], 13),
    "transformer": (Transformer, [4, 3], 13),
    "layernorm-opset17": (LayerNormOps, [3, 4], 17),
    "elementwise": (ElementwiseOps, [6], 13),
}


def main():
    req = read_input()
    out = {}
    for i, (name, (cls, shape, opset)) in enumerate(CASES.items()):
        torch.manual_seed(100 + i)
        model = cls().double()
        x = torch.randn(3, *shape)
        labels = torch.tensor([0, 2, 1])
        path = os.path.join(req["dir"], f"{name}.onnx")
        export_onnx(model, x, path, opset_version=opset)
        names = [n for n, _ in model.named_parameters()]
        params = list(model.parameters())
        v = [torch.randn_like(p) for p in params]
        logits = model(x)
        loss = F.cross_entropy(logits, labels)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        hvp = torch.autograd.grad(sum((g * u).sum() for g, u in zip(grads, v)), params)
        out[name] = {
            "file": path, "names": names, "x": x.flatten(), "xShape": list(x.shape), "labels": labels,
            "v": [t.flatten() for t in v], "logits": logits.flatten(), "loss": loss.item(),
            "grad": [g.flatten() for g in grads], "hvp": [h.flatten() for h in hvp],
        }
    write_output(out)


main()
