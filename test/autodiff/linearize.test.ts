import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Rng, randn, zeros, type Tensor } from '../../src/tensor/index.js';

// linearize / jvpMany record f once and push K tangents through the recorded ops by the same JVP
// rules jvp applies: every tangent must equal a separate jvp call bit for bit.

const rng = new Rng(23);
const x = randn([6, 5], rng);
const labels = Int32Array.from([0, 2, 1, 2, 0, 1]);

/** A two-layer tanh MLP: per-example losses, and (second output) the logits' row sums. */
function mlp(ps: Tensor[]): Tensor[] {
  const [w1, b1, w2] = ps;
  const logits = T.mm(T.tanh(T.add(T.mm(x, w1), b1)), w2);
  return [crossEntropy(logits, labels, 'none'), T.sum(T.mul(logits, logits), -1)];
}
const loss = (ps: Tensor[]): Tensor => T.sum(mlp(ps)[0]);
const params = [randn([5, 4], rng), randn([4], rng), randn([4, 3], rng)];
const directions = Array.from({ length: 4 }, () => params.map((p) => randn([...p.shape], rng)));
const bits = (ts: Tensor[]) => ts.map((t) => Array.from(t.data));

test('jvpMany: every tangent and the primal equal separate jvp calls bit for bit', () => {
  const many = T.jvpMany(mlp, params, directions);
  assert.equal(many.tangents.length, directions.length);
  directions.forEach((v, j) => {
    const one = T.jvp(mlp, params, v);
    assert.deepEqual(bits(many.out), bits(one.out), 'primal');
    assert.deepEqual(bits(many.tangents[j]), bits(one.tangent), `direction ${j}`);
  });
});

test('linearize: a tangent map applied again later gives the same bits (nothing kept between pushes)', () => {
  const lin = T.linearize((ps) => T.sum(mlp(ps)[0]), params);
  const first = directions.map((v) => Array.from(lin.apply(v).data));
  const again = [...directions].reverse().map((v) => Array.from(lin.apply(v).data)).reverse();
  assert.deepEqual(again, first);
  assert.deepEqual(first[1], Array.from(T.jvp((ps) => T.sum(mlp(ps)[0]), params, directions[1]).tangent.data));
});

test('jvpMany of a gradient (second order) equals hvp bit for bit', () => {
  const many = T.jvpMany((ps) => T.grad(loss)(ps), params, directions);
  directions.forEach((v, j) => assert.deepEqual(bits(many.tangents[j]), bits(T.hvp(loss, params, v)), `direction ${j}`));
  assert.deepEqual(bits(many.out), bits(T.grad(loss)(params)), 'the gradient itself');
});

test('jvpMany: outputs that do not depend on the inputs get zero tangents; inputs passed through keep theirs', () => {
  const c = randn([3], rng);
  const many = T.jvpMany((ps) => [c, ps[1], T.mul(ps[1], 2)], params, directions.slice(0, 2));
  many.tangents.forEach((t, j) => {
    assert.deepEqual(Array.from(t[0].data), Array.from(zeros([3]).data));
    assert.deepEqual(Array.from(t[1].data), Array.from(directions[j][1].data));
    assert.deepEqual(Array.from(t[2].data), Array.from(T.mul(directions[j][1], 2).data));
  });
});

test('jvpMany checks every tangent set and refuses to run inside jvp', () => {
  assert.throws(() => T.jvpMany(mlp, params, [directions[0], [params[0], params[1]]]), /2 tangents/);
  assert.throws(() => T.jvpMany(mlp, params, [[params[0], params[1], params[0]]]), /tangent 2 has shape \[5, 4\]/);
  assert.throws(() => T.jvp((ps) => T.linearize(loss, ps).out, params, directions[0]), /not supported inside jvp/);
});
