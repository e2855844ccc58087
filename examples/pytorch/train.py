"""A 3-stage PyTorch training run, recorded for stagecredit.

    /usr/bin/python3 examples/pytorch/train.py --arch cnn --out runs/pytorch-cnn
    npx stagecredit attribute runs/pytorch-cnn

Data: small MNIST-like 12x12 images of four stroke patterns (generated here, seeded), with a
"noisy" set whose labels are partly wrong. Stages:
  1. warmup   SGD with momentum, weight decay and a step-wise learning-rate decay, clean data
  2. main     AdamW with gradient clipping (clip_grad_norm_), clean data
  3. noisy    the same AdamW optimizer continued (its state is carried), on the noisy set
Architectures: --arch cnn (conv, exact GELU, max pool), mlp, transformer (image rows as tokens).
"""
import argparse
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from stagecredit_recorder import Dataset, Recorder  # noqa: E402

SIDE = 12
CLASSES = ["vertical", "horizontal", "diagonal", "ring"]


def strokes(n, seed, label_noise=0.0):
    """n images [n, 1, 12, 12] of four stroke patterns, shifted and noisy; group column "shift"."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = torch.zeros(n, 1, SIDE, SIDE, dtype=torch.float64)
    shift = torch.randint(-2, 3, (n, 2), generator=g)
    r = torch.arange(SIDE)
    for i in range(n):
        img = torch.zeros(SIDE, SIDE, dtype=torch.float64)
        c = int(y[i])
        if c == 0:
            img[2:10, 5:7] = 1
        elif c == 1:
            img[5:7, 2:10] = 1
        elif c == 2:
            img[r[2:10], r[2:10]] = 1
            img[r[2:9], r[3:10]] = 1
        else:
            yy, xx = torch.meshgrid(r, r, indexing="ij")
            d = ((yy - 5.5) ** 2 + (xx - 5.5) ** 2).sqrt()
            img[(d > 2.5) & (d < 4)] = 1
        img = torch.roll(img, (int(shift[i, 0]), int(shift[i, 1])), (0, 1))
        x[i, 0] = img + 0.3 * torch.randn(SIDE, SIDE, generator=g, dtype=torch.float64)
    labels = y.clone()
    flip = torch.rand(n, generator=g) < label_noise
    labels[flip] = (labels[flip] + 1) % 4
    groups = {"flipped": flip.long(), "shifted": (shift.abs().sum(1) > 0).long()}
    names = {"flipped": ["clean", "flipped"], "shifted": ["centred", "shifted"]}
    return Dataset(x, labels, groups=groups, group_names=names, class_names=CLASSES, num_classes=4, source=f"generated strokes (seed {seed})")


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.act = nn.GELU()          # exact (erf) GELU, torch's default
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(6 * 3 * 3, 4)

    def forward(self, x):
        h = self.pool(self.act(self.conv1(x)))
        h = self.pool(self.act(self.conv2(h)))
        return self.fc(torch.flatten(h, 1))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 16), nn.GELU(), nn.Linear(16, 4))

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    """A pre-norm transformer block: multi-head self-attention and a GELU MLP, each residual.
    The key projection has no bias: a key bias only adds a per-query constant before the softmax,
    so its gradient is exactly zero, and Adam's sqrt(v) = 0 there makes E3's exact JVP 0 * inf
    (nn.MultiheadAttention has that bias; see the README's limitations)."""

    def __init__(self, d=8, heads=2):
        super().__init__()
        self.heads = heads
        self.scale = math.sqrt(d // heads)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d, bias=False), nn.Linear(d, d)
        self.proj = nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 2 * d), nn.Linear(2 * d, d)

    def forward(self, h):
        b, s, d = h.shape
        x = self.norm1(h)
        split = lambda t: t.reshape(b, s, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = torch.softmax(q @ k.transpose(-2, -1) / self.scale, dim=-1)
        h = h + self.proj((a @ v).transpose(1, 2).reshape(b, s, d))
        return h + self.fc2(F.gelu(self.fc1(self.norm2(h))))


class RowTransformer(nn.Module):
    """Image rows as 12 tokens of 12 pixels: embedding, learned positions, one block, mean pooling."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(SIDE, 8)
        self.pos = nn.Parameter(0.1 * torch.randn(SIDE, 8))
        self.block = Block(8, 2)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        h = self.embed(x.reshape(x.shape[0], SIDE, SIDE)) + self.pos
        return self.head(self.norm(self.block(h)).mean(1))


ARCHS = {"cnn": Cnn, "mlp": Mlp, "transformer": RowTransformer}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=sorted(ARCHS), default="cnn")
    ap.add_argument("--out", default="runs/pytorch-cnn")
    ap.add_argument("--steps", type=int, default=12, help="steps per stage")
    args = ap.parse_args()

    torch.manual_seed(0)
    model = ARCHS[args.arch]().double()
    train, noisy, test = strokes(192, 1), strokes(96, 2, label_noise=0.4), strokes(64, 3)
    rec = Recorder(args.out, model, example_input=train.x[:2], datasets={"train": train, "noisy": noisy, "test": test},
                   evaluation="test", group_column="shifted", name=f"pytorch-{args.arch}")

    def run_stage(st, opt, data, clip=None, scheduler=None, seed=0):
        for idx in st.batches(batch_size=16, steps=args.steps, seed=seed):
            opt.zero_grad()
            loss = F.cross_entropy(model(data.x[idx]), data.y[idx])
            loss.backward()
            if clip is not None:
                st.clip_grad_norm_(clip)
            st.step(loss=loss)
            if scheduler is not None:
                scheduler.step()

    sgd = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    decay = torch.optim.lr_scheduler.StepLR(sgd, step_size=4, gamma=0.5)
    with rec.stage("warmup", sgd, data="train") as st:
        run_stage(st, sgd, train, scheduler=decay, seed=1)
    adamw = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    with rec.stage("main", adamw, data="train") as st:
        run_stage(st, adamw, train, clip=0.5, seed=2)
    for g in adamw.param_groups:
        g["lr"] = 1e-3        # the same optimizer object continues: its state is carried
    with rec.stage("noisy", adamw, data="noisy") as st:
        run_stage(st, adamw, noisy, seed=3)
    print(f"recorded {rec.finish()}")


if __name__ == "__main__":
    main()
