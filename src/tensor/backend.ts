import type { DType, FloatArray } from './dtype.js';
import { gemmTs } from './kernels/gemm.js';
import { col2imTs, im2colTs, type Conv2dGeometry } from './kernels/conv.js';
import { sumKernel } from './kernels/elementwise.js';
import type { Shape } from './shape.js';

/**
 * The heavy kernels, behind one interface so a faster back-end (native BLAS, workers) can replace
 * them without touching callers. Everything else is cheap enough to stay in plain TypeScript.
 */
export interface Backend {
  readonly name: string;
  /** C = alpha * op(A) op(B) + beta * C, row-major; see gemmTs for the exact contract. */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    A: FloatArray, aOff: number, lda: number, B: FloatArray, bOff: number, ldb: number,
    beta: number, C: FloatArray, cOff: number, ldc: number,
  ): void;
  im2col(x: FloatArray, g: Conv2dGeometry, out: FloatArray): void;
  col2im(cols: FloatArray, g: Conv2dGeometry, out: FloatArray): void;
  /** Sum over `axes` (sorted, unique), keeping reduced axes as size 1. */
  sum(x: FloatArray, shape: Shape, axes: readonly number[], dtype: DType): FloatArray;
}

export const typescriptBackend: Backend = {
  name: 'typescript',
  gemm: gemmTs,
  im2col: im2colTs,
  col2im: col2imTs,
  sum: sumKernel,
};

let active: Backend = typescriptBackend;

export function getBackend(): Backend {
  return active;
}

/** Swaps the kernel back-end; returns the previous one so callers can restore it. */
export function setBackend(b: Backend): Backend {
  const prev = active;
  active = b;
  return prev;
}
