import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer, validateOptimizerSpec } from '../../src/optim/index.js';

function rejects(spec: unknown, message: string): void {
  assert.throws(() => validateOptimizerSpec(spec, 'stages[1].optimizer'), (e: Error) => {
    assert.equal(e.message, message, JSON.stringify(spec));
    return true;
  });
}

test('valid specs come back as copies holding only their own fields', () => {
  const spec = { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 };
  const v = validateOptimizerSpec(spec, 'opt');
  assert.deepEqual(v, spec);
  assert.notEqual(v, spec);
  assert.deepEqual(validateOptimizerSpec({ kind: 'adamw', lr: 0, betas: [0, 0.99], eps: 0 }, 'opt'), { kind: 'adamw', lr: 0, betas: [0, 0.99], eps: 0 });
  const full = { kind: 'sgd', lr: 1, momentum: 0.5, dampening: 1, weightDecay: 0, decoupledWeightDecay: false, nesterov: false };
  assert.deepEqual(validateOptimizerSpec(full, 'opt'), full);
});

test('shape and kind errors', () => {
  rejects(null, 'stages[1].optimizer must be an object with a "kind" (got null)');
  rejects([1], 'stages[1].optimizer must be an object with a "kind" (got [1])');
  rejects({ lr: 1 }, 'stages[1].optimizer.kind must be one of "sgd", "adam", "adamw" (got undefined)');
  rejects({ kind: 'rmsprop', lr: 1 }, 'stages[1].optimizer.kind must be one of "sgd", "adam", "adamw" (got "rmsprop")');
  rejects(
    { kind: 'sgd', lr: 1, betas: [0.9, 0.99] },
    'stages[1].optimizer.betas is not a field of a "sgd" optimizer (fields: kind, lr, momentum, dampening, nesterov, weightDecay, decoupledWeightDecay)',
  );
  rejects({ kind: 'adamw', lr: 1, momentum: 0.9 }, 'stages[1].optimizer.momentum is not a field of a "adamw" optimizer (fields: kind, lr, betas, eps, weightDecay)');
});

test('numeric ranges', () => {
  rejects({ kind: 'sgd' }, 'stages[1].optimizer.lr must be a finite number >= 0 (got undefined)');
  rejects({ kind: 'sgd', lr: -0.1 }, 'stages[1].optimizer.lr must be a finite number >= 0 (got -0.1)');
  rejects({ kind: 'adam', lr: Infinity }, 'stages[1].optimizer.lr must be a finite number >= 0 (got Infinity)');
  rejects({ kind: 'sgd', lr: '0.1' }, 'stages[1].optimizer.lr must be a finite number >= 0 (got "0.1")');
  rejects({ kind: 'sgd', lr: 1, momentum: 1 }, 'stages[1].optimizer.momentum must be a number in [0, 1) (got 1)');
  rejects({ kind: 'sgd', lr: 1, momentum: -0.5 }, 'stages[1].optimizer.momentum must be a number in [0, 1) (got -0.5)');
  rejects({ kind: 'sgd', lr: 1, momentum: 0.9, dampening: 1.5 }, 'stages[1].optimizer.dampening must be a number in [0, 1] (got 1.5)');
  rejects({ kind: 'sgd', lr: 1, weightDecay: -1 }, 'stages[1].optimizer.weightDecay must be a finite number >= 0 (got -1)');
  rejects({ kind: 'sgd', lr: 1, nesterov: 'yes' }, 'stages[1].optimizer.nesterov must be true or false (got "yes")');
  rejects({ kind: 'sgd', lr: 1, decoupledWeightDecay: 1 }, 'stages[1].optimizer.decoupledWeightDecay must be true or false (got 1)');
  rejects({ kind: 'adam', lr: 1, betas: [0.9] }, 'stages[1].optimizer.betas must be a pair [beta1, beta2] (got [0.9])');
  rejects({ kind: 'adam', lr: 1, betas: [1, 0.999] }, 'stages[1].optimizer.betas[0] must be a number in [0, 1) (got 1)');
  rejects({ kind: 'adamw', lr: 1, betas: [0.9, -0.1] }, 'stages[1].optimizer.betas[1] must be a number in [0, 1) (got -0.1)');
  rejects({ kind: 'adam', lr: 1, eps: -1e-8 }, 'stages[1].optimizer.eps must be a finite number >= 0 (got -1e-8)');
  rejects({ kind: 'adamw', lr: 1, weightDecay: NaN }, 'stages[1].optimizer.weightDecay must be a finite number >= 0 (got NaN)');
});

test("nesterov follows torch's rule: momentum > 0 and no dampening", () => {
  rejects({ kind: 'sgd', lr: 1, nesterov: true }, 'stages[1].optimizer.nesterov requires momentum > 0 and dampening 0, as torch.optim.SGD does (got momentum 0, dampening 0)');
  rejects(
    { kind: 'sgd', lr: 1, nesterov: true, momentum: 0.9, dampening: 0.1 },
    'stages[1].optimizer.nesterov requires momentum > 0 and dampening 0, as torch.optim.SGD does (got momentum 0.9, dampening 0.1)',
  );
  assert.doesNotThrow(() => validateOptimizerSpec({ kind: 'sgd', lr: 1, nesterov: false, dampening: 0.1 }, 'x'));
});

test('createOptimizer validates, naming the spec "optimizer"', () => {
  assert.throws(() => createOptimizer({ kind: 'sgd', lr: -1 }), /^Error: optimizer\.lr must be a finite number >= 0 \(got -1\)$/);
  assert.equal(createOptimizer({ kind: 'adamw', lr: 1e-3 }).spec.kind, 'adamw');
});
