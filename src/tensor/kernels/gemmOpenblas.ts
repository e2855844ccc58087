import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FloatArray } from '../dtype.js';
import { gemmTs } from './gemm.js';

// The optional native gemm: OpenBLAS's dgemm through the Node-API addon in native/, built at
// install only when libopenblas-dev is present. float32 operands keep gemmTs (which accumulates
// in float64); float64 results differ from gemmTs only in summation order (~1e-16 relative).

interface OpenblasAddon {
  dgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    A: Float64Array, aOff: number, lda: number, B: Float64Array, bOff: number, ldb: number,
    beta: number, C: Float64Array, cOff: number, ldc: number,
  ): void;
  setThreads(n: number): void;
  config(): string;
}

export const openblasAddonPath = fileURLToPath(new URL('../../../native/build/Release/stagecredit_openblas.node', import.meta.url));

let addon: OpenblasAddon | null = null;

/** The addon, or a reason it is not available. */
export function loadOpenblas(): OpenblasAddon | string {
  if (addon) return addon;
  if (!existsSync(openblasAddonPath)) {
    return 'the OpenBLAS addon is not built (install libopenblas-dev, then `node scripts/build-native.mjs`)';
  }
  try {
    addon = createRequire(import.meta.url)(openblasAddonPath) as OpenblasAddon;
    return addon;
  } catch (e) {
    return `the OpenBLAS addon does not load: ${(e as Error).message}`;
  }
}

export function gemmOpenblas(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  beta: number, C: FloatArray, cOff: number, ldc: number,
): void {
  if (addon && A instanceof Float64Array && B instanceof Float64Array && C instanceof Float64Array && k > 0) {
    addon.dgemm(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  } else {
    gemmTs(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  }
}
