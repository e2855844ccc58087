import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSchedule, validateScheduleSpec, type ScheduleSpec } from '../../src/optim/schedule.js';
import { oracleTest, runTorch } from '../helpers/torchOracle.js';

function close(actual: Float64Array, expected: number[], tol = 1e-14): void {
  assert.equal(actual.length, expected.length, 'length');
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `step ${i}: got ${a}, expected ${e}`);
  });
}

const c = (k: number) => (1 + Math.cos((Math.PI * k) / 4)) / 2; // cosine with T_max 4 from 1 to 0

test('constant repeats the base lr', () => {
  close(resolveSchedule({ kind: 'constant' }, 0.1, 3), [0.1, 0.1, 0.1]);
  assert.equal(resolveSchedule({ kind: 'constant' }, 0.1, 0).length, 0);
});

test('step multiplies by gamma every stepSize steps, first at step stepSize', () => {
  close(resolveSchedule({ kind: 'step', stepSize: 2, gamma: 0.5 }, 1, 6), [1, 1, 0.5, 0.5, 0.25, 0.25], 0);
});

test('linear ramps the factor and then holds it', () => {
  // torch's own docstring example
  close(resolveSchedule({ kind: 'linear', startFactor: 0.5, totalIters: 4 }, 0.05, 6), [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05]);
  // torch's defaults: 1/3 -> 1 over 5 steps
  close(resolveSchedule({ kind: 'linear' }, 0.3, 7), [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3]);
  // decay to zero
  close(resolveSchedule({ kind: 'linear', startFactor: 1, endFactor: 0, totalIters: 2 }, 2, 4), [2, 1, 0, 0]);
});

test('cosine anneals over the stage by default, never reaching etaMin inside it', () => {
  close(resolveSchedule({ kind: 'cosine' }, 1, 4), [1, c(1), 0.5, c(3)]);
  close(resolveSchedule({ kind: 'cosine', etaMin: 0.2 }, 1, 3), [1, 0.2 + 0.8 * 0.75, 0.2 + 0.8 * 0.25]);
});

test('cosine past tMax climbs back like torch', () => {
  close(resolveSchedule({ kind: 'cosine', tMax: 2 }, 1, 7), [1, 0.5, 0, 0.5, 1, 0.5, 0]);
});

test('warmupCosine warms up linearly, then runs a cosine over the remaining steps', () => {
  close(
    resolveSchedule({ kind: 'warmupCosine', warmupSteps: 2, warmupStartFactor: 0.5 }, 1, 6),
    [0.5, 0.75, 1, c(1), 0.5, c(3)],
  );
  close(resolveSchedule({ kind: 'warmupCosine', warmupSteps: 1, etaMin: 0.5 }, 1, 3), [1 / 3, 1, 0.75]);
});

test('explicit copies its list', () => {
  close(resolveSchedule({ kind: 'explicit', lrs: [0.3, 0, 0.1] }, 99, 3), [0.3, 0, 0.1], 0);
});

test('validateScheduleSpec accepts JSON round trips and drops nothing', () => {
  const specs: ScheduleSpec[] = [
    { kind: 'constant' },
    { kind: 'step', stepSize: 3, gamma: 0.1 },
    { kind: 'linear', startFactor: 0.25, endFactor: 1, totalIters: 4 },
    { kind: 'cosine', tMax: 10, etaMin: 1e-5 },
    { kind: 'warmupCosine', warmupSteps: 3, etaMin: 0, warmupStartFactor: 0.1 },
    { kind: 'explicit', lrs: [0.1, 0.2, 0.3, 0.4, 0.5] },
  ];
  for (const s of specs) assert.deepEqual(validateScheduleSpec(JSON.parse(JSON.stringify(s)), 5, 'x'), s);
});

