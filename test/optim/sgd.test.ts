import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer, type OptimizerSpec, type OptimizerState } from '../../src/optim/index.js';
import { tensor, type Tensor } from '../../src/tensor/index.js';
import { assertClose } from './close.js';

// Two steps on theta0 = [1, -2] with given gradients g1 = [0.5, 1], g2 = [-1, 0.25] and lr 0.1;
// every expected number below is worked out by hand from torch.optim.SGD's rule.
const theta0 = [1, -2];
const g1 = [0.5, 1];
const g2 = [-1, 0.25];

function twoSteps(spec: OptimizerSpec): { states: OptimizerState[]; thetas: Tensor[] } {
  const opt = createOptimizer(spec);
  let params = [tensor(theta0)];
  let state = opt.init(params);
  const states: OptimizerState[] = [];
  const thetas: Tensor[] = [];
  for (const g of [g1, g2]) {
    ({ params, state } = opt.step(params, [tensor(g)], state, 0.1));
    states.push(state);
    thetas.push(params[0]);
  }
  return { states, thetas };
}

const TOL = 1e-15;

test('plain SGD: theta -= eta*g', () => {
  const { thetas, states } = twoSteps({ kind: 'sgd', lr: 0.1 });
  assertClose(thetas[0], [0.95, -2.1], TOL, 'theta1'); // [1 - 0.05, -2 - 0.1]
  assertClose(thetas[1], [1.05, -2.125], TOL, 'theta2'); // [0.95 + 0.1, -2.1 - 0.025]
  assert.deepEqual(Object.keys(states[1].slots), [], 'no buffer without momentum');
  assert.equal(states[1].step, 2);
});

test('heavy-ball momentum: the first buffer is g itself', () => {
  const { thetas, states } = twoSteps({ kind: 'sgd', lr: 0.1, momentum: 0.9 });
  assertClose(states[0].slots.momentum[0], [0.5, 1], TOL, 'buf1'); // = g1
  assertClose(thetas[0], [0.95, -2.1], TOL, 'theta1');
  assertClose(states[1].slots.momentum[0], [-0.55, 1.15], TOL, 'buf2'); // 0.9*[0.5, 1] + [-1, 0.25]
  assertClose(thetas[1], [1.005, -2.215], TOL, 'theta2'); // [0.95 + 0.055, -2.1 - 0.115]
});

test('dampening scales g in the buffer from the second step on, not at the first', () => {
  const { thetas, states } = twoSteps({ kind: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.5 });
  assertClose(states[0].slots.momentum[0], [0.5, 1], TOL, 'buf1'); // undamped g1
  assertClose(thetas[0], [0.95, -2.1], TOL, 'theta1');
  assertClose(states[1].slots.momentum[0], [-0.05, 1.025], TOL, 'buf2'); // [0.45, 0.9] + 0.5*[-1, 0.25]
  assertClose(thetas[1], [0.955, -2.2025], TOL, 'theta2'); // [0.95 + 0.005, -2.1 - 0.1025]
});

test('nesterov steps along g + mu*buf', () => {
  const { thetas, states } = twoSteps({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true });
  assertClose(states[0].slots.momentum[0], [0.5, 1], TOL, 'buf1');
  assertClose(thetas[0], [0.905, -2.19], TOL, 'theta1'); // direction g1 + 0.9*g1 = [0.95, 1.9]
  assertClose(states[1].slots.momentum[0], [-0.55, 1.15], TOL, 'buf2');
  assertClose(thetas[1], [1.0545, -2.3185], TOL, 'theta2'); // direction [-1 - 0.495, 0.25 + 1.035]
});

