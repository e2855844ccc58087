// Numeric-core benchmark: MLP 784-256-256-10 (tanh, softmax cross-entropy), batch 128, float64,
// one thread. Prints training steps/s, gradient and HVP time, HVP/gradient, and gemm GFLOP/s,
// and the same figures for PyTorch CPU measured in the same run when Debian's torch is present.
// Targets (issue 3): HVP <= 3x a gradient; pure-TypeScript gemm >= 4 GFLOP/s.
import * as T from '../src/autodiff/index.js';
import { getBackend, Rng, randUniform, Tensor, zeros } from '../src/tensor/index.js';
import { runTorch, torchAvailable, torchInfo } from '../test/helpers/torchOracle.js';

const sizes = [784, 256, 256, 10];
const B = 128;
const reps = Number(process.env.BENCH_REPS ?? 20);

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
let params: Tensor[] = [];
for (let i = 0; i + 1 < sizes.length; i++) {
  const bound = 1 / Math.sqrt(sizes[i]);
  params.push(randUniform([sizes[i], sizes[i + 1]], rng, -bound, bound), zeros([sizes[i + 1]]));
}
const v = params.map((p) => randUniform(p.shape, rng, -1, 1));

const loss = (ps: Tensor[]) => {
  let h = x;
  for (let i = 0; i < ps.length; i += 2) {
    h = T.add(T.matmul(h, ps[i]), ps[i + 1]);
    if (i + 2 < ps.length) h = T.tanh(h);
  }
  return T.mean(T.sub(T.logSumExp(h, -1), T.take(h, pick, [B])));
};

const gradMs = timed(() => T.grad(loss)(params), reps);
const hvpMs = timed(() => T.hvp(loss, params, v), reps);
const stepMs = timed(() => {
  const g = T.grad(loss)(params);
  params = T.noGrad(() => params.map((p, i) => T.sub(p, T.mul(g[i], 0.01))));
}, reps);

function gemmGflops(n: number): number {
  const a = randUniform([n * n], rng);
  const b = randUniform([n * n], rng);
  const c = new Float64Array(n * n);
  const ms = timed(() => getBackend().gemm(false, false, n, n, n, 1, a.data, 0, n, b.data, 0, n, 0, c, 0, n), n <= 256 ? 20 : 3);
  return (2 * n ** 3) / ms / 1e6;
}
const ours = { gradMs, hvpMs, stepMs, gemm256: gemmGflops(256), gemm1024: gemmGflops(1024) };

const row = (name: string, a: number, b: number | undefined, unit: string, higherBetter: boolean) => {
  const ratio = b === undefined ? '' : higherBetter ? `${(a / b).toFixed(3)}x torch` : `${(b / a).toFixed(3)}x torch speed`;
  console.log(`${name.padEnd(28)} ${a.toFixed(2).padStart(9)} ${unit.padEnd(8)} ${b === undefined ? '' : b.toFixed(2).padStart(9)} ${ratio}`);
};

const status = torchAvailable();
let torch: typeof ours & { version: string } | undefined;
if (status.ok) {
  torch = runTorch('bench/torch_core.py', { sizes, batch: B, reps, threads: 1 }, { timeoutMs: 600_000 });
} else {
  console.log(`PyTorch reference skipped: ${status.reason}`);
}
const info = torchInfo();
console.log(`MLP ${sizes.join('-')}, batch ${B}, float64, 1 thread, ${reps} reps; backend '${getBackend().name}'`);
if (torch) console.log(`reference: PyTorch ${torch.version} CPU, BLAS: ${info?.openblas ? 'OpenBLAS' : 'not OpenBLAS (comparison is not meaningful)'}`);
console.log(`${'figure'.padEnd(28)} ${'stagecredit'.padStart(9)} ${''.padEnd(8)} ${'torch'.padStart(9)} ratio`);
row('training steps/s', 1000 / ours.stepMs, torch && 1000 / torch.stepMs, 'steps/s', true);
row('gradient', ours.gradMs, torch?.gradMs, 'ms', false);
row('HVP (forward-over-reverse)', ours.hvpMs, torch?.hvpMs, 'ms', false);
row('HVP / gradient', ours.hvpMs / ours.gradMs, torch && torch.hvpMs / torch.gradMs, 'ratio', false);
row('gemm 256 (float64)', ours.gemm256, torch?.gemm256, 'GFLOP/s', true);
row('gemm 1024 (float64)', ours.gemm1024, torch?.gemm1024, 'GFLOP/s', true);
const ok = ours.hvpMs / ours.gradMs <= 3 && ours.gemm256 >= 4 && ours.gemm1024 >= 4;
console.log(`targets (HVP <= 3x gradient, gemm >= 4 GFLOP/s): ${ok ? 'met' : 'NOT met'}`);
