import * as T from '../../../autodiff/index.js';
import { Tensor } from '../../../tensor/index.js';
import type { OnnxConstant } from '../proto.js';
import {
  attr, constantValue, fail, floatOf, gatherFlat, input, intsOf, IntTensor, normAxis, range, selectIndex,
  type Converter, type OpContext, type Value,
} from '../values.js';

// Ops that only move values around. Each computes an index map (or a new shape) from static
// shapes, so floats stay differentiable (take / reshape / permute) and integer shape
// computations run eagerly on the same code.

function reshapeValue(v: Value, shape: number[]): Value {
  return v instanceof IntTensor ? new IntTensor(v.data, shape) : T.reshape(v, shape);
}

function reshape(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const target = intsOf(input(inputs, 1, ctx), ctx, 'the target shape');
  const allowZero = attr(ctx, 'allowzero', 'number', 0) !== 0;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const size = x.shape.reduce((a, b) => a * b, 1);
  const resolved = shape.map((d) => (d === -1 ? size / known : d));
  if (resolved.reduce((a, b) => a * b, 1) !== size || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    fail(ctx, `cannot reshape [${x.shape}] to [${target}]`);
  }
  return reshapeValue(x, resolved);
}

function flatten(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const r = x.shape.length;
  const axis = attr(ctx, 'axis', 'number', 1);
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) fail(ctx, `axis ${axis} is out of range for rank ${r}`);
  const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  return reshapeValue(x, [prod(x.shape.slice(0, a)), prod(x.shape.slice(a))]);
}

function transpose(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const r = x.shape.length;
  const perm = attr(ctx, 'perm', 'numbers', range(0, r).reverse());
  if (x instanceof Tensor) return T.permute(x, perm);
  const outShape = perm.map((p) => x.shape[p]);
  const strides = x.shape.map((_, d) => x.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const index = selectIndex(outShape, outShape.map((d) => range(0, d)));
  // index enumerates output positions; map each to its source offset.
  const src = Int32Array.from(index, (flat) => {
    let rem = flat;
    let off = 0;
    outShape.forEach((_, i) => {
      const stride = outShape.slice(i + 1).reduce((a, b) => a * b, 1);
      off += Math.floor(rem / stride) * strides[perm[i]];
      rem %= stride;
    });
    return off;
  });
  return gatherFlat(x, src, outShape);
}

/** Axes from the second input (opset >= 13) or the `axes` attribute (older opsets). */
function axesOf(inputs: (Value | undefined)[], ctx: OpContext): number[] | null {
  if (inputs[1]) return intsOf(inputs[1], ctx, 'axes');
  const a = ctx.node.attrs.get('axes');
  return Array.isArray(a) ? (a as number[]) : null;
}

function unsqueeze(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx) ?? fail(ctx, 'axes are required');
  const r = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(a, r, ctx)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) shape.push(at.has(i) ? 1 : x.shape[j++]);
  return reshapeValue(x, shape);
}

function squeeze(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx);
  const drop = new Set(axes ? axes.map((a) => normAxis(a, x.shape.length, ctx)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.shape[a] !== 1) fail(ctx, `cannot squeeze axis ${a} of size ${x.shape[a]}`);
  return reshapeValue(x, x.shape.filter((_, i) => !drop.has(i)));
}

function gather(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const indices = input(inputs, 1, ctx);
  const ids = intsOf(indices, ctx, 'the indices');
  const axis = normAxis(attr(ctx, 'axis', 'number', 0), x.shape.length, ctx);
  const n = x.shape[axis];
  const wrapped = ids.map((i) => {
    const k = i < 0 ? i + n : i;
    if (k < 0 || k >= n) fail(ctx, `index ${i} is out of range for axis ${axis} of size ${n}`);
    return k;
  });
  const lists = x.shape.map((d, i) => (i === axis ? wrapped : range(0, d)));
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  return gatherFlat(x, selectIndex(x.shape, lists), outShape);
}