test('coupled weight decay adds lambda*theta to the gradient', () => {
  const plain = twoSteps({ kind: 'sgd', lr: 0.1, weightDecay: 0.1 });
  // g1 + 0.1*theta0 = [0.6, 0.8]; g2 + 0.1*theta1 = [-0.906, 0.042]
  assertClose(plain.thetas[0], [0.94, -2.08], TOL, 'theta1');
  assertClose(plain.thetas[1], [1.0306, -2.0842], TOL, 'theta2');
  const mom = twoSteps({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
  assertClose(mom.states[0].slots.momentum[0], [0.6, 0.8], TOL, 'buf1');
  assertClose(mom.thetas[0], [0.94, -2.08], TOL, 'theta1');
  assertClose(mom.states[1].slots.momentum[0], [-0.366, 0.762], TOL, 'buf2'); // [0.54, 0.72] + [-0.906, 0.042]
  assertClose(mom.thetas[1], [0.9766, -2.1562], TOL, 'theta2');
});

test('decoupled weight decay shrinks theta by 1 - eta*lambda first and leaves the buffer alone', () => {
  const { thetas, states } = twoSteps({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.1, decoupledWeightDecay: true });
  // theta0 * 0.99 = [0.99, -1.98], then - 0.1*g1
  assertClose(states[0].slots.momentum[0], [0.5, 1], TOL, 'buf1');
  assertClose(thetas[0], [0.94, -2.08], TOL, 'theta1');
  // theta1 * 0.99 = [0.9306, -2.0592], then - 0.1*[-0.55, 1.15]
  assertClose(states[1].slots.momentum[0], [-0.55, 1.15], TOL, 'buf2');
  assertClose(thetas[1], [0.9856, -2.1742], TOL, 'theta2');
});

test('step is pure: inputs are untouched and every parameter of the list is updated', () => {
  const opt = createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.5 });
  const params = [tensor([1, 2]), tensor([[3]])];
  const grads = [tensor([1, 1]), tensor([[2]])];
  const s0 = opt.init(params);
  const r = opt.step(params, grads, s0, 0.5);
  assert.deepEqual(params[0].toArray(), [1, 2]);
  assert.deepEqual(s0, { step: 0, slots: {} });
  assert.deepEqual(r.params.map((p) => p.toArray()), [[0.5, 1.5], [2]]);
  assert.deepEqual(r.params[1].shape, [1, 1]);
  const r2 = opt.step(r.params, grads, r.state, 0.5);
  assert.deepEqual(r.state.slots.momentum.map((b) => b.toArray()), [[1, 1], [2]], 'the first state is not overwritten');
  assert.deepEqual(r2.state.slots.momentum.map((b) => b.toArray()), [[1.5, 1.5], [3]]);
});

test("torch's buffer rules: absent means first step at any step count; momentum 0 leaves a buffer alone", () => {
  const p = [tensor([1, 2])];
  const g = [tensor([0.5, -1])];
  const withMomentum = createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.5 });
  const r = withMomentum.step(p, g, { step: 7, slots: {} }, 0.1);
  assert.deepEqual(r.state.slots.momentum[0].toArray(), [0.5, -1], 'buf = g, undamped');
  assert.equal(r.state.step, 8);
  const carried = { step: 3, slots: { momentum: [tensor([4, 5])] } };
  const noMomentum = createOptimizer({ kind: 'sgd', lr: 0.1 });
  const r2 = noMomentum.step(p, g, carried, 0.1);
  assert.equal(r2.state.slots.momentum[0], carried.slots.momentum[0], 'the carried buffer passes through');
  assertClose(r2.params[0], [0.95, 2.1], TOL, 'plain step');
});

test('step rejects mismatched lists, bad lrs and malformed states', () => {
  const opt = createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 });
  const p = [tensor([1, 2])];
  assert.throws(() => opt.step(p, [], opt.init(p), 0.1), /^Error: sgd step: 0 grads for 1 parameters$/);
  assert.throws(() => opt.step(p, [tensor([1, 2, 3])], opt.init(p), 0.1), /sgd step: grads\[0\] is float64 \[3\], parameter 0 is float64 \[2\]/);
  assert.throws(() => opt.step(p, p, opt.init(p), -1), /sgd step: lr must be a finite number >= 0 \(got -1\)/);
  assert.throws(() => opt.step(p, p, { step: 2, slots: { momentum: [] } }, 0.1), /sgd step: 0 slots.momentum for 1 parameters/);
  assert.throws(() => opt.step(p, p, { step: 1.5, slots: {} }, 0.1), /sgd step: state.step must be an integer >= 0 \(got 1.5\)/);
});
