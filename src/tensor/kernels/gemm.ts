import type { FloatArray } from '../dtype.js';

// Cache-blocked GEMM with a 4x4 register tile, in the GotoBLAS shape: pack a KCxNC panel of
// op(B) and an MCxKC block of op(A) into contiguous buffers (this also absorbs transposes), then
// run a micro-kernel whose 16 accumulators stay in registers. Packing buffers are Float64 so
// float32 inputs accumulate in double precision.
export const MR = 4;
const NR = 4;
export const KC = 256;
export const MC = 128;
export const NC = 512;

// A block needs at most ceil(MC/MR)*MR*KC entries and a B panel ceil(NC/NR)*NR*KC (MC, NC are
// multiples of MR, NR), so the buffers never grow.
const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);

/**
 * C[m x n] = alpha * op(A) * op(B) + beta * C, row-major with leading dimensions.
 * op(A) is m x k (A stored k x m when transA); op(B) is k x n (B stored n x k when transB).
 */
export function gemmTs(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  beta: number, C: FloatArray, cOff: number, ldc: number,
): void {
  scaleC(beta, m, n, C, cOff, ldc);
  if (k === 0 || alpha === 0 || m === 0 || n === 0) return;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelB(packB, B, bOff, ldb, transB, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packBlockA(packA, A, aOff, lda, transA, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bBase = (jr / NR) * kc * NR;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, (ir / MR) * kc * MR, bBase, alpha, C, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr);
          }
        }
      }
    }
  }
}

/** C *= beta on the m x n block (beta 0 clears it, so NaNs in C do not survive). */
export function scaleC(beta: number, m: number, n: number, C: FloatArray, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) C.fill(0, row, row + n);
    else for (let j = 0; j < n; j++) C[row + j] *= beta;
  }
}

/** Packs rows ic..ic+mc, columns pc..pc+kc of op(A) into `pa` as zero-padded 4-row slivers. */
export function packBlockA(pa: Float64Array, A: FloatArray, aOff: number, lda: number, trans: boolean, ic: number, pc: number, mc: number, kc: number): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const base = (ir / MR) * kc * MR;
    const rows = Math.min(MR, mc - ir);
    if (trans && rows === MR) {
      // op(A) row i is A's column i: the sliver's 4 entries for one p are adjacent in A.
      let src = aOff + pc * lda + ic + ir;
      for (let p = 0, d = base; p < kc; p++, d += MR, src += lda) {
        pa[d] = A[src]; pa[d + 1] = A[src + 1]; pa[d + 2] = A[src + 2]; pa[d + 3] = A[src + 3];
      }
      continue;
    }
    if (rows === MR) {
      // Four rows of A read side by side, so the sliver is written in order.
      const r0 = aOff + (ic + ir) * lda + pc, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
      for (let p = 0, d = base; p < kc; p++, d += MR) {
        pa[d] = A[r0 + p]; pa[d + 1] = A[r1 + p]; pa[d + 2] = A[r2 + p]; pa[d + 3] = A[r3 + p];
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      const i = ic + ir + r;
      if (r >= rows) {
        for (let p = 0; p < kc; p++) pa[base + p * MR + r] = 0;
      } else if (trans) {
        for (let p = 0; p < kc; p++) pa[base + p * MR + r] = A[aOff + (pc + p) * lda + i];
      } else {
        const row = aOff + i * lda + pc;
        for (let p = 0; p < kc; p++) pa[base + p * MR + r] = A[row + p];
      }
    }
  }
}

/** Packs rows pc..pc+kc, columns jc..jc+nc of op(B) into `pb` as zero-padded 4-column slivers. */
export function packPanelB(pb: Float64Array, B: FloatArray, bOff: number, ldb: number, trans: boolean, pc: number, jc: number, kc: number, nc: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const base = (jr / NR) * kc * NR;
    const cols = Math.min(NR, nc - jr);
    if (!trans && cols === NR) {
      // op(B) row p is B's row p: the sliver's 4 entries for one p are adjacent in B.
      let src = bOff + pc * ldb + jc + jr;
      for (let p = 0, d = base; p < kc; p++, d += NR, src += ldb) {
        pb[d] = B[src]; pb[d + 1] = B[src + 1]; pb[d + 2] = B[src + 2]; pb[d + 3] = B[src + 3];
      }
      continue;
    }
    if (cols === NR) {
      // op(B) column j is B's row j: four rows of B read side by side.
      const r0 = bOff + (jc + jr) * ldb + pc, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
      for (let p = 0, d = base; p < kc; p++, d += NR) {
        pb[d] = B[r0 + p]; pb[d + 1] = B[r1 + p]; pb[d + 2] = B[r2 + p]; pb[d + 3] = B[r3 + p];
      }
      continue;
    }
    for (let c = 0; c < NR; c++) {
      const j = jc + jr + c;
      if (c >= cols) {
        for (let p = 0; p < kc; p++) pb[base + p * NR + c] = 0;
      } else if (trans) {
        const row = bOff + j * ldb + pc;
        for (let p = 0; p < kc; p++) pb[base + p * NR + c] = B[row + p];
      } else {
        for (let p = 0; p < kc; p++) pb[base + p * NR + c] = B[bOff + (pc + p) * ldb + j];
      }
    }
  }
}

function microKernel(kc: number, aBase: number, bBase: number, alpha: number, C: FloatArray, cIdx: number, ldc: number, mr: number, nr: number): void {
  const pa = packA;
  const pb = packB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aBase;
  let bi = bBase;
  for (let p = 0; p < kc; p++, ai += 4, bi += 4) {
    const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
    const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    let r = cIdx;
    C[r] += alpha * c00; C[r + 1] += alpha * c01; C[r + 2] += alpha * c02; C[r + 3] += alpha * c03; r += ldc;
    C[r] += alpha * c10; C[r + 1] += alpha * c11; C[r + 2] += alpha * c12; C[r + 3] += alpha * c13; r += ldc;
    C[r] += alpha * c20; C[r + 1] += alpha * c21; C[r + 2] += alpha * c22; C[r + 3] += alpha * c23; r += ldc;
    C[r] += alpha * c30; C[r + 1] += alpha * c31; C[r + 2] += alpha * c32; C[r + 3] += alpha * c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) C[cIdx + i * ldc + j] += alpha * tile[i * 4 + j];
}

/** Reference triple loop, for tests and as the definition gemmTs must match. */
export function gemmNaive(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  beta: number, C: FloatArray, cOff: number, ldc: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? A[aOff + p * lda + i] : A[aOff + i * lda + p];
        const b = transB ? B[bOff + j * ldb + p] : B[bOff + p * ldb + j];
        s += a * b;
      }
      const c = cOff + i * ldc + j;
      C[c] = alpha * s + (beta === 0 ? 0 : beta * C[c]);
    }
  }
}
