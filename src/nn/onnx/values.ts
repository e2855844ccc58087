import { allocate, broadcastShapes, fromData, Tensor, type DType } from '../../tensor/index.js';
import * as T from '../../autodiff/index.js';
import type { AttrValue, OnnxConstant, OnnxNode } from './proto.js';

// What flows along the graph's edges: a float Tensor (differentiable, in the run's dtype) or an
// IntTensor, a small integer constant (shapes, axes, indices) computed eagerly while the graph
// runs, as torch's exporter derives them from Shape nodes.

export class IntTensor {
  constructor(readonly data: number[], readonly shape: number[]) {}
  get size(): number {
    return this.data.length;
  }
}

export type Value = Tensor | IntTensor;

/** What a converter sees besides its inputs. */
export interface OpContext {
  node: OnnxNode;
  dtype: DType;
  opset: number;
}

/** One ONNX op type mapped onto stagecredit's differentiable ops. */
export type Converter = (inputs: (Value | undefined)[], ctx: OpContext) => Value | (Value | undefined)[];

export class OnnxOpError extends Error {
  constructor(node: OnnxNode, problem: string) {
    super(`ONNX node "${node.name}" (${node.opType}): ${problem}`);
    this.name = 'OnnxOpError';
  }
}

export function fail(ctx: OpContext, problem: string): never {
  throw new OnnxOpError(ctx.node, problem);
}

export function constantValue(c: OnnxConstant, dtype: DType): Value {
  if (c.kind === 'int') return new IntTensor(c.data as number[], c.shape);
  const data = allocate(dtype, c.data.length);
  data.set(c.data);
  return fromData(data, c.shape);
}

/** The i-th input, required. */
export function input(inputs: (Value | undefined)[], i: number, ctx: OpContext): Value {
  const v = inputs[i];
  if (!v) fail(ctx, `input ${i} is missing`);
  return v;
}

export function floatOf(v: Value, ctx: OpContext): Tensor {
  if (v instanceof Tensor) return v;
  const data = allocate(ctx.dtype, v.size);
  data.set(v.data);
  return fromData(data, v.shape);
}

export function floatInput(inputs: (Value | undefined)[], i: number, ctx: OpContext): Tensor {
  return floatOf(input(inputs, i, ctx), ctx);
}

/** Integer values of a constant input (axes, shapes, indices); a trained value cannot be one. */
export function intsOf(v: Value, ctx: OpContext, what: string): number[] {
  if (v instanceof IntTensor) return v.data;
  if (v.tracked || v.tangent) fail(ctx, `${what} must be a constant, but it depends on the parameters`);
  return Array.from(v.data, (x) => Math.trunc(x));
}

export function shapeOf(v: Value): number[] {
  return [...v.shape];
}

export function attr<K extends 'number' | 'numbers'>(ctx: OpContext, name: string, kind: K, fallback: K extends 'number' ? number : number[]): K extends 'number' ? number : number[] {
  const v: AttrValue | undefined = ctx.node.attrs.get(name);
  if (v === undefined) return fallback;
  if (kind === 'number' && typeof v !== 'number') fail(ctx, `attribute ${name} must be a number`);
  if (kind === 'numbers' && !Array.isArray(v)) fail(ctx, `attribute ${name} must be a list of numbers`);
  return v as K extends 'number' ? number : number[];
}

export function normAxis(axis: number, rank: number, ctx: OpContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(ctx, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Flat source indices of the row-major product of per-axis index lists: the index map of any
 * selection (Slice, Gather, a Concat part). lists[d] holds positions along axis d of `shape`.
 */
export function selectIndex(shape: readonly number[], lists: readonly (readonly number[])[]): Int32Array {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  let idx: number[] = [0];
  lists.forEach((list, d) => {
    const next: number[] = [];
    for (const base of idx) for (const p of list) next.push(base + p * strides[d]);
    idx = next;
  });
  return Int32Array.from(idx);
}

export const range = (start: number, end: number): number[] => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);

/** out.flat[i] = v.flat[index[i]], differentiable for floats, eager for integers. */
export function gatherFlat(v: Value, index: Int32Array, outShape: number[]): Value {
  if (v instanceof IntTensor) return new IntTensor(Array.from(index, (i) => v.data[i]), outShape);
  return T.take(v, index, outShape);
}

/** Integer elementwise arithmetic with broadcasting, for shape computations. */
export function intBinary(a: IntTensor, b: IntTensor, f: (x: number, y: number) => number, ctx: OpContext): IntTensor {
  let shape: number[];
  try {
    shape = broadcastShapes(ctx.node.opType, a.shape, b.shape);
  } catch (e) {
    fail(ctx, (e as Error).message);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  const at = (t: IntTensor) => {
    const lead = shape.length - t.shape.length;
    const lists = shape.map((d, i) => (i < lead ? Array<number>(d).fill(0) : t.shape[i - lead] === 1 ? Array<number>(d).fill(0) : range(0, d)));
    return selectIndex([...Array<number>(lead).fill(1), ...t.shape], lists);
  };
  const ia = at(a);
  const ib = at(b);
  return new IntTensor(Array.from({ length: size }, (_, i) => f(a.data[ia[i]], b.data[ib[i]])), shape);
}
