import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, bceWithLogits, correctClassProbability, crossEntropy, margin, mse, predictions } from '../../src/nn/index.js';
import { tensor } from '../../src/tensor/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

const logits = tensor([
  [1, 2, 3],
  [0.5, -1, 0],
  [1000, 0, -1000], // large logits: the stable form must not overflow
]);
const labels = new Int32Array([2, 0, 1]);

function refCE(row: number[], y: number): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[y];
}
const rows = [[1, 2, 3], [0.5, -1, 0], [1000, 0, -1000]];
const ref = rows.map((r, i) => refCE(r, labels[i]));

test('crossEntropy: none / sum / mean, stable for large logits', () => {
  const none = crossEntropy(logits, labels, 'none');
  assert.deepEqual(none.shape, [3]);
  ref.forEach((r, i) => close(none.data[i], r));
  close(crossEntropy(logits, labels, 'sum').item(), ref[0] + ref[1] + ref[2]);
  close(crossEntropy(logits, labels).item(), (ref[0] + ref[1] + ref[2]) / 3);
  assert.ok(Number.isFinite(none.data[2]));
  close(none.data[2], 1000);
});

test('crossEntropy: sample weights scale per-example losses; mean divides by the batch size', () => {
  const w = new Float64Array([2, 0, 0.5]);
  const expected = [2 * ref[0], 0, 0.5 * ref[2]];
  crossEntropy(logits, labels, 'none', w).data.forEach((v, i) => close(v, expected[i]));
  close(crossEntropy(logits, labels, 'sum', w).item(), expected[0] + expected[2]);
  close(crossEntropy(logits, labels, 'mean', w).item(), (expected[0] + expected[2]) / 3);
  close(crossEntropy(logits, labels, 'mean', new Float64Array([1, 1, 1])).item(), crossEntropy(logits, labels).item());
});

test('mse and bceWithLogits', () => {
  const p = tensor([[1, 2], [3, 4]]);
  close(mse(p, [1, 1, 1, 1]).item(), (0 + 1 + 4 + 9) / 4);
  close(mse(p, tensor([[0, 0], [0, 0]]), 'sum').item(), 30);
  assert.deepEqual(mse(p, [0, 0, 0, 0], 'none').shape, [2, 2]);
  const x = tensor([-50, -1, 0, 2, 800]);
  const y = [0, 1, 0.5, 1, 1];
  const refBce = (v: number, t: number) => {
    const sig = 1 / (1 + Math.exp(-v));
    return v > 30 ? (1 - t) * v : -(t * Math.log(sig) + (1 - t) * Math.log(1 - sig));
  };
  const none = bceWithLogits(x, y, 'none');
  none.data.forEach((v, i) => close(v, refBce(x.data[i], y[i]), 1e-10));
  assert.ok(none.data.every(Number.isFinite));
  close(bceWithLogits(x, y).item(), Array.from(none.data).reduce((a, b) => a + b, 0) / 5);
});

test('margin, correctClassProbability, predictions and accuracy', () => {
  assert.deepEqual(Array.from(margin(logits, labels).data), [1, 0.5, -1000]);
  const p = correctClassProbability(logits, labels);
  ref.forEach((r, i) => close(p.data[i], Math.exp(-r)));
  assert.deepEqual(Array.from(predictions(logits)), [2, 0, 0]);
  close(accuracy(logits, labels), 2 / 3);
});

test('losses reject bad labels, shapes and weights with errors naming the loss and shapes', () => {
  assert.throws(() => crossEntropy(logits, new Int32Array([0, 1])), /crossEntropy: 2 labels for logits \[3, 3\] \(expected one per row, 3\)/);
  assert.throws(() => crossEntropy(logits, new Int32Array([0, 3, 1])), /crossEntropy: label 3 of example 1 is outside 0\.\.2 for logits \[3, 3\]/);
  assert.throws(() => crossEntropy(logits, new Int32Array([0, -1, 1])), /label -1 of example 1/);
  assert.throws(() => crossEntropy(tensor([1, 2, 3]), new Int32Array([0])), /crossEntropy: logits must be \[B, C\], got \[3\]/);
  assert.throws(() => crossEntropy(logits, [0, 1, 2] as unknown as Int32Array), /crossEntropy: labels must be an Int32Array, got Array/);
  assert.throws(() => crossEntropy(logits, labels, 'mean', new Float64Array(2)), /crossEntropy: 2 sample weights for a batch of 3/);
  assert.throws(() => crossEntropy(logits, labels, 'mean', new Float64Array([1, NaN, 1])), /sample weight NaN of example 1/);
  assert.throws(() => crossEntropy(logits, labels, 'avg' as never), /reduction must be 'mean', 'sum' or 'none', got "avg"/);
  assert.throws(() => margin(logits, new Int32Array([5, 0, 0])), /margin: label 5 of example 0 is outside 0\.\.2/);
  assert.throws(() => margin(tensor([[1], [2]]), new Int32Array([0, 0])), /margin: needs at least 2 classes, got logits \[2, 1\]/);
  assert.throws(() => correctClassProbability(logits, new Int32Array(4)), /correctClassProbability: 4 labels for logits \[3, 3\]/);
  assert.throws(() => mse(tensor([[1, 2]]), tensor([1, 2])), /mse: target \[2\] does not match predictions \[1, 2\]/);
  assert.throws(() => bceWithLogits(tensor([1, 2]), [1]), /bceWithLogits: 1 target values for predictions \[2\]/);
});
