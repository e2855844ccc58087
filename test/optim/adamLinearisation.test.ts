import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { adamHyper, adamUpdate, createOptimizer, type AdamSpec, type OptimizerState } from '../../src/optim/index.js';
import { Rng, fromData, randn, type Tensor } from '../../src/tensor/index.js';
import { assertClose, assertListClose } from './close.js';

// Adam's Hessian-free linearisation freezes this step's preconditioner 1/D at its factual value.
// On a linear loss it must equal the JVP of the real update with v_{t+1} under stop-gradient;
// the exact JVP differs from it only through v, by the closed form checked below.

const SHAPES = [[3], [2, 2]];
const LR = 0.03;
const VARIANTS: [string, AdamSpec][] = [
  ['adam', { kind: 'adam', lr: 1e-3 }],
  ['adam, L2', { kind: 'adam', lr: 1e-3, weightDecay: 0.4, betas: [0.8, 0.95], eps: 1e-3 }],
  ['adamw', { kind: 'adamw', lr: 1e-3, weightDecay: 0.4 }],
];

function setup(seed: number, stepIndex: number) {
  const rng = new Rng(seed);
  const draw = () => SHAPES.map((s) => randn(s, rng));
  const a = draw();
  const loss = (ps: Tensor[]) => ps.reduce((acc: Tensor, p, i) => T.add(acc, T.sum(T.mul(a[i], p))), T.sum(T.mul(a[0], 0)));
  const theta = draw();
  const m = draw();
  const v = draw().map((t) => T.add(T.square(t), 0.05)); // a second moment is positive
  const factual: OptimizerState = stepIndex === 0 ? { step: 0, slots: {} } : { step: stepIndex, slots: { expAvg: m, expAvgSq: v } };
  return { a, loss, theta, m, v, factual, delta: draw(), epsM: draw(), epsV: draw() };
}

/** JVP over (theta[, m, v]) of one real step, the gradient taken inside by T.grad. */
function jvpOfStep(spec: AdamSpec, stepIndex: number, freeze: boolean, s: ReturnType<typeof setup>) {
  const h = adamHyper(spec);
  const n = s.theta.length;
  const has = stepIndex > 0;
  const f = (xs: Tensor[]) => {
    const th = xs.slice(0, n);
    const r = adamUpdate(th, T.grad(s.loss)(th), has ? xs.slice(n, 2 * n) : null, has ? xs.slice(2 * n) : null, stepIndex + 1, LR, h, {
      freezeSecondMoment: freeze,
    });
    return [...r.params, ...r.expAvg, ...r.expAvgSq];
  };
  const { tangent } = T.jvp(f, has ? [...s.theta, ...s.m, ...s.v] : s.theta, has ? [...s.delta, ...s.epsM, ...s.epsV] : s.delta);
  return { dTheta: tangent.slice(0, n), dM: tangent.slice(n, 2 * n), dV: tangent.slice(2 * n) };
}

for (const [name, spec] of VARIANTS) {
  for (const stepIndex of [0, 3]) {
    test(`${name}, step ${stepIndex}: hessianFreeStep is the JVP with v_{t+1} frozen, on a linear loss`, () => {
      const s = setup(7 + stepIndex, stepIndex);
      const frozen = jvpOfStep(spec, stepIndex, true, s);
      const opt = createOptimizer(spec);
      const slots: Record<string, Tensor[]> = stepIndex > 0 ? { expAvg: s.epsM, expAvgSq: s.epsV } : {};
      const d = opt.hessianFreeStep({ params: s.delta, slots }, s.factual, LR, { params: s.theta, grads: s.a });
      assertListClose(d.params, frozen.dTheta, 1e-12, 'delta');
      assertListClose(d.slots.expAvg, frozen.dM, 1e-12, 'eps_m');
      assertListClose(d.slots.expAvgSq, frozen.dV, 0, 'eps_v (zero: frozen)');
      assert.ok(d.slots.expAvgSq.every((t) => t.data.every((x) => x === 0)));
    });

    test(`${name}, step ${stepIndex}: the exact JVP adds only the second-moment term`, () => {
      const s = setup(19 + stepIndex, stepIndex);
      const h = adamHyper(spec);
      const exact = jvpOfStep(spec, stepIndex, false, s);
      const frozen = jvpOfStep(spec, stepIndex, true, s);
      const c = h.decoupled ? 0 : h.weightDecay;
      const t = stepIndex + 1;
      const stepSize = LR / (1 - h.beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - h.beta2 ** t);
      s.theta.forEach((th, i) => {
        const n = th.size;
        const epsV = new Float64Array(n);
        const extra = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          const g = s.a[i].data[j] + c * th.data[j];
          const m0 = stepIndex > 0 ? s.m[i].data[j] : 0;
          const v0 = stepIndex > 0 ? s.v[i].data[j] : 0;
          const ev0 = stepIndex > 0 ? s.epsV[i].data[j] : 0;
          const m1 = h.beta1 * m0 + (1 - h.beta1) * g;
          const v1 = h.beta2 * v0 + (1 - h.beta2) * g * g;
          const D = Math.sqrt(v1) / bc2Sqrt + h.eps;
          epsV[j] = h.beta2 * ev0 + 2 * (1 - h.beta2) * g * c * s.delta[i].data[j];
          extra[j] = (stepSize * m1 * epsV[j]) / (2 * D * D * Math.sqrt(v1) * bc2Sqrt);
        }
        assertClose(exact.dV[i], epsV, 1e-12, `exact eps_v[${i}]`);
        assertClose(T.sub(exact.dTheta[i], frozen.dTheta[i]), extra, 1e-12, `exact - frozen delta[${i}]`);
        assertListClose([exact.dM[i]], [frozen.dM[i]], 0, `eps_m[${i}] is the same`);
      });
      if (spec.kind === 'adamw' && stepIndex === 0) {
        // No coupled term and no incoming eps_v: nothing moves v, so frozen is exact.
        assertListClose(exact.dTheta, frozen.dTheta, 0, 'adamw from a fresh state');
      }
    });
  }
}

test('the exact JVP of an Adam step is finite where a coordinate has never had a gradient (v = 0)', () => {
  const h = adamHyper({ kind: 'adamw', lr: 1e-3, weightDecay: 0.1 });
  const theta = [randn([4], new Rng(3))];
  // Coordinates 1 and 3 get an exactly zero gradient: their second moment stays 0 from a fresh state.
  const a = fromData(new Float64Array([0.5, 0, -1, 0]), [4]);
  const loss = (ps: Tensor[]) => T.sum(T.mul(a, T.mul(ps[0], ps[0])));
  const f = (xs: Tensor[]) => adamUpdate(xs, T.grad(loss)(xs), null, null, 1, LR, h).params;
  const { tangent } = T.jvp(f, theta, [randn([4], new Rng(4))]);
  assert.ok(tangent[0].data.every(Number.isFinite), `tangent ${tangent[0].toArray()}`);
});
