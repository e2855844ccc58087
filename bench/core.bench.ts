// Numeric-core benchmark: MLP 784-256-256-10 (tanh, softmax cross-entropy), batch 128, float64.
// For every back-end available here (typescript, wasm, openblas) and for PyTorch (Debian's,
// OpenBLAS) with one real thread (OPENBLAS_NUM_THREADS=1) and with its default threads, measured
// interleaved round by round (the machine may be shared: medians over rounds), it prints training
// steps/s, gradient and HVP time, gemm GFLOP/s, and then the full demo's wall time per phase on
// each back-end, with the largest difference of its final parameters from the TypeScript
// back-end's. Our side runs on one thread (OPENBLAS_NUM_THREADS=1 for the OpenBLAS back-end), each
// back-end in its own process (bench/coreFigures.ts) after a warm-up.
//
//   npm run bench                      tables
//   npm run bench -- --json            one JSON object
//   npm run bench -- --no-demo         skip the demo runs
//   BENCH_ROUNDS=3 BENCH_REPS=20       rounds and repetitions per measurement
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../src/io/index.js';
import { availableBackends, type Backend } from '../src/tensor/index.js';
import { runTorch, torchAvailable, torchInfo } from '../test/helpers/torchOracle.js';

const asJson = process.argv.includes('--json');
const withDemo = !process.argv.includes('--no-demo');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const reps = Number(process.env.BENCH_REPS ?? 20);
const log = (m: string) => (asJson ? process.stderr : process.stdout).write(`${m}\n`);

const sizes = [784, 256, 256, 10];
const B = 128;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Figures { stepMs: number; gradMs: number; hvpMs: number; gemm256: number; gemm1024: number }

/** One back-end's figures, measured in a fresh process (so back-ends do not share JIT state), on one thread. */
function measure(b: Backend): Figures {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/coreFigures.ts'], {
    env: { ...process.env, STAGECREDIT_BACKEND: b.name, OPENBLAS_NUM_THREADS: '1', BENCH_REPS: String(reps) }, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench/coreFigures.ts on ${b.name} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Figures;
}

