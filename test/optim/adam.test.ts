import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamHyper, createOptimizer, type AdamSpec, type OptimizerState } from '../../src/optim/index.js';
import { tensor } from '../../src/tensor/index.js';
import { assertClose } from './close.js';

// Two steps on theta0 = [1, -2] with gradients g1 = [0.5, 1], g2 = [-1, 0.25], checked against
// Adam written out per coordinate in its textbook form (m_hat, v_hat), independently of the library.
const theta0 = [1, -2];
const grads = [[0.5, 1], [-1, 0.25]];

function adamByHand(lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): number[][] {
  const out: number[][] = [[], []];
  theta0.forEach((th0, j) => {
    let th = th0;
    let m = 0;
    let v = 0;
    grads.forEach((gs, s) => {
      const t = s + 1;
      let g = gs[j];
      if (decoupled) th = th * (1 - lr * wd);
      else g = g + wd * th;
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const mHat = m / (1 - b1 ** t);
      const vHat = v / (1 - b2 ** t);
      th = th - (lr * mHat) / (Math.sqrt(vHat) + eps);
      out[s][j] = th;
    });
  });
  return out;
}

function twoSteps(spec: AdamSpec): { thetas: number[][]; states: OptimizerState[] } {
  const opt = createOptimizer(spec);
  let params = [tensor(theta0)];
  let state = opt.init(params);
  const thetas: number[][] = [];
  const states: OptimizerState[] = [];
  for (const g of grads) {
    ({ params, state } = opt.step(params, [tensor(g)], state, 0.1));
    thetas.push(params[0].toArray());
    states.push(state);
  }
  return { thetas, states };
}

const TOL = 1e-14;

test('adam: the first step moves each coordinate by about lr against the sign of g', () => {
  const { thetas, states } = twoSteps({ kind: 'adam', lr: 0.1 });
  // m_hat = g, v_hat = g^2 at t = 1, so the step is lr*g/(|g| + eps).
  assertClose(thetas[0], [1 - (0.1 * 0.5) / (0.5 + 1e-8), -2 - (0.1 * 1) / (1 + 1e-8)], TOL, 'theta1');
  assertClose(states[0].slots.expAvg[0], [0.05, 0.1], TOL, 'm1'); // 0.1*g1
  assertClose(states[0].slots.expAvgSq[0], [0.00025, 0.001], TOL, 'v1'); // 0.001*g1^2
  assert.equal(states[1].step, 2);
});

test('adam, two steps, defaults and custom betas/eps', () => {
  const a = adamByHand(0.1, 0.9, 0.999, 1e-8, 0, false);
  const { thetas } = twoSteps({ kind: 'adam', lr: 0.1 });
  assertClose(thetas[0], a[0], TOL, 'theta1');
  assertClose(thetas[1], a[1], TOL, 'theta2');
  const b = adamByHand(0.1, 0.5, 0.9, 0.3, 0, false);
  const custom = twoSteps({ kind: 'adam', lr: 0.1, betas: [0.5, 0.9], eps: 0.3 });
  assertClose(custom.thetas[1], b[1], TOL, 'theta2, betas [0.5, 0.9], eps 0.3');
});

test('adam with weight decay adds lambda*theta to the gradient (L2)', () => {
  const e = adamByHand(0.1, 0.9, 0.999, 1e-8, 0.2, false);
  const { thetas, states } = twoSteps({ kind: 'adam', lr: 0.1, weightDecay: 0.2 });
  assertClose(states[0].slots.expAvg[0], [0.1 * (0.5 + 0.2), 0.1 * (1 - 0.4)], TOL, 'm1 sees g + lambda*theta');
  assertClose(thetas[0], e[0], TOL, 'theta1');
  assertClose(thetas[1], e[1], TOL, 'theta2');
});

test("adamw decays theta by 1 - eta*lambda first; its default lambda is torch's 1e-2", () => {
  const e = adamByHand(0.1, 0.9, 0.999, 1e-8, 0.2, true);
  const { thetas, states } = twoSteps({ kind: 'adamw', lr: 0.1, weightDecay: 0.2 });
  assertClose(states[0].slots.expAvg[0], [0.05, 0.1], TOL, 'm1 sees the raw gradient');
  assertClose(thetas[0], e[0], TOL, 'theta1');
  assertClose(thetas[1], e[1], TOL, 'theta2');
  const d = adamByHand(0.1, 0.9, 0.999, 1e-8, 1e-2, true);
  assertClose(twoSteps({ kind: 'adamw', lr: 0.1 }).thetas[1], d[1], TOL, 'theta2 with the default decay');
  assert.equal(adamHyper({ kind: 'adamw', lr: 1 }).weightDecay, 1e-2);
  assert.equal(adamHyper({ kind: 'adam', lr: 1 }).weightDecay, 0);
});

test('adam step rejects a state without its moments', () => {
  const opt = createOptimizer({ kind: 'adam', lr: 0.1 });
  const p = [tensor([1, 2])];
  assert.throws(() => opt.step(p, p, { step: 1, slots: {} }, 0.1), /adam step: state.step is 1 but slot "expAvg" is missing/);
  assert.throws(() => opt.hessianFreeStep({ params: p, slots: {} }, opt.init(p), 0.1), /needs the factual step's params and grads/);
});
