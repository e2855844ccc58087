import { Tensor, fromData } from '../../src/tensor/index.js';

/** Central finite differences of a scalar function along direction v, in float64. */
export function fdDirectional(f: (xs: Tensor[]) => number, xs: Tensor[], v: Tensor[], h = 1e-5): number {
  const shift = (s: number) => xs.map((x, i) => fromData(x.data.map((d, j) => d + s * v[i].data[j]) as Float64Array, x.shape));
  return (f(shift(h)) - f(shift(-h))) / (2 * h);
}

/** Central FD of a tensor-valued function along v: (f(x+hv) - f(x-hv)) / 2h, flattened. */
export function fdJvp(f: (xs: Tensor[]) => Tensor[], xs: Tensor[], v: Tensor[], h = 1e-5): Float64Array[] {
  const shift = (s: number) => xs.map((x, i) => fromData(x.data.map((d, j) => d + s * v[i].data[j]) as Float64Array, x.shape));
  const p = f(shift(h));
  const m = f(shift(-h));
  return p.map((t, i) => t.data.map((d, j) => (d - m[i].data[j]) / (2 * h)) as Float64Array);
}

/** Full FD gradient of a scalar function (one coordinate at a time). */
export function fdGrad(f: (xs: Tensor[]) => number, xs: Tensor[], h = 1e-5): Float64Array[] {
  return xs.map((x, i) => {
    const g = new Float64Array(x.size);
    for (let j = 0; j < x.size; j++) {
      const at = (s: number) => xs.map((y, k) => (k === i ? fromData(y.data.map((d, q) => (q === j ? d + s : d)) as Float64Array, y.shape) : y));
      g[j] = (f(at(h)) - f(at(-h))) / (2 * h);
    }
    return g;
  });
}

/** ||a - b|| / max(||b||, floor) over a list of arrays. */
export function relErr(a: ArrayLike<number>[], b: ArrayLike<number>[], floor = 1e-12): number {
  let num = 0;
  let den = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) {
      const d = x[j] - b[i][j];
      num += d * d;
      den += b[i][j] * b[i][j];
    }
  });
  return Math.sqrt(num) / Math.max(Math.sqrt(den), floor);
}
