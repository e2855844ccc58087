import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecipe, byteCodes, cachedRecipe, computeContentHash, contentHash, recipeCacheKey, type Dataset } from '../../src/data/index.js';

function withCacheDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-cache-'));
  const prev = process.env.STAGECREDIT_CACHE_DIR;
  process.env.STAGECREDIT_CACHE_DIR = dir;
  try {
    fn(join(dir, 'datasets'));
  } finally {
    if (prev === undefined) delete process.env.STAGECREDIT_CACHE_DIR;
    else process.env.STAGECREDIT_CACHE_DIR = prev;
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertSameDataset(a: Dataset, b: Dataset): void {
  assert.equal(a.n, b.n);
  assert.deepEqual(a.featureShape, b.featureShape);
  assert.ok(a.x.length === b.x.length && a.x.every((v, i) => Object.is(v, b.x[i])), 'x differs');
  assert.deepEqual(Array.from(a.y), Array.from(b.y));
  assert.deepEqual(Object.keys(a.groups ?? {}), Object.keys(b.groups ?? {}));
  for (const [k, g] of Object.entries(a.groups ?? {})) assert.deepEqual(Array.from(g), Array.from(b.groups![k]));
  for (const k of ['name', 'numClasses', 'classNames', 'groupNames', 'source', 'text'] as const) assert.deepEqual(a[k], b[k], k);
}

const recipes: [string, unknown][] = [
  ['blobs', { n: 40, dim: 5, numClasses: 3, seed: 2 }], // float64 values: stored as float64
  ['mnist', { perClass: 6, seed: 1, shape: 'image', transforms: [{ kind: 'binarize' }, { kind: 'colourise', correlation: 0.9, seed: 3 }] }], // pixel levels: byte codes
];

for (const [recipe, options] of recipes) {
  test(`a cached ${recipe} data set reads back identical to a fresh build, and the second open does not build`, () => {
    withCacheDir((dir) => {
      let builds = 0;
      const build = () => {
        builds++;
        return buildRecipe(recipe, options, 'datasets.d');
      };
      const first = cachedRecipe(recipe, options, build);
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).length, 1);
      const second = cachedRecipe(recipe, options, build);
      assert.equal(builds, 1, 'the second open must come from the cache');
      assertSameDataset(second, buildRecipe(recipe, options, 'datasets.d'));
      assertSameDataset(first, second);
      // A verified byte-coded entry decodes x on first use; copies (spread, worker clones) still carry it.
      assertSameDataset(structuredClone(second), first);
      assertSameDataset({ ...second }, first);
    });
  });
}

test('the cache key depends on the recipe and its options, not on their key order', () => {
  const a = recipeCacheKey('blobs', { n: 40, dim: 5, numClasses: 3, seed: 2 });
  assert.equal(a, recipeCacheKey('blobs', { seed: 2, numClasses: 3, dim: 5, n: 40 }));
  assert.notEqual(a, recipeCacheKey('blobs', { n: 40, dim: 5, numClasses: 3, seed: 3 }));
  assert.notEqual(a, recipeCacheKey('mnist', { n: 40, dim: 5, numClasses: 3, seed: 2 }));
});

test('a damaged cache entry is rebuilt and replaced; build errors are not cached', () => {
  withCacheDir((dir) => {
    const options = { n: 10, dim: 2, numClasses: 2, seed: 5 };
    let builds = 0;
    const build = () => {
      builds++;
      return buildRecipe('blobs', options, 'datasets.d');
    };
    cachedRecipe('blobs', options, build);
    const file = join(dir, readdirSync(dir)[0]);
    writeFileSync(file, 'garbage');
    assertSameDataset(cachedRecipe('blobs', options, build), buildRecipe('blobs', options, 'datasets.d'));
    assert.equal(builds, 2);
    cachedRecipe('blobs', options, build);
    assert.equal(builds, 2, 'the replaced entry is used');
    assert.throws(() => cachedRecipe('blobs', { n: 0 }, () => buildRecipe('blobs', { n: 0 }, 'datasets.bad')), /datasets\.bad\.options/);
    assert.equal(readdirSync(dir).length, 1);
  });
});

test('byte codes are lossless and refuse more than 256 distinct values', () => {
  const x = Float64Array.from({ length: 1000 }, (_, i) => ((i * 7) % 200) / 255); // 200 levels, and -0 below as one more
  x[3] = -0;
  const c = byteCodes(x)!;
  assert.ok(Array.from(c.codes, (k) => c.table[k]).every((v, i) => Object.is(v, x[i])));
  assert.equal(byteCodes(Float64Array.from({ length: 300 }, (_, i) => i)), null);
});

test('a cache entry carries its content hash, trusted only while its stored bytes are unchanged', () => {
  withCacheDir((dir) => {
    for (const tamper of [false, true]) {
      const options = { n: 12, dim: 3, numClasses: 2, seed: tamper ? 8 : 7 };
      const built = cachedRecipe('blobs', options, () => buildRecipe('blobs', options, 'datasets.d')); // builds and writes
      const file = join(dir, `${recipeCacheKey('blobs', options)}.safetensors`);
      if (tamper) {
        // Flip the lowest mantissa byte of the first stored float64 of x (its value table when byte-coded):
        // still finite, so the entry reads.
        const bytes = readFileSync(file);
        const headerLength = Number(bytes.readBigUInt64LE(0));
        const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
        bytes[8 + headerLength + (header['x.table'] ?? header.x).data_offsets[0]] ^= 1;
        writeFileSync(file, bytes);
      }
      const read = cachedRecipe('blobs', options, () => assert.fail('the entry must be read, not rebuilt'));
      assert.equal(contentHash(read), computeContentHash(read));
      if (tamper) assert.notEqual(contentHash(read), computeContentHash(built), 'a changed entry must not keep the hash it was written with');
      else assert.equal(contentHash(read), computeContentHash(built));
    }
  });
});
