import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemmNaive, gemmTs } from '../../src/tensor/kernels/gemm.js';
import { Rng } from '../../src/tensor/index.js';

test('blocked gemm equals the reference triple loop for every transpose, odd sizes and block edges', () => {
  const rng = new Rng(5);
  // Sizes straddle the 4x4 register tile and the 128/256/512 cache blocks.
  for (const [m, n, k] of [[1, 1, 1], [5, 3, 7], [37, 29, 301], [130, 9, 257], [4, 515, 3]]) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const A = Float64Array.from({ length: m * k }, () => rng.normal());
        const B = Float64Array.from({ length: k * n }, () => rng.normal());
        const C0 = Float64Array.from({ length: m * n }, () => rng.normal());
        const C1 = Float64Array.from(C0);
        const C2 = Float64Array.from(C0);
        gemmTs(ta, tb, m, n, k, 0.7, A, 0, ta ? m : k, B, 0, tb ? k : n, 0.3, C1, 0, n);
        gemmNaive(ta, tb, m, n, k, 0.7, A, 0, ta ? m : k, B, 0, tb ? k : n, 0.3, C2, 0, n);
        let err = 0;
        for (let i = 0; i < m * n; i++) err = Math.max(err, Math.abs(C1[i] - C2[i]));
        assert.ok(err < 1e-12 * Math.sqrt(k), `m=${m} n=${n} k=${k} ta=${ta} tb=${tb}: ${err}`);
      }
    }
  }
});

test('gemm honours offsets and leading dimensions (sub-matrices)', () => {
  const rng = new Rng(6);
  const A = Float64Array.from({ length: 10 * 12 }, () => rng.normal());
  const B = Float64Array.from({ length: 12 * 8 }, () => rng.normal());
  const C1 = new Float64Array(9 * 9);
  const C2 = new Float64Array(9 * 9);
  gemmTs(false, false, 4, 5, 6, 1, A, 13, 12, B, 2, 8, 0, C1, 10, 9);
  gemmNaive(false, false, 4, 5, 6, 1, A, 13, 12, B, 2, 8, 0, C2, 10, 9);
  assert.deepEqual(Array.from(C1).map((v) => v.toFixed(12)), Array.from(C2).map((v) => v.toFixed(12)));
});
