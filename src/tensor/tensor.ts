import { allocate, dtypeOf, DEFAULT_DTYPE, type DType, type FloatArray } from './dtype.js';
import { checkShape, ShapeError, shapeStr, sizeOf, type Shape } from './shape.js';

/** How a tensor was produced, for reverse mode: the op's inputs and its vector-Jacobian rule. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * Cotangent of the output -> cotangents of the inputs (null: no dependence, or not needed).
   * `needs[i]` false: input i leads to nothing being differentiated, so its cotangent may be skipped.
   */
  vjp(g: Tensor, needs: readonly boolean[]): (Tensor | null)[];
  /** Tangents of the inputs (null = zero; at least one set) -> tangent of the output (used by linearize). */
  jvp(tangents: readonly (Tensor | null)[]): Tensor;
}

/**
 * A dense row-major array. Data is never mutated after construction, so reshapes share it.
 * The autodiff fields (node, requiresGrad, tangent) are filled in by src/autodiff.
 */
export class Tensor {
  readonly data: FloatArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** A leaf that reverse mode differentiates with respect to. */
  requiresGrad = false;
  /** Set on outputs of recorded ops. */
  node: GradNode | null = null;
  /** Forward-mode tangent, valid only while `tangentLevel` is the active jvp level. */
  tangent: Tensor | null = null;
  tangentLevel = -1;

  constructor(data: FloatArray, shape: Shape) {
    checkShape(shape, 'tensor');
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError('tensor', `data of length ${data.length} does not fit shape ${shapeStr(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Part of a reverse-mode computation (a leaf that requires grad, or derived from one). */
  get tracked(): boolean {
    return this.requiresGrad || this.node !== null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new ShapeError('item', `tensor of shape ${shapeStr(this.shape)} is not a scalar`);
    return this.data[0];
  }

  toArray(): number[] {
    return Array.from(this.data);
  }

  toString(): string {
    const head = Array.from(this.data.subarray(0, 6), (v) => v.toPrecision(4)).join(', ');
    return `Tensor(${shapeStr(this.shape)}, ${this.dtype}, [${head}${this.size > 6 ? ', …' : ''}])`;
  }
}

export function fromData(data: FloatArray, shape: Shape): Tensor {
  return new Tensor(data, shape);
}

export function zeros(shape: Shape, dtype: DType = DEFAULT_DTYPE): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape);
}

export function full(shape: Shape, value: number, dtype: DType = DEFAULT_DTYPE): Tensor {
  const d = allocate(dtype, sizeOf(shape));
  d.fill(value);
  return new Tensor(d, shape);
}

export function ones(shape: Shape, dtype: DType = DEFAULT_DTYPE): Tensor {
  return full(shape, 1, dtype);
}

export function scalar(value: number, dtype: DType = DEFAULT_DTYPE): Tensor {
  return full([], value, dtype);
}

/** Builds a tensor from nested JS arrays or a flat array plus shape. */
export function tensor(values: number | ArrayLike<number> | NestedArray, shape?: Shape, dtype: DType = DEFAULT_DTYPE): Tensor {
  if (typeof values === 'number') return scalar(values, dtype);
  const flat: number[] = [];
  const inferred: number[] = [];
  flatten(values as NestedArray, 0, flat, inferred);
  const s = shape ?? inferred;
  const d = allocate(dtype, flat.length);
  d.set(flat);
  return new Tensor(d, s);
}

export type NestedArray = number[] | NestedArray[] | ArrayLike<number>;

function flatten(v: NestedArray, depth: number, out: number[], shape: number[]): void {
  const len = v.length;
  if (shape.length === depth) shape.push(len);
  else if (shape[depth] !== len) throw new ShapeError('tensor', `ragged nested array at depth ${depth}`);
  for (let i = 0; i < len; i++) {
    const e = (v as ArrayLike<unknown>)[i];
    if (typeof e === 'number') out.push(e);
    else flatten(e as NestedArray, depth + 1, out, shape);
  }
}
