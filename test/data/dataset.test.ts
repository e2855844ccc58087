import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classBalancedSample,
  classCounts,
  concat,
  DatasetError,
  gaussianBlobs,
  shuffleDataset,
  subset,
  trainTestSplit,
  validateDataset,
  type Dataset,
} from '../../src/data/index.js';

function tiny(): Dataset {
  return {
    name: 'tiny',
    n: 4,
    featureShape: [2],
    x: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
    y: Int32Array.from([0, 1, 0, 1]),
    numClasses: 2,
    classNames: ['neg', 'pos'],
    groups: { g: Int32Array.from([0, 0, 1, 1]) },
    groupNames: { g: ['left', 'right'] },
    text: ['a', 'b', 'c', 'd'],
    source: 'hand-made',
  };
}

function expectFieldError(ds: Dataset, field: string, pattern: RegExp): void {
  assert.throws(
    () => validateDataset(ds),
    (e: unknown) => e instanceof DatasetError && e.field === field && pattern.test(e.message) && e.message.includes('"tiny"'),
  );
}

test('validateDataset accepts a valid data set and names the broken field otherwise', () => {
  assert.equal(validateDataset(tiny()).n, 4);
  expectFieldError({ ...tiny(), x: new Float64Array(7) }, 'x', /length 7 but n \* prod\(featureShape\) = 4 \* 2 = 8/);
  expectFieldError({ ...tiny(), y: Int32Array.from([0, 1, 0]) }, 'y', /length 3 but n = 4/);
  expectFieldError({ ...tiny(), y: Int32Array.from([0, 1, 2, 1]) }, 'y', /label 2 at example 2, outside 0\.\.1/);
  expectFieldError({ ...tiny(), y: Int32Array.from([0, -1, 0, 1]) }, 'y', /label -1/);
  const nan = tiny();
  nan.x[5] = Number.NaN;
  expectFieldError(nan, 'x', /non-finite value NaN at example 2, feature 1/);
  const inf = tiny();
  inf.x[0] = Number.POSITIVE_INFINITY;
  expectFieldError(inf, 'x', /Infinity/);
  expectFieldError({ ...tiny(), classNames: ['only'] }, 'classNames', /1 names but numClasses = 2/);
  expectFieldError({ ...tiny(), groups: { g: new Int32Array(3) } }, 'groups.g', /length 3 but n = 4/);
  expectFieldError({ ...tiny(), groups: { g: Int32Array.from([0, 2, 0, 0]) } }, 'groups.g', /code 2 .* only 2 names/);
  expectFieldError({ ...tiny(), groupNames: { g: ['l', 'r'], h: ['x'] } }, 'groupNames.h', /no matching column/);
  expectFieldError({ ...tiny(), text: ['a'] }, 'text', /length 1 but n = 4/);
  expectFieldError({ ...tiny(), featureShape: [2, 0] }, 'featureShape', /positive integers/);
  expectFieldError({ ...tiny(), numClasses: 0 }, 'numClasses', /positive integer/);
});

test('subset copies rows, labels, groups and text in the given order', () => {
  const s = subset(tiny(), [3, 0, 3]);
  assert.equal(s.n, 3);
  assert.deepEqual([...s.x], [6, 7, 0, 1, 6, 7]);
  assert.deepEqual([...s.y], [1, 0, 1]);
  assert.deepEqual([...(s.groups?.g ?? [])], [1, 0, 1]);
  assert.deepEqual(s.text, ['d', 'a', 'd']);
  validateDataset(s);
  s.x[0] = 99;
  assert.equal(tiny().x[6], 6);
  assert.throws(() => subset(tiny(), [4]), /index 4 at position 0 is outside 0\.\.3/);
});

test('concat stacks compatible sets and rejects mismatches', () => {
  const c = concat([tiny(), subset(tiny(), [1])], 'both');
  assert.equal(c.n, 5);
  assert.deepEqual([...c.x.subarray(8)], [2, 3]);
  assert.deepEqual([...c.y], [0, 1, 0, 1, 1]);
  assert.deepEqual([...(c.groups?.g ?? [])], [0, 0, 1, 1, 0]);
  assert.deepEqual(c.text, ['a', 'b', 'c', 'd', 'b']);
  validateDataset(c);
  assert.throws(() => concat([tiny(), { ...tiny(), featureShape: [1, 2] }]), /featureShape/);
  assert.throws(() => concat([tiny(), { ...tiny(), numClasses: 3 }]), /numClasses/);
  const { groups: _g, groupNames: _n, ...noGroups } = tiny();
  assert.throws(() => concat([tiny(), noGroups]), /group columns/);
  assert.throws(() => concat([]), /at least one/);
});

test('classBalancedSample: exact per-class counts, deterministic, errors when a class is short', () => {
  const blobs = gaussianBlobs({ n: 300, dim: 3, numClasses: 3, seed: 1 });
  const a = classBalancedSample(blobs, 20, 5);
  assert.deepEqual(classCounts(a), [20, 20, 20]);
  assert.deepEqual(a.x, classBalancedSample(blobs, 20, 5).x);
  assert.notDeepEqual(a.x, classBalancedSample(blobs, 20, 6).x);
  // Interleaved, not grouped by class.
  assert.notDeepEqual([...a.y.subarray(0, 20)], new Array(20).fill(a.y[0]));
  assert.throws(() => classBalancedSample(blobs, 101, 5), /class 0 has 100 examples, fewer than perClass = 101/);
});

test('trainTestSplit: stratified, disjoint, complete, deterministic', () => {
  const blobs = gaussianBlobs({ n: 200, dim: 2, numClasses: 4, seed: 2 });
  const { train, test: held } = trainTestSplit(blobs, { testFraction: 0.25, seed: 3 });
  assert.equal(train.n + held.n, 200);
  assert.deepEqual(classCounts(held), [13, 13, 13, 13]); // round(50 * 0.25) per class
  const key = (ds: Dataset, i: number): string => `${ds.x[2 * i]},${ds.x[2 * i + 1]}`;
  const seen = new Set(Array.from({ length: train.n }, (_, i) => key(train, i)));
  for (let i = 0; i < held.n; i++) assert.ok(!seen.has(key(held, i)));
  assert.deepEqual(held.x, trainTestSplit(blobs, { testFraction: 0.25, seed: 3 }).test.x);
  const shuffled = shuffleDataset(blobs, 1);
  assert.deepEqual(classCounts(shuffled), classCounts(blobs));
  assert.throws(() => trainTestSplit(blobs, { testFraction: 1.5, seed: 1 }), /testFraction/);
});
