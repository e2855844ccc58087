import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  classCounts,
  FASHION_MNIST_CLASSES,
  findFashionMnistDir,
  loadFashionMnist,
  parseIdx,
} from '../../src/data/index.js';

const installed = findFashionMnistDir() !== undefined;
const skip = installed ? false : 'Fashion-MNIST not installed (sudo apt-get install dataset-fashion-mnist)';

test('loadFashionMnist: test split sample is balanced, [0,1], image shape', { skip }, () => {
  const ds = loadFashionMnist({ split: 'test', perClass: 20, seed: 1, shape: 'image' });
  assert.equal(ds.n, 200);
  assert.deepEqual(ds.featureShape, [1, 28, 28]);
  assert.deepEqual(classCounts(ds), new Array(10).fill(20));
  assert.deepEqual(ds.classNames, FASHION_MNIST_CLASSES);
  let max = 0;
  for (const v of ds.x) {
    assert.ok(v >= 0 && v <= 1);
    max = Math.max(max, v);
  }
  assert.equal(max, 1); // 255 / 255 exactly
  assert.deepEqual(ds.x, loadFashionMnist({ split: 'test', perClass: 20, seed: 1, shape: 'image' }).x);
  assert.notDeepEqual(ds.x, loadFashionMnist({ split: 'test', perClass: 20, seed: 2, shape: 'image' }).x);
});

test('loadFashionMnist: full test split has 10,000 images, 1,000 per class', { skip }, () => {
  const ds = loadFashionMnist({ split: 'test', seed: 0 });
  assert.equal(ds.n, 10000);
  assert.deepEqual(classCounts(ds), new Array(10).fill(1000));
});

test('loadFashionMnist: a missing directory gives the install command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-fmnist-'));
  try {
    assert.equal(findFashionMnistDir(dir), undefined);
    assert.throws(() => loadFashionMnist({ dir, seed: 0 }), /sudo apt-get install dataset-fashion-mnist/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('loadFashionMnist: reads a directory of tiny IDX files (also via the env var)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-fmnist-'));
  const idx = (dims: number[], body: number[]): Buffer => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt8(0x08, 2);
    header.writeUInt8(dims.length, 3);
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([header, Buffer.from(body)]);
  };
  const pixels = (n: number): number[] => Array.from({ length: n * 784 }, (_, i) => i % 256);
  try {
    for (const prefix of ['train', 't10k']) {
      writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(idx([20, 28, 28], pixels(20))));
      writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([20], Array.from({ length: 20 }, (_, i) => i % 10)));
    }
    const ds = loadFashionMnist({ dir, perClass: 2, seed: 3 });
    assert.equal(ds.n, 20);
    assert.ok(ds.x.every((v) => v >= 0 && v <= 1));
    const before = process.env.STAGECREDIT_FASHION_MNIST_DIR;
    process.env.STAGECREDIT_FASHION_MNIST_DIR = dir;
    try {
      assert.equal(findFashionMnistDir(), dir);
      assert.equal(loadFashionMnist({ split: 'test', seed: 0 }).n, 20);
    } finally {
      if (before === undefined) delete process.env.STAGECREDIT_FASHION_MNIST_DIR;
      else process.env.STAGECREDIT_FASHION_MNIST_DIR = before;
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('parseIdx rejects bad magic, unsupported types and wrong sizes', () => {
  assert.throws(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0])), /bad magic/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0])), /unsupported/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7])), /body has 1 bytes/);
  assert.deepEqual(parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).dims, [2]);
});