const backends = availableBackends();
const status = torchAvailable();
if (!status.ok) log(`PyTorch reference skipped: ${status.reason}`);
const ours = new Map<string, Figures[]>(backends.map((b) => [b.name, []]));
const torch1t: (Figures & { version: string })[] = [];
const torchDefault: (Figures & { version: string; threads: number })[] = [];
for (let r = 0; r < rounds; r++) {
  log(`round ${r + 1}/${rounds}`);
  for (const b of backends) ours.get(b.name)!.push(measure(b));
  if (status.ok) {
    torch1t.push(runTorch('bench/torch_core.py', { sizes, batch: B, reps, threads: 1 }, { env: { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' }, timeoutMs: 600_000 }));
    torchDefault.push(runTorch('bench/torch_core.py', { sizes, batch: B, reps, threads: null }, { timeoutMs: 600_000 }));
  }
}
const med = (fs: Figures[]): Figures => ({
  stepMs: median(fs.map((f) => f.stepMs)), gradMs: median(fs.map((f) => f.gradMs)), hvpMs: median(fs.map((f) => f.hvpMs)),
  gemm256: median(fs.map((f) => f.gemm256)), gemm1024: median(fs.map((f) => f.gemm1024)),
});
const t1 = torch1t.length ? med(torch1t) : undefined;
const td = torchDefault.length ? med(torchDefault) : undefined;

// The demo, once per back-end, each in its own process (the back-end is chosen at start-up).
interface DemoRun { seconds: { train: number; attribute: number; validate: number; total: number }; maxDiffFromTypescript: number | null }
const demos = new Map<string, DemoRun>();
if (withDemo) {
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-bench-'));
  try {
    const finals = new Map<string, Float64Array[]>();
    for (const b of backends) {
      log(`demo on ${b.name}`);
      const out = join(dir, b.name);
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/demoPhases.ts', out], {
        env: { ...process.env, STAGECREDIT_BACKEND: b.name }, encoding: 'utf8', maxBuffer: 1 << 26,
      });
      if (r.status !== 0) throw new Error(`demo on ${b.name} failed:\n${r.stderr}`);
      const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { seconds: DemoRun['seconds'] };
      const { tensors } = readSafetensors(join(out, 'run', 'final.safetensors'));
      finals.set(b.name, Object.keys(tensors).sort().map((k) => tensors[k].data as Float64Array));
      demos.set(b.name, { seconds: res.seconds, maxDiffFromTypescript: null });
    }
    const ref = finals.get('typescript');
    for (const [name, f] of finals) {
      if (!ref) break;
      let d = 0;
      f.forEach((a, i) => a.forEach((val, j) => (d = Math.max(d, Math.abs(val - ref[i][j])))));
      demos.get(name)!.maxDiffFromTypescript = d;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const result = {
  mlp: sizes.join('-'), batch: B, dtype: 'float64', rounds, reps,
  torch: t1 ? { version: torch1t[0].version, openblas: torchInfo()?.openblas ?? false, oneThread: t1, defaultThreads: { ...td, threads: torchDefault[0].threads } } : null,
  backends: backends.map((b) => {
    const f = med(ours.get(b.name)!);
    const stepsPerSec = 1000 / f.stepMs;
    const torch1tStepsPerSec = t1 ? 1000 / t1.stepMs : null;
    return {
      name: b.name, stepsPerSec, torch1tStepsPerSec,
      ratio1t: torch1tStepsPerSec ? stepsPerSec / torch1tStepsPerSec : null,
      torchDefaultStepsPerSec: td ? 1000 / td.stepMs : null,
      gradMs: f.gradMs, hvpMs: f.hvpMs, gemm256: f.gemm256, gemm1024: f.gemm1024,
      demo: demos.get(b.name) ?? null,
    };
  }),
};

if (asJson) {
  console.log(JSON.stringify(result));
} else {
  const n = (v: number | null | undefined, d = 2) => (v == null ? '-' : v.toFixed(d));
  log(`MLP ${result.mlp}, batch ${B}, float64; medians of ${rounds} interleaved rounds x ${reps} reps; ours on one thread`);
  if (result.torch) log(`PyTorch ${result.torch.version} (${result.torch.openblas ? 'OpenBLAS' : 'not OpenBLAS: the comparison is not meaningful'}); 1t = OPENBLAS_NUM_THREADS=1, default = ${result.torch.defaultThreads.threads} threads`);
  log(`${'back-end'.padEnd(11)} ${'steps/s'.padStart(8)} ${'torch1t'.padStart(8)} ${'ratio1t'.padStart(8)} ${'torchDef'.padStart(8)} ${'grad ms'.padStart(8)} ${'HVP ms'.padStart(8)} ${'HVP/grad'.padStart(8)} ${'gemm256'.padStart(8)} ${'gemm1024'.padStart(8)}`);
  for (const b of result.backends) {
    log(`${b.name.padEnd(11)} ${n(b.stepsPerSec, 1).padStart(8)} ${n(b.torch1tStepsPerSec, 1).padStart(8)} ${n(b.ratio1t, 3).padStart(8)} ${n(b.torchDefaultStepsPerSec, 1).padStart(8)} ${n(b.gradMs).padStart(8)} ${n(b.hvpMs).padStart(8)} ${n(b.hvpMs / b.gradMs).padStart(8)} ${n(b.gemm256).padStart(8)} ${n(b.gemm1024).padStart(8)}`);
  }
  if (t1) log(`${'torch 1t'.padEnd(11)} ${n(1000 / t1.stepMs, 1).padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${n(t1.gradMs).padStart(8)} ${n(t1.hvpMs).padStart(8)} ${n(t1.hvpMs / t1.gradMs).padStart(8)} ${n(t1.gemm256).padStart(8)} ${n(t1.gemm1024).padStart(8)}`);
  if (withDemo) {
    log('full demo (default case, 1 worker), wall seconds per phase; max |final param - typescript back-end|');
    for (const b of result.backends) {
      const d = b.demo!;
      log(`${b.name.padEnd(11)} total ${n(d.seconds.total, 1)}  train ${n(d.seconds.train, 1)}  attribute ${n(d.seconds.attribute, 1)}  validate ${n(d.seconds.validate, 1)}  max diff ${d.maxDiffFromTypescript === null ? '-' : d.maxDiffFromTypescript.toExponential(2)}`);
    }
  }
}
