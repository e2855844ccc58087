import { readFileSync } from 'node:fs';
import type { FloatArray } from '../dtype.js';
import { KC, MC, MR, NC, packBlockA, packPanelB, scaleC } from './gemm.js';

// gemmTs with its macro-kernel (the loops over 4x4 tiles of one packed block) in WebAssembly SIMD,
// from wasm/gemm.wat. Blocking, packing and the per-entry summation order are gemmTs's, so the
// results are bit-identical; only the arithmetic of the tiles runs two lanes at a time.

const A_AT = 0;
const B_AT = 262144;
const C_AT = 1310720;

interface GemmModule {
  macro(mc: number, nc: number, kc: number, alpha: number): void;
  packA: Float64Array;
  packB: Float64Array;
  cBlock: Float64Array;
}

/** The committed binary, wasm/gemm.wasm (rebuilt from gemm.wat by `npm run build:wasm`). */
export const gemmWasmPath = new URL('../../../wasm/gemm.wasm', import.meta.url);

let loaded: GemmModule | null = null;

/** Compiles and instantiates the module once (synchronously: it is 1 KB). Throws if the runtime lacks wasm SIMD. */
export function loadGemmWasm(): GemmModule {
  if (loaded) return loaded;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(gemmWasmPath)), {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  loaded = {
    macro: instance.exports.macro as GemmModule['macro'],
    packA: new Float64Array(memory.buffer, A_AT, MC * KC),
    packB: new Float64Array(memory.buffer, B_AT, KC * NC),
    cBlock: new Float64Array(memory.buffer, C_AT, MC * NC),
  };
  return loaded;
}

/** Same contract and same bits as gemmTs. */
export function gemmWasm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: FloatArray, aOff: number, lda: number,
  B: FloatArray, bOff: number, ldb: number,
  beta: number, C: FloatArray, cOff: number, ldc: number,
): void {
  const w = loaded ?? loadGemmWasm();
  // beta = 0 with a single k-block: C = 0 + alpha*(A B) is written directly (adding 0 keeps
  // gemmTs's bits, which turn -0 into +0), so C need not be cleared first.
  const direct = beta === 0 && k > 0 && k <= KC && alpha !== 0;
  if (!direct) scaleC(beta, m, n, C, cOff, ldc);
  if (k === 0 || alpha === 0 || m === 0 || n === 0) return;
  const cb = w.cBlock;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelB(w.packB, B, bOff, ldb, transB, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(w.packA, A, aOff, lda, transA, ic, pc, mc, kc);
        w.macro(mc, nc, kc, alpha);
        // The module leaves alpha * (this k-block's partial product); gemmTs adds the same values.
        for (let i = 0; i < mc; i++) {
          const row = cOff + (ic + i) * ldc + jc;
          const src = i * NC;
          if (direct) for (let j = 0; j < nc; j++) C[row + j] = 0 + cb[src + j];
          else for (let j = 0; j < nc; j++) C[row + j] += cb[src + j];
        }
      }
    }
  }
}

// Packed blocks of arrays declared never to change (an evaluation set read by one forward pass per
// stage embedding): packed once, then copied into place, the same values either way.
const constants = new WeakMap<FloatArray, Map<string, Float64Array>>();

/**
 * Declares that `a` will never be written again, so gemm may keep its packed blocks when it is the
 * left operand. Only for arrays whose owner guarantees that (a data set's examples).
 */
export function declareConstant(a: FloatArray): void {
  if (!constants.has(a)) constants.set(a, new Map());
}

function packA(pa: Float64Array, A: FloatArray, aOff: number, lda: number, trans: boolean, ic: number, pc: number, mc: number, kc: number): void {
  const cache = constants.get(A);
  if (!cache) return packBlockA(pa, A, aOff, lda, trans, ic, pc, mc, kc);
  const key = `${aOff},${lda},${trans ? 1 : 0},${ic},${pc},${mc},${kc}`;
  const hit = cache.get(key);
  if (hit) return pa.set(hit);
  packBlockA(pa, A, aOff, lda, trans, ic, pc, mc, kc);
  cache.set(key, pa.slice(0, Math.ceil(mc / MR) * MR * kc));
}
