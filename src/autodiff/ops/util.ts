import { allocate, type DType } from '../../tensor/dtype.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

export type TensorLike = Tensor | number;

/** A number becomes an untracked scalar of the other operand's dtype. */
export function lift(x: TensorLike, dtype: DType): Tensor {
  if (typeof x !== 'number') return x;
  const d = allocate(dtype, 1);
  d[0] = x;
  return new Tensor(d, []);
}

export function dtypeOfPair(op: string, a: TensorLike, b: TensorLike): DType {
  if (typeof a === 'number') return typeof b === 'number' ? 'float64' : b.dtype;
  if (typeof b !== 'number' && a.dtype !== b.dtype) {
    throw new TypeError(`${op}: dtype mismatch, ${a.dtype} ${shapeStr(a.shape)} vs ${b.dtype} ${shapeStr(b.shape)}`);
  }
  return a.dtype;
}
