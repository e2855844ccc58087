import assert from 'node:assert/strict';
import { readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, openRun, replaySkipping, train } from '../../src/pipeline/index.js';
import { assertSameBits, blobsManifest, scratch, THREE_STAGES, writeJson } from './helpers.js';

// What a user sees when a run directory is damaged, reused for another pipeline, or complete.

function trained() {
  const dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(THREE_STAGES));
  const out = join(dir, 'run');
  const first = train(loadManifest(manifest), { out });
  return { dir, manifest, out, first };
}

/** Cuts a file to half its size, as a crash during a non-atomic copy would. */
function truncateHalf(path: string): void {
  truncateSync(path, Math.floor(statSync(path).size / 2));
}

test('training a complete run again returns it as alreadyComplete, unchanged', () => {
  const { manifest, out, first } = trained();
  const runJson = readFileSync(join(out, 'run.json'), 'utf8');
  const again = train(loadManifest(manifest), { out });
  assert.equal(again.alreadyComplete, true);
  assert.equal(again.resumedFrom, null);
  assert.equal(again.status.status, 'complete');
  assertSameBits(again.finalParams, first.finalParams, 'final parameters');
  assert.equal(readFileSync(join(out, 'run.json'), 'utf8'), runJson); // nothing rewritten
});

test('a run directory holding a different pipeline is refused', () => {
  const { dir, out } = trained();
  const other = writeJson(join(dir, 'other.json'), blobsManifest(THREE_STAGES.map((s, k) => (k === 1 ? { ...s, batchSize: 31 } : s))));
  assert.throws(() => train(loadManifest(other), { out }), {
    message: `${out} already holds a run of a different pipeline; choose another --out or delete that directory`,
  });
});

test('a truncated final checkpoint: a clear error naming the file', () => {
  const { manifest, out } = trained();
  const file = join(out, 'checkpoints', 'boundary-3.safetensors');
  truncateHalf(file);
  const named = (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: `);
  assert.throws(() => openRun(out).finalParams(), named);
  assert.throws(() => train(loadManifest(manifest), { out }), named);
  // Replays that never read it still work.
  assert.equal(replaySkipping(openRun(out), [1]).length, 4);
});

test('a truncated or garbage initial checkpoint: replays from theta_0 name the file', () => {
  const { out } = trained();
  const file = join(out, 'checkpoints', 'boundary-0.safetensors');
  truncateHalf(file);
  assert.throws(() => replaySkipping(openRun(out), [0]), (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: `));
  writeFileSync(file, 'not a safetensors file at all');
  assert.throws(() => replaySkipping(openRun(out), [0]), (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: `));
});

test('a truncated trace: opening the run names the file', () => {
  const { out } = trained();
  const file = join(out, 'trace.safetensors');
  truncateHalf(file);
  assert.throws(() => openRun(out), (e: unknown) => e instanceof Error && e.message.startsWith(`${file}: `));
});

test('opening a directory that is not a run', () => {
  const dir = scratch();
  assert.throws(() => openRun(dir), { message: `${dir} is not a stagecredit run directory (no run.json); create one with \`stagecredit train\`` });
});
