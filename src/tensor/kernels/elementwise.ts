import { allocate, type DType, type FloatArray } from '../dtype.js';
import { sizeOf, stridesOf, type Shape } from '../shape.js';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'gt' | 'maximum';

/** Strides of `shape` seen from a broadcast output of rank `rank` (0 where broadcast). */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const s = stridesOf(shape);
  const out = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = rank - shape.length + i;
    out[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : s[i];
  }
  return out;
}

function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case 'add': return x + y;
    case 'sub': return x - y;
    case 'mul': return x * y;
    case 'div': return x / y;
    case 'gt': return x > y ? 1 : 0;
    case 'maximum': return x >= y || Number.isNaN(x) ? x : y;
  }
}

/** Elementwise binary op with NumPy broadcasting; outShape comes from broadcastShapes. */
export function binaryKernel(op: BinaryOp, a: FloatArray, aShape: Shape, b: FloatArray, bShape: Shape, outShape: Shape, dtype: DType): FloatArray {
  const n = sizeOf(outShape);
  const out = allocate(dtype, n);
  if (a.length === n && b.length === n) {
    // Same shape: the hot path (one loop per op so V8 keeps each monomorphic).
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return out;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return out;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return out;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return out;
      default: for (let i = 0; i < n; i++) out[i] = apply(op, a[i], b[i]); return out;
    }
  }
  if (b.length === 1) {
    const y = b[0];
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + y; return out;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * y; return out;
      default: if (a.length === n) { for (let i = 0; i < n; i++) out[i] = apply(op, a[i], y); return out; }
    }
  }
  const rank = outShape.length;
  if (rank === 0) {
    out[0] = apply(op, a[0], b[0]);
    return out;
  }
  const last = outShape[rank - 1];
  if (a.length === n && b.length === last && last > 1 && bShape[bShape.length - 1] === last) {
    // A row vector over every row (a bias): same values as the general path, without the odometer.
    switch (op) {
      case 'add': for (let o = 0; o < n; o += last) for (let j = 0; j < last; j++) out[o + j] = a[o + j] + b[j]; return out;
      case 'mul': for (let o = 0; o < n; o += last) for (let j = 0; j < last; j++) out[o + j] = a[o + j] * b[j]; return out;
      case 'sub': for (let o = 0; o < n; o += last) for (let j = 0; j < last; j++) out[o + j] = a[o + j] - b[j]; return out;
      default: break;
    }
  }
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  const al = as[rank - 1];
  const bl = bs[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < n; o += last) {
    for (let j = 0, pa = ai, pb = bi; j < last; j++, pa += al, pb += bl) out[o + j] = apply(op, a[pa], b[pb]);
    // Odometer over the leading axes.
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      ai += as[d];
      bi += bs[d];
      if (idx[d] < outShape[d]) break;
      ai -= as[d] * outShape[d];
      bi -= bs[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

export function unaryKernel(x: FloatArray, f: (v: number) => number): FloatArray {
  const out = allocate(x instanceof Float64Array ? 'float64' : 'float32', x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
  return out;
}

/** Sums over `axes` (sorted, unique); the result has the kept axes in order (size-1 where reduced). */
export function sumKernel(x: FloatArray, shape: Shape, axes: readonly number[], dtype: DType): FloatArray {
  const rank = shape.length;
  const reduced = new Set(axes);
  const outShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const out = allocate(dtype, sizeOf(outShape));
  if (x.length === 0) return out;
  // Fast paths: all axes, or a contiguous trailing block, or a leading block.
  if (axes.length === rank) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    out[0] = s;
    return out;
  }
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (trailing) {
    const inner = sizeOf(shape.slice(rank - axes.length));
    for (let o = 0; o < out.length; o++) {
      let s = 0;
      const base = o * inner;
      for (let i = 0; i < inner; i++) s += x[base + i];
      out[o] = s;
    }
    return out;
  }
  const leading = axes.every((a, i) => a === i);
  if (leading) {
    const inner = out.length;
    const outer = x.length / inner;
    for (let r = 0; r < outer; r++) {
      const base = r * inner;
      for (let i = 0; i < inner; i++) out[i] += x[base + i];
    }
    return out;
  }
  const os = broadcastStrides(outShape, shape);
  const idx = new Array<number>(rank).fill(0);
  let oi = 0;
  for (let i = 0; i < x.length; i++) {
    out[oi] += x[i];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      oi += os[d];
      if (idx[d] < shape[d]) break;
      oi -= os[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Materialises x broadcast to outShape. */
export function broadcastKernel(x: FloatArray, shape: Shape, outShape: Shape, dtype: DType): FloatArray {
  const n = sizeOf(outShape);
  const out = allocate(dtype, n);
  if (x.length === 1) {
    out.fill(x[0]);
    return out;
  }
  const rank = outShape.length;
  const xs = broadcastStrides(shape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let xi = 0;
  for (let o = 0; o < n; o++) {
    out[o] = x[xi];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      xi += xs[d];
      if (idx[d] < outShape[d]) break;
      xi -= xs[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** out = x.permute(perm) made contiguous. */
export function permuteKernel(x: FloatArray, shape: Shape, perm: readonly number[], dtype: DType): FloatArray {
  const rank = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => inStrides[p]);
  const out = allocate(dtype, x.length);
  if (x.length === 0) return out;
  if (rank === 2 && perm[0] === 1) {
    const [r, c] = shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j];
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let xi = 0;
  for (let o = 0; o < x.length; o++) {
    out[o] = x[xi];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      xi += st[d];
      if (idx[d] < outShape[d]) break;
      xi -= st[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}
