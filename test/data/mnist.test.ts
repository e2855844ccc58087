import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classCounts, loadMnist } from '../../src/data/index.js';

test('loadMnist: flat shape, balanced classes, values in [0,1], valid', () => {
  const ds = loadMnist({ perClass: 10, seed: 1, shape: 'flat' });
  assert.equal(ds.n, 100);
  assert.deepEqual(ds.featureShape, [784]);
  assert.equal(ds.x.length, 100 * 784);
  assert.deepEqual(classCounts(ds), new Array(10).fill(10));
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.x) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, 0);
  assert.ok(max > 0.9 && max <= 1, `max ${max}`);
  assert.match(ds.source, /mnist@1\.1\.0/);
  assert.deepEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('loadMnist: image shape is [1,28,28] with the same values', () => {
  const flat = loadMnist({ perClass: 3, seed: 4, shape: 'flat' });
  const img = loadMnist({ perClass: 3, seed: 4, shape: 'image' });
  assert.deepEqual(img.featureShape, [1, 28, 28]);
  assert.deepEqual(img.x, flat.x);
  assert.deepEqual(img.y, flat.y);
});

test('loadMnist: deterministic per seed', () => {
  const a = loadMnist({ perClass: 5, seed: 11 });
  const b = loadMnist({ perClass: 5, seed: 11 });
  const c = loadMnist({ perClass: 5, seed: 12 });
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.y, b.y);
  assert.notDeepEqual(a.x, c.x);
});

test('loadMnist: the full set has the documented 10,000 digits and per-digit counts', () => {
  const all = loadMnist({ seed: 0 });
  assert.equal(all.n, 10000);
  assert.deepEqual(classCounts(all), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.throws(() => loadMnist({ perClass: 900, seed: 0 }), /class 5 has 863 examples/);
});
