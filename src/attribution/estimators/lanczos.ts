import type { Tensor } from '../../tensor/index.js';
import { dotLists, lincomb, normList, scaleList, zerosLike } from '../vectors.js';

/** An orthonormal Krylov basis Q = [q_0 .. q_{m-1}] of a symmetric operator and T = Q^T H Q (tridiagonal). */
export interface KrylovBasis {
  Q: Tensor[][];
  /** Diagonal of T. */
  alpha: number[];
  /** Off-diagonal of T (length m - 1). */
  beta: number[];
}

/**
 * Lanczos from `start` with full reorthogonalisation (m is small, so stability is cheap to buy).
 * Stops early when the Krylov space is exhausted. Costs one operator application per vector.
 */
export function lanczos(apply: (v: Tensor[]) => Tensor[], start: Tensor[], m: number): KrylovBasis {
  const n0 = normList(start);
  if (n0 === 0 || m <= 0) return { Q: [], alpha: [], beta: [] };
  const Q: Tensor[][] = [scaleList(start, 1 / n0)];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let i = 0; i < m; i++) {
    let w = apply(Q[i]);
    alpha.push(dotLists(w, Q[i]));
    // Twice-is-enough Gram-Schmidt against every basis vector.
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        const c = dotLists(w, q);
        w = w.map((x, k) => lincomb(1, x, -c, q[k]));
      }
    }
    if (i === m - 1) break;
    const b = normList(w);
    if (b <= 1e-10 * Math.max(Math.abs(alpha[i]), 1)) break;
    beta.push(b);
    Q.push(scaleList(w, 1 / b));
  }
  return { Q, alpha, beta };
}

/** T c for the tridiagonal T of a basis. */
export function tridiagMul(alpha: number[], beta: number[], c: Float64Array): Float64Array {
  const m = alpha.length;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    out[i] = alpha[i] * c[i] + (i > 0 ? beta[i - 1] * c[i - 1] : 0) + (i + 1 < m ? beta[i] * c[i + 1] : 0);
  }
  return out;
}

/** Coordinates of v in the basis Q: Q^T v. */
export const projectOnto = (Q: Tensor[][], v: Tensor[]): Float64Array => Float64Array.from(Q, (q) => dotLists(q, v));

/** Q c, shaped like `like`. */
export const expandIn = (Q: Tensor[][], c: Float64Array, like: Tensor[]): Tensor[] =>
  like.map((t, k) => Q.reduce((acc, q, i) => lincomb(1, acc, c[i], q[k]), zerosLike(t)));

/** v = Q c + v_perp: its coordinates in span(Q) and the part the Krylov model leaves outside it. */
export function splitOnBasis(Q: Tensor[][], v: Tensor[]): { coords: Float64Array; perp: Tensor[] } {
  const coords = projectOnto(Q, v);
  const inQ = expandIn(Q, coords, v);
  return { coords, perp: v.map((t, k) => lincomb(1, t, -1, inQ[k])) };
}
