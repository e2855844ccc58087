import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { createOptimizer, sgdGradientResponse, sgdTransition, sgdTransitionProduct, type OptimizerState, type SgdSpec } from '../../src/optim/index.js';
import { Rng, randn, type Tensor } from '../../src/tensor/index.js';
import { assertListClose } from './close.js';

// With a linear loss (H = 0) an SGD step is affine in (theta, buf), so its exact JVP (forward over
// reverse through the real step) must equal the Hessian-free 2x2 map to rounding.

const VARIANTS: [string, SgdSpec][] = [
  ['plain', { kind: 'sgd', lr: 0.1 }],
  ['plain, coupled wd', { kind: 'sgd', lr: 0.1, weightDecay: 0.3 }],
  ['plain, decoupled wd', { kind: 'sgd', lr: 0.1, weightDecay: 0.3, decoupledWeightDecay: true }],
  ['heavy ball', { kind: 'sgd', lr: 0.1, momentum: 0.9 }],
  ['heavy ball, dampening', { kind: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.3 }],
  ['heavy ball, coupled wd', { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.3 }],
  ['heavy ball, dampening, coupled wd', { kind: 'sgd', lr: 0.1, momentum: 0.8, dampening: 0.4, weightDecay: 0.3 }],
  ['heavy ball, decoupled wd', { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.3, decoupledWeightDecay: true }],
  ['heavy ball, dampening, decoupled wd', { kind: 'sgd', lr: 0.1, momentum: 0.8, dampening: 0.4, weightDecay: 0.3, decoupledWeightDecay: true }],
  ['nesterov', { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }],
  ['nesterov, coupled wd', { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.3 }],
  ['nesterov, decoupled wd', { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.3, decoupledWeightDecay: true }],
];

const SHAPES = [[3], [2, 2]];
const LR = 0.37; // this step's scheduled rate, not the spec's base lr

function setup(seed: number) {
  const rng = new Rng(seed);
  const draw = () => SHAPES.map((s) => randn(s, rng));
  const a = draw();
  const loss = (ps: Tensor[]) => ps.reduce((acc: Tensor, p, i) => T.add(acc, T.sum(T.mul(a[i], p))), T.sum(T.mul(a[0], 0)));
  return { loss, theta: draw(), buf: draw(), delta: draw(), eps: draw() };
}

/** Exact JVP of one real training step (the gradient taken inside by T.grad). */
function stepJvp(spec: SgdSpec, stepIndex: number, seed: number) {
  const opt = createOptimizer(spec);
  const { loss, theta, buf, delta, eps } = setup(seed);
  const hasBuf = (spec.momentum ?? 0) !== 0 && stepIndex > 0;
  const n = theta.length;
  const f = (xs: Tensor[]) => {
    const th = xs.slice(0, n);
    const state: OptimizerState = { step: stepIndex, slots: hasBuf ? { momentum: xs.slice(n) } : {} };
    const r = opt.step(th, T.grad(loss)(th), state, LR);
    return [...r.params, ...(r.state.slots.momentum ?? [])];
  };
  const { tangent } = T.jvp(f, hasBuf ? [...theta, ...buf] : theta, hasBuf ? [...delta, ...eps] : delta);
  const factual: OptimizerState = { step: stepIndex, slots: hasBuf ? { momentum: buf } : {} };
  return { opt, factual, delta, eps, dTheta: tangent.slice(0, n), dBuf: tangent.slice(n) };
}

for (const [name, spec] of VARIANTS) {
  for (const stepIndex of [0, 4]) {
    test(`${name}, step ${stepIndex}: hessianFreeStep and sgdTransition equal the exact JVP on a linear loss`, () => {
      const { opt, factual, delta, eps, dTheta, dBuf } = stepJvp(spec, stepIndex, 11 + stepIndex);
      const mu = spec.momentum ?? 0;
      // At step 0 an incoming eps has nowhere to act (there is no buffer yet): it must be ignored.
      const d = opt.hessianFreeStep({ params: delta, slots: mu !== 0 ? { momentum: eps } : {} }, factual, LR);
      assertListClose(d.params, dTheta, 1e-12, 'delta');
      if (mu === 0) {
        assert.deepEqual(d.slots, {}, 'no buffer perturbation without momentum');
        assert.equal(dBuf.length, 0);
      } else {
        assertListClose(d.slots.momentum, dBuf, 1e-12, 'eps');
      }
      const m = sgdTransition(spec, stepIndex, LR);
      const viaMatrix = (row: 0 | 1) => delta.map((dl, i) => T.add(T.mul(dl, m[row][0]), T.mul(eps[i], m[row][1])));
      assertListClose(viaMatrix(0), dTheta, 1e-12, 'M row 0');
      if (mu !== 0) assertListClose(viaMatrix(1), dBuf, 1e-12, 'M row 1');
      if (stepIndex === 0 || mu === 0) assert.ok(m[0][1] === 0 && m[1][1] === 0, 'no eps column without a buffer');
      if (mu === 0) assert.ok(m[1][0] === 0, 'no buffer row without momentum');
    });
  }
}

