import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemmTs } from '../../src/tensor/kernels/gemm.js';
import { declareConstant, gemmWasm } from '../../src/tensor/kernels/gemmWasm.js';
import { Rng, randn } from '../../src/tensor/index.js';

// gemm keeps the packed blocks of a left operand declared constant (an evaluation set). Reusing
// them must give the same bits as packing afresh, for every block, offset and transpose.

const rng = new Rng(5);

for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  test(`a declared-constant left operand gives gemmTs's bits on every reuse (transA ${transA}, transB ${transB})`, () => {
    // m > MC and k > KC: several row blocks and depth blocks, with ragged edges; A at an offset.
    const m = 133, k = 301, off = 7;
    const lda = transA ? m : k;
    const A = randn([off + m * k], rng).data as Float64Array;
    declareConstant(A);
    for (const n of [5, 64, 3]) {
      const B = randn([k * n], rng).data;
      const ldb = transB ? k : n;
      const want = new Float64Array(m * n);
      gemmTs(transA, transB, m, n, k, 0.7, A, off, lda, B, 0, ldb, 0, want, 0, n);
      for (let rep = 0; rep < 2; rep++) {
        const got = new Float64Array(m * n);
        gemmWasm(transA, transB, m, n, k, 0.7, A, off, lda, B, 0, ldb, 0, got, 0, n);
        assert.deepEqual(Array.from(got), Array.from(want), `n ${n}, call ${rep + 1}`);
      }
    }
    // The same array read with another offset or layout is packed separately, not confused.
    const B = randn([k * 4], rng).data;
    const want = new Float64Array((m - 1) * 4);
    gemmTs(transA, false, m - 1, 4, k, 1, A, off + 1, lda, B, 0, 4, 0, want, 0, 4);
    const got = new Float64Array((m - 1) * 4);
    gemmWasm(transA, false, m - 1, 4, k, 1, A, off + 1, lda, B, 0, 4, 0, got, 0, 4);
    assert.deepEqual(Array.from(got), Array.from(want));
  });
}
