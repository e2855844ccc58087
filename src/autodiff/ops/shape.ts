import { allocate } from '../../tensor/dtype.js';
import { broadcastKernel, permuteKernel } from '../../tensor/kernels/elementwise.js';
import { broadcastShapes, sameShape, ShapeError, shapeStr, sizeOf, type Shape } from '../../tensor/shape.js';
import { getBackend } from '../../tensor/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, type Rules } from '../engine.js';

const reshapeRules: Rules<Shape> = {
  name: 'reshape',
  vjp: (g, [x]) => [reshape(g, x.shape)],
  jvp: ([dx], _, out) => reshape(dx!, out.shape),
};
/** Same data, new shape (one axis may be -1). Shares the buffer: tensors are immutable. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = resolveShape(x, shape);
  if (sameShape(target, x.shape)) return x;
  return record(reshapeRules, [x], new Tensor(x.data, target), target);
}

function resolveShape(x: Tensor, shape: Shape): number[] {
  const s = [...shape];
  const free = s.indexOf(-1);
  if (free >= 0) {
    const known = sizeOf(s.filter((_, i) => i !== free));
    if (known === 0 || x.size % known !== 0) throw new ShapeError('reshape', `cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
    s[free] = x.size / known;
  }
  if (sizeOf(s) !== x.size || s.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError('reshape', `cannot reshape ${shapeStr(x.shape)} (size ${x.size}) to ${shapeStr(shape)}`);
  }
  return s;
}

export function flatten(x: Tensor, startAxis = 1): Tensor {
  return reshape(x, [...x.shape.slice(0, startAxis), -1]);
}

const permuteRules: Rules<readonly number[]> = {
  name: 'permute',
  vjp: (g, _, __, perm) => [permute(g, inversePerm(perm))],
  jvp: ([dx], _, __, perm) => permute(dx!, perm),
};
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new ShapeError('permute', `invalid permutation [${perm.join(', ')}] for shape ${shapeStr(x.shape)}`);
  }
  if (perm.every((p, i) => p === i)) return x;
  const out = new Tensor(permuteKernel(x.data, x.shape, perm, x.dtype), perm.map((p) => x.shape[p]));
  return record(permuteRules, [x], out, perm);
}

function inversePerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Swaps the last two axes. */
export function transpose(x: Tensor): Tensor {
  if (x.rank < 2) throw new ShapeError('transpose', `needs rank >= 2, got ${shapeStr(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return permute(x, perm);
}

const broadcastRules: Rules<Shape> = {
  name: 'broadcastTo',
  vjp: (g, [x]) => [sumTo(g, x.shape)],
  jvp: ([dx], _, __, shape) => broadcastTo(dx!, shape),
};
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(target, shape)) throw new ShapeError('broadcastTo', `cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  return record(broadcastRules, [x], new Tensor(broadcastKernel(x.data, x.shape, target, x.dtype), target), target);
}

const sumToRules: Rules<Shape> = {
  name: 'sumTo',
  vjp: (g, [x]) => [broadcastTo(g, x.shape)],
  jvp: ([dx], _, __, shape) => sumTo(dx!, shape),
};
/** The adjoint of broadcastTo: sums x down to `shape`. */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const lead = x.rank - shape.length;
  if (lead < 0) throw new ShapeError('sumTo', `cannot sum ${shapeStr(x.shape)} to larger rank ${shapeStr(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && x.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== x.shape[i]) throw new ShapeError('sumTo', `cannot sum ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  const out = new Tensor(getBackend().sum(x.data, x.shape, axes, x.dtype), shape);
  return record(sumToRules, [x], out, shape);
}

interface TakeAttrs { index: Int32Array; inShape: Shape; outShape: Shape }

const takeRules: Rules<TakeAttrs> = {
  name: 'take',
  vjp: (g, _, __, a) => [scatterAdd(g, a.index, a.inShape)],
  jvp: ([dx], _, __, a) => take(dx!, a.index, a.outShape),
};
/** out.flat[i] = x.flat[index[i]]: gathers (embedding rows, max-pool winners, label logits). */
export function take(x: Tensor, index: Int32Array, outShape: Shape): Tensor {
  if (sizeOf(outShape) !== index.length) {
    throw new ShapeError('take', `${index.length} indices do not fit output shape ${shapeStr(outShape)}`);
  }
  const out = allocate(x.dtype, index.length);
  const n = x.size;
  for (let i = 0; i < index.length; i++) {
    const j = index[i];
    if (j < 0 || j >= n) throw new ShapeError('take', `index ${j} out of range for ${shapeStr(x.shape)}`);
    out[i] = x.data[j];
  }
  return record(takeRules, [x], new Tensor(out, outShape), { index, inShape: x.shape, outShape });
}

const scatterRules: Rules<TakeAttrs> = {
  name: 'scatterAdd',
  vjp: (g, _, __, a) => [take(g, a.index, a.outShape)],
  jvp: ([dx], _, __, a) => scatterAdd(dx!, a.index, a.inShape),
};
/** The adjoint of take: out = zeros(shape); out.flat[index[i]] += x.flat[i]. */
export function scatterAdd(x: Tensor, index: Int32Array, shape: Shape): Tensor {
  if (x.size !== index.length) throw new ShapeError('scatterAdd', `${index.length} indices for ${x.size} values`);
  const out = allocate(x.dtype, sizeOf(shape));
  for (let i = 0; i < index.length; i++) out[index[i]] += x.data[i];
  // For scatterAdd, attrs.inShape is its output and outShape its input: the mirror of take.
  return record(scatterRules, [x], new Tensor(out, shape), { index, inShape: shape, outShape: x.shape });
}

/** The same values, cut off from both reverse and forward mode. */
export function stopGradient(x: Tensor): Tensor {
  return new Tensor(x.data, x.shape);
}
