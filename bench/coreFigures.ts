// One back-end's numeric-core figures for bench/core.bench.ts (the back-end is STAGECREDIT_BACKEND's):
// training step (SGD), gradient, HVP and gemm GFLOP/s, after a warm-up; prints one JSON line.
import * as T from '../src/autodiff/index.js';
import { createOptimizer } from '../src/optim/index.js';
import { getBackend, Rng, randUniform, Tensor, zeros } from '../src/tensor/index.js';

const reps = Number(process.env.BENCH_REPS ?? 20);
const sizes = [784, 256, 256, 10];
const B = 128;

function timed(fn: () => unknown, n: number): number {
  fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t) / n;
}

const rng = new Rng(0);
const x = randUniform([B, sizes[0]], rng);
const labels = Int32Array.from({ length: B }, () => rng.int(sizes.at(-1)!));
const pick = Int32Array.from(labels, (c, i) => i * sizes.at(-1)! + c);
const params0: Tensor[] = [];
for (let i = 0; i + 1 < sizes.length; i++) {
  const bound = 1 / Math.sqrt(sizes[i]);
  params0.push(randUniform([sizes[i], sizes[i + 1]], rng, -bound, bound), zeros([sizes[i + 1]]));
}
const v = params0.map((p) => randUniform(p.shape, rng, -1, 1));

const loss = (ps: Tensor[]) => {
  let h = x;
  for (let i = 0; i < ps.length; i += 2) {
    h = T.add(T.matmul(h, ps[i]), ps[i + 1]);
    if (i + 2 < ps.length) h = T.tanh(h);
  }
  return T.mean(T.sub(T.logSumExp(h, -1), T.take(h, pick, [B])));
};

interface Figures { stepMs: number; gradMs: number; hvpMs: number; gemm256: number; gemm1024: number }

function gemmGflops(n: number): number {
  const b = getBackend();
  const a = randUniform([n * n], rng);
  const bb = randUniform([n * n], rng);
  const c = new Float64Array(n * n);
  const ms = timed(() => b.gemm(false, false, n, n, n, 1, a.data, 0, n, bb.data, 0, n, 0, c, 0, n), n <= 256 ? 20 : 3);
  return (2 * n ** 3) / ms / 1e6;
}

function measure(): Figures {
  const sgd = createOptimizer({ kind: 'sgd', lr: 0.01 });
  let params = params0;
  let state = sgd.init(params);
  const stepMs = timed(() => {
    const g = T.grad(loss)(params);
    ({ params, state } = sgd.step(params, g, state, 0.01));
  }, reps);
  return {
    stepMs,
    gradMs: timed(() => T.grad(loss)(params0), reps),
    hvpMs: timed(() => T.hvp(loss, params0, v), reps),
    gemm256: gemmGflops(256),
    gemm1024: gemmGflops(1024),
  };
}

// Warm-up (JIT, caches): a few of each, untimed.
for (let i = 0; i < 5; i++) {
  T.grad(loss)(params0);
  T.hvp(loss, params0, v);
}
console.log(JSON.stringify(measure()));
