import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import * as T from '../../src/autodiff/index.js';
import { createOptimizer, type OptimizerSpec, type OptimizerState } from '../../src/optim/index.js';
import { Rng, randn, tensor, type Tensor } from '../../src/tensor/index.js';
import { oracleTest, runTorch } from '../helpers/torchOracle.js';

// torch.optim as the oracle: 20 steps of each optimizer variant on a float64 MLP, with a new lr set
// in torch's param group before every step. Two comparisons:
//  - open loop: our step fed torch's own gradients must give torch's parameters and state at every
//    step (this isolates the update arithmetic; torch's vectorised add may fuse a multiply-add,
//    so agreement is to an ulp or so per step, not bit for bit);
//  - closed loop: our autodiff's gradients drive our optimizer; parameters must agree to 1e-12.

const STEPS = 20;
const rng = new Rng(2024);
const X = randn([6, 3], rng);
const y = randn([6, 2], rng);
const init = [randn([3, 4], rng, 0.7), randn([4], rng, 0.1), randn([4, 2], rng, 0.7), randn([2], rng, 0.1)];

function loss(ps: Tensor[]): Tensor {
  const [W1, b1, W2, b2] = ps;
  const out = T.add(T.matmul(T.tanh(T.add(T.matmul(X, W1), b1)), W2), b2);
  return T.mean(T.square(T.sub(out, y)));
}

/** A schedule that moves every step (warmup then decay, with a wobble). */
const lrsFor = (base: number) => Array.from({ length: STEPS }, (_, t) => base * Math.min(1, (t + 1) / 4) * (1 - t / 25) * (1 + 0.2 * Math.sin(t)));

const CASES: [string, OptimizerSpec][] = [
  ['sgd', { kind: 'sgd', lr: 0.3 }],
  ['sgd, coupled wd', { kind: 'sgd', lr: 0.3, weightDecay: 0.05 }],
  ['sgd, decoupled wd', { kind: 'sgd', lr: 0.3, weightDecay: 0.05, decoupledWeightDecay: true }],
  ['sgd, momentum', { kind: 'sgd', lr: 0.2, momentum: 0.9 }],
  ['sgd, momentum, dampening', { kind: 'sgd', lr: 0.2, momentum: 0.9, dampening: 0.3 }],
  ['sgd, momentum, dampening, coupled wd', { kind: 'sgd', lr: 0.2, momentum: 0.8, dampening: 0.25, weightDecay: 0.05 }],
  ['sgd, momentum, decoupled wd', { kind: 'sgd', lr: 0.2, momentum: 0.9, weightDecay: 0.05, decoupledWeightDecay: true }],
  ['sgd, nesterov', { kind: 'sgd', lr: 0.2, momentum: 0.9, nesterov: true }],
  ['sgd, nesterov, coupled wd', { kind: 'sgd', lr: 0.2, momentum: 0.9, nesterov: true, weightDecay: 0.05 }],
  ['sgd, nesterov, decoupled wd', { kind: 'sgd', lr: 0.2, momentum: 0.9, nesterov: true, weightDecay: 0.05, decoupledWeightDecay: true }],
  ['adam', { kind: 'adam', lr: 0.02 }],
  ['adam, L2, custom betas and eps', { kind: 'adam', lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.05 }],
  ['adamw, default decay', { kind: 'adamw', lr: 0.02 }],
  ['adamw, decay 0.1', { kind: 'adamw', lr: 0.02, weightDecay: 0.1, betas: [0.85, 0.995] }],
];

/** max |a - b| / max |b| over one tensor. */
function relErr(a: ArrayLike<number>, b: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / (den || 1);
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

interface TorchCase {
  params: unknown[][];
  grads: unknown[][];
  state: Record<string, unknown[]>;
}

const SLOT_OF: Record<string, string> = { momentum: 'momentum_buffer', expAvg: 'exp_avg', expAvgSq: 'exp_avg_sq' };

oracleTest(
  'optimizers reproduce torch.optim 1.13 for 20 scheduled steps (SGD variants, Adam, AdamW)',
  async (t) => {
    const inp = {
      data: { X: nested(X), y: nested(y) },
      init: init.map(nested),
      cases: CASES.map(([name, spec]) => ({ name, spec, lrs: lrsFor(spec.lr) })),
    };
    const out = runTorch('optim.py', inp) as { cases: TorchCase[] };
    for (const [c, [name, spec]] of CASES.entries()) {
      await t.test(name, (st) => check(st, name, spec, out.cases[c]));
    }
  },
  { timeout: 120_000 },
);

function check(t: TestContext, name: string, spec: OptimizerSpec, ref: TorchCase): void {
  const lrs = lrsFor(spec.lr);
  const opt = createOptimizer(spec);

  // Open loop: torch's gradients.
  let params = init;
  let state: OptimizerState = opt.init(params);
  let openWorst = 0;
  for (let s = 0; s < STEPS; s++) {
    const grads = ref.grads[s].map((g, i) => tensor(flat(g), init[i].shape));
    ({ params, state } = opt.step(params, grads, state, lrs[s]));
    params.forEach((p, i) => (openWorst = Math.max(openWorst, relErr(p.data, flat(ref.params[s][i])))));
  }
  for (const [ours, theirs] of Object.entries(SLOT_OF)) {
    assert.equal(ours in state.slots, theirs in ref.state, `${name}: slot ${ours} exists in both or neither`);
    state.slots[ours]?.forEach((b, i) => (openWorst = Math.max(openWorst, relErr(b.data, flat(ref.state[theirs][i])))));
  }
  if (ref.state.step) assert.ok(ref.state.step.every((k) => k === state.step), `${name}: step count`);

  // Closed loop: our gradients.
  params = init;
  state = opt.init(params);
  let gradWorst = 0;
  let closedWorst = 0;
  for (let s = 0; s < STEPS; s++) {
    const grads = T.grad(loss)(params);
    grads.forEach((g, i) => (gradWorst = Math.max(gradWorst, relErr(g.data, flat(ref.grads[s][i])))));
    ({ params, state } = opt.step(params, grads, state, lrs[s]));
    params.forEach((p, i) => (closedWorst = Math.max(closedWorst, relErr(p.data, flat(ref.params[s][i])))));
  }
  t.diagnostic(`open loop ${openWorst.toExponential(1)}, closed loop ${closedWorst.toExponential(1)}, grads ${gradWorst.toExponential(1)}`);
  assert.ok(openWorst <= 1e-14, `${name}: open-loop relative error ${openWorst}`);
  assert.ok(closedWorst <= 1e-12, `${name}: closed-loop relative error ${closedWorst}`);
  // The training must actually move the parameters, or the comparison proves little.
  assert.ok(relErr(params[0].data, init[0].toArray()) > 1e-2, `${name}: parameters barely moved`);
}

/** Row-major data as nested arrays, the form torch.tensor expects. */
function nested(x: Tensor): unknown {
  const build = (v: number[], shape: readonly number[]): unknown => {
    if (shape.length <= 1) return v;
    const inner = v.length / shape[0];
    return Array.from({ length: shape[0] }, (_, i) => build(v.slice(i * inner, (i + 1) * inner), shape.slice(1)));
  };
  return build(x.toArray(), x.shape);
}