function slice(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const r = x.shape.length;
  const fromInputs = ctx.opset >= 10;
  const starts = fromInputs ? intsOf(input(inputs, 1, ctx), ctx, 'starts') : attr(ctx, 'starts', 'numbers', []);
  const ends = fromInputs ? intsOf(input(inputs, 2, ctx), ctx, 'ends') : attr(ctx, 'ends', 'numbers', []);
  const axes = (fromInputs ? inputs[3] && intsOf(inputs[3], ctx, 'axes') : attr(ctx, 'axes', 'numbers', [])) || range(0, starts.length);
  const steps = (fromInputs && inputs[4] && intsOf(inputs[4], ctx, 'steps')) || starts.map(() => 1);
  const lists = x.shape.map((d) => range(0, d));
  axes.forEach((axis, i) => {
    const a = normAxis(axis, r, ctx);
    const d = x.shape[a];
    const step = steps[i];
    if (step === 0) fail(ctx, 'a slice step cannot be 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    s = step > 0 ? clamp(s, 0, d) : clamp(s, 0, d - 1);
    e = step > 0 ? clamp(e, 0, d) : clamp(e, -1, d - 1);
    const picked: number[] = [];
    for (let k = s; step > 0 ? k < e : k > e; k += step) picked.push(k);
    lists[a] = picked;
  });
  return gatherFlat(x, selectIndex(x.shape, lists), lists.map((l) => l.length));
}

function concat(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const parts = inputs.filter((v): v is Value => v !== undefined);
  if (parts.length === 0) fail(ctx, 'needs at least one input');
  const r = parts[0].shape.length;
  const axis = normAxis(attr(ctx, 'axis', 'number', 0), r, ctx);
  parts.forEach((p, i) => {
    if (p.shape.length !== r || p.shape.some((d, j) => j !== axis && d !== parts[0].shape[j])) {
      fail(ctx, `input ${i} has shape [${p.shape}], which does not fit [${parts[0].shape}] along axis ${axis}`);
    }
  });
  const outShape = [...parts[0].shape];
  outShape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  let offset = 0;
  const positions = parts.map((p) => {
    const lists = p.shape.map((d, j) => (j === axis ? range(offset, offset + d) : range(0, d)));
    offset += p.shape[axis];
    return selectIndex(outShape, lists);
  });
  if (parts.every((p) => p instanceof IntTensor)) {
    const out = new Array<number>(outShape.reduce((a, b) => a * b, 1));
    parts.forEach((p, i) => positions[i].forEach((pos, j) => (out[pos] = (p as IntTensor).data[j])));
    return new IntTensor(out, outShape);
  }
  // Each part placed into the output by its adjoint gather (scatterAdd), then summed.
  return parts.map((p, i) => T.scatterAdd(floatOf(p, ctx), positions[i], outShape)).reduce((a, b) => T.add(a, b));
}

function shape(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const s = input(inputs, 0, ctx).shape;
  const r = s.length;
  const norm = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = norm(attr(ctx, 'start', 'number', 0));
  const end = norm(attr(ctx, 'end', 'number', r));
  const dims = s.slice(start, end);
  return new IntTensor(dims, [dims.length]);
}

function constant(_: (Value | undefined)[], ctx: OpContext): Value {
  const a = ctx.node.attrs;
  const t = a.get('value');
  if (t !== undefined) return constantValue(t as OnnxConstant, ctx.dtype);
  const f = a.get('value_float');
  if (typeof f === 'number') return constantValue({ kind: 'float', shape: [], data: Float64Array.of(f) }, ctx.dtype);
  const fs = a.get('value_floats');
  if (Array.isArray(fs)) return constantValue({ kind: 'float', shape: [fs.length], data: Float64Array.from(fs as number[]) }, ctx.dtype);
  const i = a.get('value_int');
  if (typeof i === 'number') return new IntTensor([i], []);
  const is = a.get('value_ints');
  if (Array.isArray(is)) return new IntTensor(is as number[], [is.length]);
  return fail(ctx, 'only value, value_float(s) and value_int(s) constants are supported');
}

function constantOfShape(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const dims = intsOf(input(inputs, 0, ctx), ctx, 'the shape');
  const v = ctx.node.attrs.get('value') as OnnxConstant | undefined;
  const size = dims.reduce((a, b) => a * b, 1);
  const fill = v ? v.data[0] : 0;
  if (v?.kind === 'int') return new IntTensor(Array<number>(size).fill(fill), dims);
  return constantValue({ kind: 'float', shape: dims, data: new Float64Array(size).fill(fill) }, ctx.dtype);
}

/** Constant zero padding (torch's exporter pads before some pooling), as a scatter into zeros. */
function pad(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = floatOf(input(inputs, 0, ctx), ctx);
  const mode = ctx.node.attrs.get('mode') ?? 'constant';
  if (mode !== 'constant') fail(ctx, `pad mode "${String(mode)}" is not supported (only constant)`);
  const pads = ctx.opset >= 11 ? intsOf(input(inputs, 1, ctx), ctx, 'pads') : attr(ctx, 'pads', 'numbers', []);
  const fill = ctx.opset >= 11 ? (inputs[2] ? intsOrValue(inputs[2], ctx) : 0) : attr(ctx, 'value', 'number', 0);
  if (ctx.opset >= 18 && inputs[3]) fail(ctx, 'the axes input is not supported');
  const r = x.rank;
  if (pads.length !== 2 * r) fail(ctx, `expects ${2 * r} pads for rank ${r}, got [${pads}]`);
  if (pads.some((p) => p < 0)) fail(ctx, `negative pads [${pads}] are not supported`);
  if (fill !== 0) fail(ctx, `only zero padding is supported, got value ${fill}`);
  if (pads.every((p) => p === 0)) return x;
  const outShape = x.shape.map((d, i) => d + pads[i] + pads[i + r]);
  return T.scatterAdd(x, selectIndex(outShape, x.shape.map((d, i) => range(pads[i], pads[i] + d))), outShape);
}

function intsOrValue(v: Value, ctx: OpContext): number {
  if (v instanceof IntTensor) return v.data[0];
  if (v.tracked) fail(ctx, 'the pad value must be a constant');
  return v.data[0];
}

export const layoutConverters: Record<string, Converter> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Gather: gather,
  Slice: slice,
  Concat: concat,
  Shape: shape,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Pad: pad,
};
