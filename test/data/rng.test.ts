import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, mixSeed, seededPermutation, seededShuffle } from '../../src/data/index.js';

test('createRng: same seed gives the same stream, different seeds differ', () => {
  const draw = (seed: number): number[] => {
    const rng = createRng(seed);
    return Array.from({ length: 50 }, () => rng.uint32());
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  assert.notDeepEqual(draw(0), draw(2 ** 32)); // high bits of large seeds are not dropped
});

test('createRng: stream is pinned (cross-platform determinism)', () => {
  // Regression values: any change to the generator or seeding changes every data set.
  const rng = createRng(42);
  const first = [rng.uint32(), rng.uint32(), rng.uint32()];
  assert.deepEqual(first, PINNED_42);
});

test('createRng: next in [0,1), int uniform-ish, normal has mean 0 and variance 1', () => {
  const rng = createRng(1);
  const counts = new Array<number>(5).fill(0);
  let sum = 0;
  let sq = 0;
  const m = 20000;
  for (let i = 0; i < m; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    counts[rng.int(5)]! += 1;
    const z = rng.normal();
    sum += z;
    sq += z * z;
  }
  for (const c of counts) assert.ok(Math.abs(c - m / 5) < 4 * Math.sqrt((m * 0.2 * 0.8)), `count ${c}`);
  assert.ok(Math.abs(sum / m) < 0.03);
  assert.ok(Math.abs(sq / m - 1) < 0.05);
  assert.throws(() => rng.int(0), /maxExclusive/);
  assert.throws(() => createRng(1.5), /seed must be a finite integer/);
});

test('seededPermutation / seededShuffle: permutations, deterministic, input untouched', () => {
  const p = seededPermutation(100, 3);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(p, seededPermutation(100, 3));
  assert.notDeepEqual(p, seededPermutation(100, 4));
  const items = ['a', 'b', 'c', 'd', 'e', 'f'];
  const s = seededShuffle(items, 9);
  assert.deepEqual(items, ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual([...s].sort(), items);
  assert.deepEqual(s, seededShuffle(items, 9));
  assert.notEqual(mixSeed(1, 'a'), mixSeed(1, 'b'));
  assert.notEqual(mixSeed(1, 'a'), mixSeed(2, 'a'));
});

const PINNED_42 = [3343666290, 183021425, 4030330507];