test('hessianFreeStep reads the buffer off the factual state: absent after step 0, or carried into momentum 0', () => {
  const { loss, theta, buf, delta, eps } = setup(3);
  const n = theta.length;
  const cases: [SgdSpec, OptimizerState][] = [
    [{ kind: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.3 }, { step: 6, slots: {} }],
    [{ kind: 'sgd', lr: 0.1, weightDecay: 0.3 }, { step: 6, slots: { momentum: buf } }],
  ];
  for (const [spec, factual] of cases) {
    const opt = createOptimizer(spec);
    const carried = 'momentum' in factual.slots;
    const f = (xs: Tensor[]) => {
      const th = xs.slice(0, n);
      const r = opt.step(th, T.grad(loss)(th), { step: factual.step, slots: carried ? { momentum: xs.slice(n) } : {} }, LR);
      return [...r.params, ...r.state.slots.momentum];
    };
    const { tangent } = T.jvp(f, carried ? [...theta, ...buf] : theta, carried ? [...delta, ...eps] : delta);
    const d = opt.hessianFreeStep({ params: delta, slots: { momentum: eps } }, factual, LR);
    assertListClose(d.params, tangent.slice(0, n), 1e-12, 'delta');
    assertListClose(d.slots.momentum, tangent.slice(n), 1e-12, 'eps');
  }
});

test("coupled heavy ball without dampening is method.md's [[1 - eta*lambda, -eta*mu], [lambda, mu]]", () => {
  const [eta, mu, lambda] = [0.05, 0.9, 0.01];
  const m = sgdTransition({ kind: 'sgd', lr: 1, momentum: mu, weightDecay: lambda }, 3, eta);
  assert.deepEqual(m, [[1 - eta * lambda, -eta * mu], [lambda, mu]]);
  assert.deepEqual(sgdTransition({ kind: 'sgd', lr: 1, momentum: mu, weightDecay: lambda }, 0, eta), [[1 - eta * lambda, 0], [lambda, 0]]);
  assert.throws(() => sgdTransition({ kind: 'sgd', lr: 1 }, -1, eta), /stepIndex must be an integer >= 0/);
});

test('E2 on a linear loss: the transition product equals the difference of two real trajectories', () => {
  // Two runs from (theta, buf) and (theta + delta, buf + eps) over a schedule; SGD is affine here,
  // so their difference at the end is exactly P [delta; eps], whatever the size of delta.
  for (const [name, spec] of VARIANTS) {
    for (const start of [0, 2]) {
      const opt = createOptimizer(spec);
      const { loss, theta, buf, delta, eps } = setup(5);
      const lrs = [0.3, 0.2, 0.15, 0.1, 0.05];
      const mu = spec.momentum ?? 0;
      const slots = (b: Tensor[]): Record<string, Tensor[]> => (mu !== 0 && start > 0 ? { momentum: b } : {});
      const run = (th0: Tensor[], b0: Tensor[]) => {
        let params = th0;
        let state: OptimizerState = { step: start, slots: slots(b0) };
        for (const lr of lrs) ({ params, state } = opt.step(params, T.grad(loss)(params), state, lr));
        return params;
      };
      const a = run(theta, buf);
      const b = run(theta.map((t, i) => T.add(t, delta[i])), buf.map((t, i) => T.add(t, eps[i])));
      const p = sgdTransitionProduct(spec, start, lrs);
      const predicted = delta.map((dl, i) => T.add(T.mul(dl, p[0][0]), T.mul(eps[i], p[0][1])));
      assertListClose(b.map((t, i) => T.sub(t, a[i])), predicted, 1e-12, `${name} from step ${start}`);
    }
  }
});

for (const [name, spec] of VARIANTS) {
  for (const stepIndex of [0, 4]) {
    test(`${name}, step ${stepIndex}: sgdGradientResponse equals the JVP of the update in its gradient`, () => {
      const opt = createOptimizer(spec);
      const { theta, buf, delta: h } = setup(21 + stepIndex);
      const hasBuf = (spec.momentum ?? 0) !== 0 && stepIndex > 0;
      const n = theta.length;
      // The gradient is an input here, so the JVP in direction (0, h, 0) is exactly how h enters.
      const f = (xs: Tensor[]) => {
        const state: OptimizerState = { step: stepIndex, slots: hasBuf ? { momentum: xs.slice(2 * n) } : {} };
        const r = opt.step(xs.slice(0, n), xs.slice(n, 2 * n), state, LR);
        return [...r.params, ...(r.state.slots.momentum ?? [])];
      };
      const zero = theta.map((t) => T.mul(t, 0));
      const primal = [...theta, ...theta, ...(hasBuf ? buf : [])];
      const { tangent } = T.jvp(f, primal, [...zero, ...h, ...(hasBuf ? zero : [])]);
      const r = sgdGradientResponse(spec, stepIndex, LR);
      assertListClose(h.map((t) => T.mul(t, r[0])), tangent.slice(0, n), 1e-12, 'delta response');
      if ((spec.momentum ?? 0) !== 0) assertListClose(h.map((t) => T.mul(t, r[1])), tangent.slice(n), 1e-12, 'eps response');
      else assert.equal(r[1], 0);
    });
  }
}
