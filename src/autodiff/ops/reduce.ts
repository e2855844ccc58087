import { allocate } from '../../tensor/dtype.js';
import { normAxes, sizeOf } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, type Rules } from '../engine.js';
import { mul } from './arith.js';
import { broadcastTo, reshape, take } from './shape.js';

interface SumAttrs { axes: number[]; keepShape: number[]; keepDims: boolean }

const sumRules: Rules<SumAttrs> = {
  name: 'sum',
  vjp: (g, [x], _, a) => [broadcastTo(reshape(g, a.keepShape), x.shape)],
  jvp: ([dx], _, __, a) => sum(dx!, a.axes, a.keepDims),
};
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('sum', axes, x.rank);
  const keepShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const outShape = keepDims ? keepShape : x.shape.filter((_, i) => !ax.includes(i));
  const out = new Tensor(getBackend().sum(x.data, x.shape, ax, x.dtype), outShape);
  return record(sumRules, [x], out, { axes: ax, keepShape, keepDims });
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes('mean', axes, x.rank);
  const count = sizeOf(ax.map((a) => x.shape[a]));
  return mul(sum(x, ax, keepDims), 1 / count);
}

/**
 * Flat indices of the maximum along `axis` (first one on ties, as torch.max does).
 * Not differentiable itself: feed the indices to `take`.
 */
export function argmaxIndices(x: Tensor, axis: number): Int32Array {
  const [ax] = normAxes('argmax', axis, x.rank);
  const n = x.shape[ax];
  const inner = sizeOf(x.shape.slice(ax + 1));
  const outer = sizeOf(x.shape.slice(0, ax));
  const idx = new Int32Array(outer * inner);
  const d = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = base;
      let bv = d[base];
      for (let k = 1; k < n; k++) {
        const v = d[base + k * inner];
        // Strictly greater keeps the first maximum; NaN wins, as in PyTorch.
        if (v > bv || (Number.isNaN(v) && !Number.isNaN(bv))) {
          bv = v;
          best = base + k * inner;
        }
      }
      idx[o * inner + i] = best;
    }
  }
  return idx;
}

/** max along an axis; the gradient goes to the first maximal entry (PyTorch's max(dim) convention). */
export function max(x: Tensor, axis: number, keepDims = false): Tensor {
  const [ax] = normAxes('max', axis, x.rank);
  const shape = x.shape.map((d, i) => (i === ax ? 1 : d));
  const out = take(x, argmaxIndices(x, ax), shape);
  return keepDims ? out : reshape(out, x.shape.filter((_, i) => i !== ax));
}

/** The maximum along an axis as a constant (no derivative), for numerically stable shifts. */
export function maxDetached(x: Tensor, axis: number): Tensor {
  const [ax] = normAxes('max', axis, x.rank);
  const idx = argmaxIndices(x, ax);
  const out = allocate(x.dtype, idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x.data[idx[i]];
  return new Tensor(out, x.shape.map((d, i) => (i === ax ? 1 : d)));
}
