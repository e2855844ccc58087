import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classCounts, gaussianBlobs, twoMoons, xorData } from '../../src/data/index.js';

test('gaussianBlobs: shape, balanced labels, centres near radius sep, determinism', () => {
  const ds = gaussianBlobs({ n: 600, dim: 5, numClasses: 3, seed: 1, sep: 4 });
  assert.deepEqual(ds.featureShape, [5]);
  assert.equal(ds.x.length, 3000);
  assert.deepEqual(classCounts(ds), [200, 200, 200]);
  for (let c = 0; c < 3; c++) {
    const mean = new Array<number>(5).fill(0);
    for (let i = 0; i < ds.n; i++) if (ds.y[i] === c) for (let j = 0; j < 5; j++) mean[j]! += ds.x[i * 5 + j]! / 200;
    const radius = Math.hypot(...mean);
    assert.ok(Math.abs(radius - 4) < 0.5, `class ${c} centre radius ${radius}`);
  }
  const again = gaussianBlobs({ n: 600, dim: 5, numClasses: 3, seed: 1, sep: 4 });
  assert.deepEqual(again.x, ds.x);
  assert.deepEqual(again.y, ds.y);
  assert.notDeepEqual(gaussianBlobs({ n: 600, dim: 5, numClasses: 3, seed: 2, sep: 4 }).x, ds.x);
  assert.throws(() => gaussianBlobs({ n: 10, dim: 0, numClasses: 2, seed: 1 }), /dim/);
});

test('twoMoons: 2-d, balanced, determinism', () => {
  const ds = twoMoons({ n: 101, seed: 3 });
  assert.deepEqual(ds.featureShape, [2]);
  assert.deepEqual(classCounts(ds), [51, 50]);
  assert.deepEqual(twoMoons({ n: 101, seed: 3 }).x, ds.x);
  assert.notDeepEqual(twoMoons({ n: 101, seed: 4 }).x, ds.x);
});

test('xorData: label is 1 exactly when the coordinates have opposite signs', () => {
  const ds = xorData({ n: 200, seed: 5, margin: 0.2 });
  assert.deepEqual(classCounts(ds), [100, 100]);
  for (let i = 0; i < ds.n; i++) {
    const a = ds.x[2 * i]!;
    const b = ds.x[2 * i + 1]!;
    assert.ok(Math.abs(a) >= 0.2 && Math.abs(a) <= 1 && Math.abs(b) >= 0.2 && Math.abs(b) <= 1);
    assert.equal(ds.y[i], a * b < 0 ? 1 : 0);
  }
  assert.deepEqual(xorData({ n: 200, seed: 5, margin: 0.2 }).x, ds.x);
});
