/** Element types. float64 is the default everywhere correctness is checked; float32 is a speed option. */
export type DType = 'float64' | 'float32';
export type FloatArray = Float64Array | Float32Array;

export const DEFAULT_DTYPE: DType = 'float64';

export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}
