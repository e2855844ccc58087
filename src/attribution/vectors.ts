import { allocate, fromData, type Tensor } from '../tensor/index.js';

// Plain arithmetic on parameter lists (no autodiff): the estimators' bookkeeping.

export function zerosLike(t: Tensor): Tensor {
  return fromData(allocate(t.dtype, t.size), t.shape);
}

/** a*x + b*y elementwise (y may be null: zero). */
export function lincomb(a: number, x: Tensor, b: number, y: Tensor | null): Tensor {
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  if (y) {
    const yd = y.data;
    for (let i = 0; i < out.length; i++) out[i] = a * xd[i] + b * yd[i];
  } else {
    for (let i = 0; i < out.length; i++) out[i] = a * xd[i];
  }
  return fromData(out, x.shape);
}

export function subLists(a: readonly Tensor[], b: readonly Tensor[]): Tensor[] {
  return a.map((x, i) => lincomb(1, x, -1, b[i]));
}

export function negList(a: readonly Tensor[]): Tensor[] {
  return a.map((x) => lincomb(-1, x, 0, null));
}

export function scaleList(a: readonly Tensor[], s: number): Tensor[] {
  return a.map((x) => lincomb(s, x, 0, null));
}

export function dotLists(a: readonly Tensor[], b: readonly Tensor[]): number {
  let s = 0;
  a.forEach((x, i) => {
    const xd = x.data;
    const yd = b[i].data;
    for (let j = 0; j < xd.length; j++) s += xd[j] * yd[j];
  });
  return s;
}

export function normList(a: readonly Tensor[]): number {
  return Math.sqrt(dotLists(a, a));
}
