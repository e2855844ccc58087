import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';

/** Elementwise |a - e| <= tol * max(1, |e|). */
export function assertClose(actual: Tensor | ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  const a = 'data' in actual ? actual.data : actual;
  assert.equal(a.length, expected.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const e = expected[i];
    assert.ok(Math.abs(a[i] - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: got ${a[i]}, expected ${e} (diff ${a[i] - e})`);
  }
}

/** Pairwise assertClose over two lists of tensors. */
export function assertListClose(actual: readonly Tensor[], expected: readonly Tensor[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: list length`);
  actual.forEach((t, i) => {
    assert.deepEqual(t.shape, expected[i].shape, `${what}[${i}]: shape`);
    assertClose(t, expected[i].data, tol, `${what}[${i}]`);
  });
}
