import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSafetensors } from '../../src/io/index.js';
import { loadParams } from '../../src/nn/index.js';
import { loadManifest, openRun, train } from '../../src/pipeline/index.js';
import { assertSameBits, FIXTURES, scratch } from './helpers.js';

test('a finished run holds the final model as a PyTorch-named state dict', () => {
  const out = scratch();
  train(loadManifest(join(FIXTURES, 'blobs.json')), { out });
  const run = openRun(out);
  const path = join(out, 'final.safetensors');
  assertSameBits(loadParams(path, run.pipeline.model), run.finalParams(), 'final.safetensors');
  assert.deepEqual(Object.keys(readSafetensors(path).tensors).sort(), run.pipeline.model.params.map((p) => p.name).sort());
});
