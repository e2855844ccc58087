import * as T from '../autodiff/index.js';
import { ShapeError, shapeStr, Tensor, fromData, allocate, sameShape } from '../tensor/index.js';

// Losses and per-example behaviours, built from differentiable primitives so every derivative
// order (gradients, HVPs, JVPs) is exact.

export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(loss: string, reduction: unknown): asserts reduction is Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${loss}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
}

/** Checks logits [B, C] against integer labels; returns the flat index of each label logit. */
function labelIndices(loss: string, logits: Tensor, labels: Int32Array): Int32Array {
  if (!(logits instanceof Tensor)) throw new TypeError(`${loss}: logits must be a Tensor`);
  if (logits.rank !== 2) throw new ShapeError(loss, `logits must be [B, C], got ${shapeStr(logits.shape)}`);
  if (!(labels instanceof Int32Array)) throw new TypeError(`${loss}: labels must be an Int32Array, got ${describe(labels)}`);
  const [b, c] = logits.shape;
  if (labels.length !== b) {
    throw new ShapeError(loss, `${labels.length} labels for logits ${shapeStr(logits.shape)} (expected one per row, ${b})`);
  }
  const idx = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    const y = labels[i];
    if (y < 0 || y >= c) throw new RangeError(`${loss}: label ${y} of example ${i} is outside 0..${c - 1} for logits ${shapeStr(logits.shape)}`);
    idx[i] = i * c + y;
  }
  return idx;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

function reduce(loss: string, perExample: Tensor, reduction: Reduction, weights?: Float64Array): Tensor {
  let l = perExample;
  if (weights !== undefined) {
    const n = perExample.shape[0];
    if (!(weights instanceof Float64Array)) throw new TypeError(`${loss}: sampleWeights must be a Float64Array, got ${describe(weights)}`);
    if (weights.length !== n) throw new ShapeError(loss, `${weights.length} sample weights for a batch of ${n} (shape ${shapeStr(perExample.shape)})`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(weights[i]) || weights[i] < 0) throw new RangeError(`${loss}: sample weight ${weights[i]} of example ${i} must be finite and >= 0`);
    }
    const w = allocate(perExample.dtype, n);
    w.set(weights);
    l = T.mul(l, fromData(w, [n]));
  }
  if (reduction === 'none') return l;
  return reduction === 'sum' ? T.sum(l) : T.mean(l);
}

/**
 * Softmax cross-entropy with integer labels, in the stable form logSumExp(z) - z[label].
 * sampleWeights multiply the per-example losses; 'mean' still divides by the batch size B (not
 * by the sum of the weights), so a weighted batch mean is (1/B) Σ w_i l_i and weights of 1 give
 * torch's F.cross_entropy exactly. 'none' returns the [B] (weighted) per-example losses.
 */
export function crossEntropy(logits: Tensor, labels: Int32Array, reduction: Reduction = 'mean', sampleWeights?: Float64Array): Tensor {
  checkReduction('crossEntropy', reduction);
  const idx = labelIndices('crossEntropy', logits, labels);
  const per = T.sub(T.logSumExp(logits, -1), T.take(logits, idx, [labels.length]));
  return reduce('crossEntropy', per, reduction, sampleWeights);
}

function targetTensor(loss: string, pred: Tensor, target: Tensor | ArrayLike<number>): Tensor {
  if (!(pred instanceof Tensor)) throw new TypeError(`${loss}: predictions must be a Tensor`);
  if (target instanceof Tensor) {
    if (!sameShape(target.shape, pred.shape)) throw new ShapeError(loss, `target ${shapeStr(target.shape)} does not match predictions ${shapeStr(pred.shape)}`);
    if (target.dtype !== pred.dtype) throw new TypeError(`${loss}: target is ${target.dtype}, predictions are ${pred.dtype}`);
    return target;
  }
  if (target.length !== pred.size) throw new ShapeError(loss, `${target.length} target values for predictions ${shapeStr(pred.shape)} (${pred.size} values)`);
  const d = allocate(pred.dtype, pred.size);
  for (let i = 0; i < d.length; i++) d[i] = target[i];
  return fromData(d, pred.shape);
}

/** Squared error; 'mean' averages over every element, as torch's MSELoss. */
export function mse(pred: Tensor, target: Tensor | ArrayLike<number>, reduction: Reduction = 'mean'): Tensor {
  checkReduction('mse', reduction);
  const t = targetTensor('mse', pred, target);
  const diff = T.sub(pred, t);
  const sq = T.mul(diff, diff);
  if (reduction === 'none') return sq;
  return reduction === 'sum' ? T.sum(sq) : T.mean(sq);
}

/** Binary cross-entropy on logits, stable form softplus(x) - y x; 'mean' over every element. */
export function bceWithLogits(logits: Tensor, targets: Tensor | ArrayLike<number>, reduction: Reduction = 'mean'): Tensor {
  checkReduction('bceWithLogits', reduction);
  const y = targetTensor('bceWithLogits', logits, targets);
  const l = T.sub(T.softplus(logits), T.mul(y, logits));
  if (reduction === 'none') return l;
  return reduction === 'sum' ? T.sum(l) : T.mean(l);
}

/**
 * Per-example margin [B]: the label logit minus the largest other logit (positive = correctly
 * classified). The runner-up is picked from the values, so like torch.max the derivative flows
 * to the first maximal other logit.
 */
export function margin(logits: Tensor, labels: Int32Array): Tensor {
  const idx = labelIndices('margin', logits, labels);
  const [b, c] = logits.shape;
  if (c < 2) throw new ShapeError('margin', `needs at least 2 classes, got logits ${shapeStr(logits.shape)}`);
  const other = new Int32Array(b);
  const z = logits.data;
  for (let i = 0; i < b; i++) {
    let best = -1;
    for (let j = 0; j < c; j++) {
      const k = i * c + j;
      if (k === idx[i]) continue;
      if (best < 0 || z[k] > z[best] || (Number.isNaN(z[k]) && !Number.isNaN(z[best]))) best = k;
    }
    other[i] = best;
  }
  return T.sub(T.take(logits, idx, [b]), T.take(logits, other, [b]));
}

/** Per-example softmax probability of the label [B], as exp(z[label] - logSumExp(z)). */
export function correctClassProbability(logits: Tensor, labels: Int32Array): Tensor {
  const idx = labelIndices('correctClassProbability', logits, labels);
  return T.exp(T.sub(T.take(logits, idx, [labels.length]), T.logSumExp(logits, -1)));
}
