import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, train } from '../../src/pipeline/index.js';
import { fuzzManifests, fuzzRunDirectory } from '../helpers/fuzz.js';
import { blobsManifest, scratch, writeJson } from './helpers.js';

// Issue 12: seeded fuzz of mutated manifests and damaged run directories. Every refusal is the
// project's own error naming the field or file; nothing damaged is used silently; the few tiny
// accepted manifests that are trained give consistent runs. Longer runs: `npm run bench:integrity`.

const STAGES = [
  { name: 'pretrain', data: 'a', steps: 8, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 } },
  { name: 'finetune', data: 'b', steps: 6, batchSize: 16, optimizer: { kind: 'adamw', lr: 0.01 }, schedule: { kind: 'cosine' } },
];

test('10,000 mutated manifests: 0 engine exceptions, every refusal names its field, trained ones are consistent', { timeout: 120_000 }, () => {
  const r = fuzzManifests(10_000, 12, blobsManifest(STAGES), scratch(), { trainUpTo: 8 });
  assert.equal(r.failureCount, 0, r.failures.join('\n'));
  assert.ok(r.accepted > 100 && r.trained === 8, `${r.accepted} accepted, ${r.trained} trained`);
});

test('1,000 damaged run directories: refused naming the file, or bit-identical results; verify never throws', { timeout: 120_000 }, () => {
  const dir = scratch();
  const out = join(dir, 'run');
  train(loadManifest(writeJson(join(dir, 'p.json'), blobsManifest(STAGES))), { out });
  const r = fuzzRunDirectory(1_000, 34, out);
  assert.equal(r.failureCount, 0, r.failures.join('\n'));
  assert.ok(r.rejected > 900, `${r.rejected} of 1000 damages refused`);
});