test('invalid specs fail naming the field', () => {
  const where = 'stages[1].schedule';
  const bad: [unknown, RegExp, number?][] = [
    [{ kind: 'step', stepSize: 2, gamma: NaN }, /^Error: stages\[1\]\.schedule\.gamma must be a finite number >= 0 \(got NaN\)/],
    [{ kind: 'step', stepSize: 0, gamma: 0.5 }, /schedule\.stepSize must be an integer >= 1/],
    [{ kind: 'step', gamma: 0.5 }, /schedule\.stepSize .*got undefined/],
    [{ kind: 'cosine', etaMin: -1e-3 }, /schedule\.etaMin must be a finite number >= 0 \(got -0\.001\)/],
    [{ kind: 'cosine', tMax: 2.5 }, /schedule\.tMax/],
    [{ kind: 'explicit', lrs: [0.1, -0.1, 0.1] }, /schedule\.lrs\[1\] must be a finite number >= 0/],
    [{ kind: 'explicit', lrs: [0.1, 0.1] }, /schedule\.lrs must have one lr per step: 3 entries \(got 2\)/],
    [{ kind: 'explicit', lrs: [0.1, Infinity, 0.1] }, /schedule\.lrs\[1\].*Infinity/],
    [{ kind: 'cosines' }, /schedule\.kind must be one of "constant", .*"explicit" \(got "cosines"\)/],
    [{}, /schedule\.kind .*got undefined/],
    [null, /^Error: stages\[1\]\.schedule must be an object/],
    [{ kind: 'cosine', tmax: 3 }, /schedule\.tmax is not a field of a "cosine" schedule \(fields: kind, tMax, etaMin\)/],
    [{ kind: 'linear', startFactor: 0 }, /schedule\.startFactor must be a number in \(0, 1\]/],
    [{ kind: 'linear', endFactor: 1.5 }, /schedule\.endFactor must be a number in \[0, 1\]/],
    [{ kind: 'warmupCosine', warmupSteps: 3 }, /schedule\.warmupSteps must be less than the stage's 3 steps/],
    [{ kind: 'warmupCosine', warmupSteps: 0 }, /schedule\.warmupSteps must be an integer >= 1/],
    [{ kind: 'constant' }, /schedule: steps must be an integer >= 0 \(got -1\)/, -1],
  ];
  for (const [spec, msg, steps] of bad) {
    assert.throws(() => validateScheduleSpec(spec, steps ?? 3, where), msg, JSON.stringify(spec));
  }
  assert.throws(() => resolveSchedule({ kind: 'constant' }, -0.1, 3), /baseLr must be a finite number >= 0/);
  assert.throws(() => resolveSchedule({ kind: 'constant' }, NaN, 3), /baseLr .*NaN/);
  assert.throws(() => resolveSchedule({ kind: 'step', stepSize: 1, gamma: -2 }, 1, 3), /schedule\.gamma must be a finite number >= 0 \(got -2\)/);
});

// Each case exercises a branch of torch's chainable get_lr; long cosines probe the cancellation in
// 1 + cos(x) near x = pi, where a last-bit libm difference would be amplified most.
const ORACLE_CASES: { spec: ScheduleSpec; baseLr: number; steps: number }[] = [
  { spec: { kind: 'constant' }, baseLr: 0.1, steps: 5 },
  { spec: { kind: 'step', stepSize: 3, gamma: 0.1 }, baseLr: 0.1, steps: 20 },
  { spec: { kind: 'step', stepSize: 1, gamma: 0.97 }, baseLr: 3e-4, steps: 300 },
  { spec: { kind: 'step', stepSize: 7, gamma: 1.5 }, baseLr: 0.01, steps: 40 },
  { spec: { kind: 'linear' }, baseLr: 0.1, steps: 10 },
  { spec: { kind: 'linear', startFactor: 0.1, totalIters: 7 }, baseLr: 0.1, steps: 12 },
  { spec: { kind: 'linear', startFactor: 1, endFactor: 0, totalIters: 50 }, baseLr: 0.05, steps: 60 },
  { spec: { kind: 'linear', startFactor: 0.9, endFactor: 0.2, totalIters: 1000 }, baseLr: 1e-3, steps: 400 },
  { spec: { kind: 'cosine' }, baseLr: 0.1, steps: 50 },
  { spec: { kind: 'cosine', etaMin: 1e-4 }, baseLr: 0.1, steps: 1000 },
  { spec: { kind: 'cosine' }, baseLr: 1, steps: 5000 },
  { spec: { kind: 'cosine', tMax: 7, etaMin: 0.001 }, baseLr: 0.1, steps: 60 },
  { spec: { kind: 'cosine', tMax: 3 }, baseLr: 0.5, steps: 25 },
  { spec: { kind: 'cosine', tMax: 1 }, baseLr: 0.5, steps: 6 },
  { spec: { kind: 'cosine', tMax: 500 }, baseLr: 0.02, steps: 120 },
  { spec: { kind: 'cosine', etaMin: 0.3 }, baseLr: 0.1, steps: 30 },
  { spec: { kind: 'warmupCosine', warmupSteps: 10 }, baseLr: 0.1, steps: 100 },
  { spec: { kind: 'warmupCosine', warmupSteps: 1, etaMin: 0.01, warmupStartFactor: 0.001 }, baseLr: 0.3, steps: 40 },
  { spec: { kind: 'warmupCosine', warmupSteps: 99, warmupStartFactor: 0.5, etaMin: 1e-6 }, baseLr: 7e-4, steps: 100 },
  { spec: { kind: 'warmupCosine', warmupSteps: 250, etaMin: 0.1, warmupStartFactor: 1 }, baseLr: 0.3, steps: 3000 },
];

oracleTest('schedules equal torch.optim.lr_scheduler step for step', (t) => {
  const torchLrs: number[][] = runTorch('test/oracle/schedules.py', { cases: ORACLE_CASES });
  let exact = 0;
  let total = 0;
  let worst = 0;
  ORACLE_CASES.forEach((cs, i) => {
    const ours = resolveSchedule(cs.spec, cs.baseLr, cs.steps);
    const theirs = torchLrs[i]!;
    assert.equal(theirs.length, cs.steps);
    ours.forEach((a, s) => {
      const b = theirs[s]!;
      const rel = a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
      worst = Math.max(worst, rel);
      total++;
      if (Object.is(a, b)) exact++;
      assert.ok(rel <= 1e-12, `${JSON.stringify(cs.spec)} step ${s}: ours ${a}, torch ${b} (rel ${rel})`);
      // Without a cos (V8's and glibc's differ in the last bit) the replay is bit-exact; that covers
      // warmupCosine's warmup and its first cosine step, torch's closed form at epoch 0.
      const cosSteps = cs.spec.kind === 'cosine' ? 1 : cs.spec.kind === 'warmupCosine' ? cs.spec.warmupSteps + 1 : Infinity;
      if (s < cosSteps) assert.ok(Object.is(a, b), `${JSON.stringify(cs.spec)} step ${s} not bit-exact: ${a} vs ${b}`);
    });
  });
  t.diagnostic(`${exact}/${total} lrs bit-identical to torch; worst relative difference ${worst}`);
});
