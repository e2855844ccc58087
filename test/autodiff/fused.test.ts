import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { Rng, randn, Tensor } from '../../src/tensor/index.js';

// A backward pass that is not differentiated takes fused kernels (activation backward, optimizer
// updates); one recorded for a second derivative takes the op-by-op rules. Both must give the
// same bits, and a cotangent nothing asks for must not be computed at all.

const rng = new Rng(11);

for (const [name, act] of [['tanh', T.tanh], ['sigmoid', T.sigmoid], ['relu', T.relu]] as const) {
  test(`${name} backward: the fused kernel is bit-identical to the op-by-op rule`, () => {
    const x = randn([7, 5], rng);
    x.data[3] = 0; // relu's kink
    const w = randn([7, 5], rng);
    const f = (xs: Tensor[]) => T.sum(T.mul(act(xs[0]), w));
    const [fused] = T.grad(f)([x]);
    const leaf = new Tensor(x.data, x.shape);
    leaf.requiresGrad = true;
    const [ops] = T.backward(f([leaf]), [leaf], { createGraph: true });
    // (relu's derivative is a constant, so its recorded cotangent is untracked too.)
    if (name !== 'relu') assert.ok(ops.tracked, 'the recorded pass went through the op-by-op rule');
    assert.deepEqual(Array.from(fused.data), Array.from(ops.data));
  });
}

test('reverse mode skips cotangents of inputs that lead to nothing differentiated', () => {
  const x = randn([4, 3], rng); // data: not differentiated
  const w = randn([3, 2], rng);
  let calls = 0;
  const f = (ps: Tensor[]) => {
    const y = T.mm(x, ps[0]);
    const node = y.node!;
    const vjp = node.vjp.bind(node);
    (node as { vjp: typeof vjp }).vjp = (g, needs) => {
      calls++;
      assert.deepEqual(needs, [false, true]);
      const r = vjp(g, needs);
      assert.equal(r[0], null, 'no gradient for the data');
      return r;
    };
    return T.sum(y);
  };
  const [g] = T.grad(f)([w]);
  assert.equal(calls, 1);
  // d sum(x w) / dw = x^T 1
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
    let s = 0;
    for (let r = 0; r < 4; r++) s += x.data[r * 3 + i];
    assert.ok(Math.abs(g.data[i * 2 + j] - s) < 1e-12);
  }
});
