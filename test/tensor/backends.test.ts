import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemmNaive, gemmTs } from '../../src/tensor/kernels/gemm.js';
import { gemmWasm } from '../../src/tensor/kernels/gemmWasm.js';
import { gemmOpenblas, loadOpenblas } from '../../src/tensor/kernels/gemmOpenblas.js';
import { allocate, backendByName, Rng, type DType, type FloatArray } from '../../src/tensor/index.js';

type Gemm = typeof gemmTs;

// Sizes straddle the 4x4 tile and the 128/256/512 cache blocks; offsets and leading dimensions
// larger than the matrices exercise sub-matrix views.
const SHAPES = [[1, 1, 1], [5, 3, 7], [37, 29, 301], [130, 9, 257], [4, 515, 3], [129, 513, 260]];
const SCALARS: [number, number][] = [[1, 0], [0.7, 0.3], [-1.3, 1], [0, 0.5]];

interface Case { ta: boolean; tb: boolean; m: number; n: number; k: number; alpha: number; beta: number; dtype: DType }

function* cases(): Generator<Case> {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [m, n, k] of SHAPES) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const [alpha, beta] = SCALARS[(m + n + k + Number(ta) + 2 * Number(tb)) % SCALARS.length];
          yield { ta, tb, m, n, k, alpha, beta, dtype };
        }
      }
    }
  }
}

/** Runs gemm on freshly drawn operands placed at offsets inside larger buffers; returns C. */
function run(g: Gemm, c: Case, seed: number): FloatArray {
  const rng = new Rng(seed);
  const fill = (len: number) => {
    const a = allocate(c.dtype, len);
    for (let i = 0; i < len; i++) a[i] = rng.normal();
    return a;
  };
  const [aRows, aCols] = c.ta ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = c.tb ? [c.n, c.k] : [c.k, c.n];
  const lda = aCols + 3, ldb = bCols + 1, ldc = c.n + 2;
  const aOff = 5, bOff = 2, cOff = 7;
  const A = fill(aOff + aRows * lda);
  const B = fill(bOff + bRows * ldb);
  const C = fill(cOff + c.m * ldc);
  g(c.ta, c.tb, c.m, c.n, c.k, c.alpha, A, aOff, lda, B, bOff, ldb, c.beta, C, cOff, ldc);
  return C;
}

const label = (c: Case) => `${c.dtype} ${c.m}x${c.n}x${c.k} ta=${c.ta} tb=${c.tb} alpha=${c.alpha} beta=${c.beta}`;

test('the WASM SIMD gemm is bit-identical to the TypeScript gemm (shapes, transposes, offsets, float64 and float32)', () => {
  let seed = 1;
  for (const c of cases()) {
    seed++;
    const ts = run(gemmTs, c, seed);
    const wasm = run(gemmWasm, c, seed);
    for (let i = 0; i < ts.length; i++) {
      if (!Object.is(ts[i], wasm[i])) assert.fail(`${label(c)}: entry ${i} differs: ${ts[i]} vs ${wasm[i]}`);
    }
  }
});

test('the WASM gemm equals the reference triple loop to rounding', () => {
  const c: Case = { ta: true, tb: false, m: 37, n: 29, k: 301, alpha: 0.7, beta: 0.3, dtype: 'float64' };
  const wasm = run(gemmWasm, c, 3);
  const ref = run(gemmNaive, c, 3);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(wasm[i] - ref[i]) < 1e-12, `entry ${i}`);
});

const openblas = loadOpenblas();
test('the OpenBLAS gemm is within 1e-12 of the TypeScript gemm', { skip: typeof openblas === 'string' ? openblas : false }, () => {
  let seed = 100;
  for (const c of cases()) {
    seed++;
    const ts = run(gemmTs, c, seed);
    const nat = run(gemmOpenblas, c, seed);
    const tol = c.dtype === 'float64' ? 1e-12 : 0; // float32 falls back to gemmTs
    for (let i = 0; i < ts.length; i++) {
      const scale = Math.max(1, Math.abs(ts[i]));
      if (!(Math.abs(ts[i] - nat[i]) <= tol * scale)) assert.fail(`${label(c)}: entry ${i}: ${ts[i]} vs ${nat[i]}`);
    }
  }
});

test('the OpenBLAS addon rejects out-of-range operands instead of touching memory', { skip: typeof openblas === 'string' ? openblas : false }, () => {
  const a = loadOpenblas();
  if (typeof a === 'string') return;
  const A = new Float64Array(6), B = new Float64Array(6), C = new Float64Array(3);
  assert.throws(() => a.dgemm(false, false, 2, 2, 3, 1, A, 0, 3, B, 0, 2, 0, C, 0, 2), /out of range/);
  assert.throws(() => a.dgemm(false, false, 2, 2, 3, 1, A, 0, 3, new Float32Array(6) as unknown as Float64Array, 0, 2, 0, C, 0, 2), /Float64Array/);
});

test('back-ends are chosen by name; unknown names and unavailable back-ends say why', () => {
  assert.equal((backendByName('ts') as { name: string }).name, 'typescript');
  assert.equal((backendByName('wasm') as { name: string }).name, 'wasm');
  assert.match(backendByName('cuda') as string, /unknown back-end 'cuda'/);
  const ob = backendByName('openblas');
  if (typeof ob === 'string') assert.match(ob, /OpenBLAS addon/);
  else assert.equal(ob.name, 'openblas');
});

test('WASM and TypeScript gemm agree on signed zeros (beta 0, negative alpha, zero products)', () => {
  for (const k of [3, 300]) {
    const A = new Float64Array(2 * k); // zeros
    const B = Float64Array.from({ length: k * 5 }, (_, i) => i + 1);
    const C1 = new Float64Array(10).fill(-0);
    const C2 = Float64Array.from(C1);
    gemmTs(false, false, 2, 5, k, -1.3, A, 0, k, B, 0, 5, 0, C1, 0, 5);
    gemmWasm(false, false, 2, 5, k, -1.3, A, 0, k, B, 0, 5, 0, C2, 0, 5);
    assert.ok(C1.every((v, i) => Object.is(v, C2[i])), `k=${k}: ${Array.from(C1)} vs ${Array.from(C2)}`);
    assert.ok(C1.every((v) => Object.is(v, 0)), 'gemmTs gives +0 here');
  }
});
