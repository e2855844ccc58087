# PyTorch CPU reference for bench/core.bench.ts: the same MLP, batch and dtype. One thread means
# OPENBLAS_NUM_THREADS=1 in this process's environment (set by the caller before torch loads:
# torch.set_num_threads does not limit OpenBLAS's own pool) plus torch.set_num_threads(1);
# threads null keeps torch's defaults.
import json, os, sys, time
import torch

cfg = json.load(sys.stdin)
if cfg["threads"] is not None:
    torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
dt = torch.float64
sizes, B = cfg["sizes"], cfg["batch"]
x = torch.rand(B, sizes[0], dtype=dt)
y = torch.randint(0, sizes[-1], (B,))
params = []
for i in range(len(sizes) - 1):
    bound = 1 / sizes[i] ** 0.5
    params += [(torch.rand(sizes[i], sizes[i + 1], dtype=dt) * 2 - 1) * bound, torch.zeros(sizes[i + 1], dtype=dt)]
params = [p.requires_grad_() for p in params]
v = [torch.randn_like(p) for p in params]

def loss_fn(ps):
    h = x
    for i in range(0, len(ps), 2):
        h = h @ ps[i] + ps[i + 1]
        if i + 2 < len(ps):
            h = torch.tanh(h)
    return torch.nn.functional.cross_entropy(h, y)

def timed(fn, reps):
    fn()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps

def grad():
    return torch.autograd.grad(loss_fn(params), params)

def hvp():
    g = torch.autograd.grad(loss_fn(params), params, create_graph=True)
    return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

def train_step():
    g = grad()
    with torch.no_grad():
        for p, gi in zip(params, g):
            p.sub_(0.01 * gi)

def gemm(n):
    a = torch.rand(n, n, dtype=dt)
    b = torch.rand(n, n, dtype=dt)
    t = timed(lambda: a @ b, 20 if n <= 256 else 5)
    return 2 * n ** 3 / t / 1e9

reps = cfg["reps"]
out = {
    "gradMs": timed(grad, reps) * 1e3,
    "hvpMs": timed(hvp, reps) * 1e3,
    "stepMs": timed(train_step, reps) * 1e3,
    "gemm256": gemm(256),
    "gemm1024": gemm(1024),
    "version": torch.__version__,
    "threads": torch.get_num_threads(),
    "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
}
print(json.dumps(out))
