import type { DType, FloatArray } from './dtype.js';
import { gemmTs } from './kernels/gemm.js';
import { gemmOpenblas, loadOpenblas } from './kernels/gemmOpenblas.js';
import { gemmWasm, loadGemmWasm } from './kernels/gemmWasm.js';
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

/** gemm in WebAssembly SIMD (wasm/gemm.wat): bit-identical to the TypeScript back-end. */
export const wasmBackend: Backend = { ...typescriptBackend, name: 'wasm', gemm: gemmWasm };

/** float64 gemm from the system's OpenBLAS (optional native addon): within ~1e-16 relative of the others. */
export const openblasBackend: Backend = { ...typescriptBackend, name: 'openblas', gemm: gemmOpenblas };

export type BackendName = 'typescript' | 'wasm' | 'openblas';
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'typescript', 'openblas'];

/** The back-end by name, or why it cannot run here. ('ts' is accepted for 'typescript'.) */
export function backendByName(name: string): Backend | string {
  switch (name) {
    case 'ts':
    case 'typescript':
      return typescriptBackend;
    case 'wasm':
      try {
        loadGemmWasm();
        return wasmBackend;
      } catch (e) {
        return `WebAssembly SIMD gemm unavailable: ${(e as Error).message}`;
      }
    case 'openblas': {
      const a = loadOpenblas();
      return typeof a === 'string' ? a : openblasBackend;
    }
    default:
      return `unknown back-end '${name}' (choose ${BACKEND_NAMES.join(', ')})`;
  }
}

/** The back-ends that run on this machine, the default first. */
export function availableBackends(): Backend[] {
  return BACKEND_NAMES.map(backendByName).filter((b): b is Backend => typeof b !== 'string');
}

/**
 * STAGECREDIT_BACKEND (typescript|ts|wasm|openblas) if set; it must be usable, since a silent
 * fallback would misreport what ran. Unset: wasm, or typescript where wasm SIMD is missing.
 */
function initialBackend(): Backend {
  const want = process.env.STAGECREDIT_BACKEND;
  if (want) {
    const b = backendByName(want);
    if (typeof b === 'string') throw new Error(`STAGECREDIT_BACKEND=${want}: ${b}`);
    return b;
  }
  const w = backendByName('wasm');
  return typeof w === 'string' ? typescriptBackend : w;
}

// Chosen on first use, so a bad STAGECREDIT_BACKEND surfaces as an ordinary error where it is used.
let active: Backend | null = null;

export function getBackend(): Backend {
  return (active ??= initialBackend());
}

/** Swaps the kernel back-end; returns the previous one so callers can restore it. */
export function setBackend(b: Backend): Backend {
  const prev = getBackend();
  active = b;
  return prev;
}
