import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../../src/tensor/index.js';
import { blobsManifest as sharedBlobs } from '../helpers/blobs.js';

// Shared by the pipeline tests: scratch directories, manifests written to disk, bit equality.

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'pipeline', 'fixtures');

// Registered once, at the top level: an after() called inside a hook or test would fire when
// that hook or test ends, not when the file does.
const scratchDirs: string[] = [];
after(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed when the test file finishes. */
export function scratch(prefix = 'stagecredit-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/** Object.is on every element (so -0 vs 0 and NaN payload-free equality count), with the first
 *  differing position in the failure message. */
export function assertSameBits(actual: readonly Tensor[], expected: readonly Tensor[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: number of tensors`);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.deepEqual(a.shape, e.shape, `${what}[${i}]: shape`);
    assert.equal(a.dtype, e.dtype, `${what}[${i}]: dtype`);
    for (let j = 0; j < a.data.length; j++) {
      if (!Object.is(a.data[j], e.data[j])) assert.fail(`${what}[${i}][${j}]: ${a.data[j]} !== ${e.data[j]}`);
    }
  });
}

export function sameBits(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  return a.length === b.length && a.every((t, i) => t.data.length === b[i].data.length && t.data.every((v, j) => Object.is(v, b[i].data[j])));
}

/** A small pipeline on Gaussian blobs: 8 inputs, 3 classes, trained in well under a second. */
export function blobsManifest(stages: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return sharedBlobs({
    name: 'blobs-test', dim: 8, n: 120, evalN: 90, initSeed: 1, stages, extra,
    model: { kind: 'mlp', inputDim: 8, hidden: [12], numClasses: 3, activation: 'tanh' },
  });
}

/** Three stages: momentum SGD with cosine decay, plain SGD by epochs, AdamW. */
export const THREE_STAGES: Record<string, unknown>[] = [
  { name: 'pretrain', data: 'a', steps: 20, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.001 }, schedule: { kind: 'cosine' } },
  { name: 'finetune', data: 'b', epochs: 2, batchSize: 32, optimizer: { kind: 'sgd', lr: 0.05 } },
  { name: 'align', data: 'a', steps: 12, batchSize: 16, optimizer: { kind: 'adamw', lr: 0.01, weightDecay: 0.01 } },
];
