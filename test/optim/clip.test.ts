import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as T from '../../src/autodiff/index.js';
import { clipGradNorm, clipGradNormJvp } from '../../src/optim/index.js';
import { randn, Rng, type Tensor } from '../../src/tensor/index.js';
import { fdJvp, relErr } from '../helpers/fd.js';
import { oracleTest, runTorch } from '../helpers/torchOracle.js';

// clip_grad_norm_: values against torch, and its closed-form JVP against the autodiff JVP of the
// op-by-op version and against finite differences, on both sides of the clipping threshold.

const rng = new Rng(11);
const grads = [randn([3, 4], rng), randn([5], rng)];
const tangents = [randn([3, 4], rng), randn([5], rng)];
const sqNorm = (ts: Tensor[]) => {
  let s = 0;
  for (const t of ts) for (const v of t.data) s += v * v;
  return s;
};
const norm = Math.sqrt(sqNorm(grads));

test('clipGradNorm: below the threshold the gradients pass through untouched', () => {
  const r = clipGradNorm(grads, norm * 2);
  assert.equal(r.scale, 1);
  assert.equal(r.grads, grads);
  assert.deepEqual(clipGradNormJvp(grads, tangents, norm * 2), tangents);
});

test('clipGradNorm: above the threshold, the clipped norm is max_norm and the JVP matches autodiff and finite differences', () => {
  const maxNorm = norm / 3;
  const r = clipGradNorm(grads, maxNorm);
  const clipped = Math.sqrt(sqNorm(r.grads));
  assert.ok(Math.abs(clipped - maxNorm * norm / (norm + 1e-6)) < 1e-14);
  const f = (gs: Tensor[]) => clipGradNorm(gs, maxNorm).grads;
  const auto = T.jvp(f, grads, tangents).tangent;
  const closed = clipGradNormJvp(grads, tangents, maxNorm);
  assert.ok(relErr(closed.map((t) => t.data), auto.map((t) => t.data)) < 1e-14);
  assert.ok(relErr(closed.map((t) => t.data), fdJvp(f, grads, tangents)) < 1e-8);
});

test('clipGradNorm: rejects a non-positive max_norm', () => {
  assert.throws(() => clipGradNorm(grads, 0), /max_norm must be a finite number > 0/);
});

oracleTest('clipGradNorm equals torch.nn.utils.clip_grad_norm_ (float64)', () => {
  for (const maxNorm of [norm / 3, norm * 2]) {
    const out = runTorch(`
import torch
from common import read_input, write_output
req = read_input()
gs = [torch.tensor(g, dtype=torch.float64).reshape(s).requires_grad_() for g, s in zip(req["grads"], req["shapes"])]
for p, g in zip(gs, req["grads"]):
    p.grad = torch.tensor(g, dtype=torch.float64).reshape(p.shape)
total = torch.nn.utils.clip_grad_norm_(gs, req["maxNorm"])
write_output({"total": total.item(), "grads": [p.grad.flatten() for p in gs]})
`, { grads: grads.map((g) => Array.from(g.data)), shapes: grads.map((g) => g.shape), maxNorm }) as { total: number; grads: number[][] };
    assert.ok(Math.abs(out.total - norm) <= 1e-15 * norm);
    const ours = clipGradNorm(grads, maxNorm).grads;
    assert.ok(relErr(ours.map((g) => g.data), out.grads) <= 1e-15, `max_norm ${maxNorm}`);
  }
});
