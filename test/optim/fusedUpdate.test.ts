import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamHyper, adamUpdate, sgdHyper, sgdUpdate } from '../../src/optim/index.js';
import { BufferPool, Rng, randUniform, Tensor } from '../../src/tensor/index.js';

// Training takes the fused update (plain float64 tensors); differentiating a step takes the op-by-op
// one. They must agree to the bit, or training would depend on whether anything is watching.

const rng = new Rng(7);
const shapes = [[5, 3], [3], [17]];
const draw = () => shapes.map((s) => randUniform(s, rng, -2, 2));

/** Same data, but tracked, so the op-by-op path runs. */
const tracked = (ts: Tensor[]) => ts.map((t) => Object.assign(new Tensor(t.data, t.shape), { requiresGrad: true }));

function sameBits(a: Tensor[], b: Tensor[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((t, i) => assert.deepEqual(Array.from(t.data), Array.from(b[i].data), `${what}[${i}]`));
}

const sgdCases = [
  { momentum: 0 }, { momentum: 0.9 }, { momentum: 0.9, nesterov: true }, { momentum: 0.8, dampening: 0.3 },
  { momentum: 0.9, weightDecay: 0.01 }, { momentum: 0.8, dampening: 0.3, weightDecay: 0.02 },
  { momentum: 0.9, weightDecay: 0.05, decoupledWeightDecay: true }, { weightDecay: 0.1 },
];

/** A pool whose free arrays hold garbage: an update writing into them must overwrite every entry. */
function dirtyPool(): BufferPool {
  const pool = new BufferPool();
  const arrays = [...shapes, ...shapes, ...shapes].map((s) => pool.take(s.reduce((a, b) => a * b, 1)).fill(NaN));
  pool.release(arrays.map((a) => new Tensor(a, [a.length])));
  return pool;
}

for (const c of sgdCases) {
  test(`fused SGD update is bit-identical to the op-by-op one: ${JSON.stringify(c)}`, () => {
    const h = sgdHyper({ kind: 'sgd', lr: 0.1, ...c });
    const params = draw();
    const grads = draw();
    for (const bufs of [null, draw()]) {
      const fused = sgdUpdate(params, grads, bufs, 0.07, h);
      const ops = sgdUpdate(tracked(params), tracked(grads), bufs && tracked(bufs), 0.07, h);
      const pooled = sgdUpdate(params, grads, bufs, 0.07, h, dirtyPool());
      sameBits(pooled.params, ops.params, 'params (pooled)');
      if (ops.momentumBuffers) sameBits(pooled.momentumBuffers!, ops.momentumBuffers, 'momentum (pooled)');
      sameBits(fused.params, ops.params, 'params');
      if (ops.momentumBuffers) sameBits(fused.momentumBuffers!, ops.momentumBuffers, 'momentum');
      else assert.equal(fused.momentumBuffers, null);
      assert.ok(fused.params.every((p) => !p.tracked), 'the fused update records nothing');
    }
  });
}

for (const spec of [{ kind: 'adam' as const, lr: 1e-3 }, { kind: 'adam' as const, lr: 1e-3, weightDecay: 0.01 }, { kind: 'adamw' as const, lr: 1e-3 }]) {
  test(`fused Adam update is bit-identical to the op-by-op one: ${JSON.stringify(spec)}`, () => {
    const h = adamHyper(spec);
    const params = draw();
    const grads = draw();
    const sq = () => draw().map((t) => new Tensor(t.data.map((v) => v * v), t.shape));
    for (const [m, v, t] of [[null, null, 1], [draw(), sq(), 4]] as const) {
      const fused = adamUpdate(params, grads, m, v, t, 0.003, h);
      const ops = adamUpdate(tracked(params), tracked(grads), m && tracked(m), v && tracked(v), t, 0.003, h);
      sameBits(fused.params, ops.params, 'params');
      sameBits(fused.expAvg, ops.expAvg, 'expAvg');
      sameBits(fused.expAvgSq, ops.expAvgSq, 'expAvgSq');
      const pooled = adamUpdate(params, grads, m, v, t, 0.003, h, {}, dirtyPool());
      sameBits([...pooled.params, ...pooled.expAvg, ...pooled.expAvgSq], [...ops.params, ...ops.expAvg, ...ops.expAvgSq], 'pooled');
    }
  });
}
