import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadManifest, openRun, replayMany, replaySkipping, train, type Run } from '../../src/pipeline/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { assertSameBits, blobsManifest, scratch, THREE_STAGES, writeJson } from './helpers.js';

// replayMany on worker threads must give exactly what replaySkipping gives in process.

let dir = '';
let run: Run;

before(() => {
  dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(THREE_STAGES));
  train(loadManifest(manifest), { out: join(dir, 'run') });
  run = openRun(join(dir, 'run'));
});

test('every subset of stages, on two workers, bit-identical to in-process replays', { timeout: 60_000 }, async () => {
  const subsets = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
  const seen: number[] = [];
  const results = await replayMany(join(dir, 'run'), subsets, {
    onDone: (index, params, done, total) => {
      assert.equal(total, subsets.length);
      assert.equal(done, seen.length + 1);
      assertSameBits(params, replaySkipping(run, subsets[index]), `onDone ${index}`);
      seen.push(index);
    },
  });
  assert.deepEqual([...seen].sort(), subsets.map((_, i) => i));
  subsets.forEach((s, i) => assertSameBits(results[i], replaySkipping(run, s), `skip [${s}]`));
});

test('a worker reusing cached checkpoints across replays still returns them intact', { timeout: 60_000 }, async () => {
  // Skipping only trailing stages returns a stored checkpoint's arrays; on one worker, the same
  // checkpoint is then needed again by the next replays.
  const subsets = [[2], [2], [1, 2], [1, 2], [2], []];
  const results = await replayMany(join(dir, 'run'), subsets, { workers: 1 });
  subsets.forEach((s, i) => assertSameBits(results[i], replaySkipping(run, s), `skip [${s}] (#${i})`));
  assert.ok(results.every((r) => r.every((t: Tensor) => t.data.length > 0)));
});

test('the from option reaches the workers', { timeout: 60_000 }, async () => {
  const [full] = await replayMany(join(dir, 'run'), [[]], { from: 0 });
  assertSameBits(full, run.finalParams(), 'replay from theta_0');
});

test('no subsets: no workers, an empty result', async () => {
  assert.deepEqual(await replayMany(join(dir, 'run'), []), []);
});

test('an error inside a worker rejects with the worker\'s message', { timeout: 60_000 }, async () => {
  await assert.rejects(replayMany(join(dir, 'run'), [[0], [7], [1]]), { message: 'replay: stage 7 is out of range 0..2' });
  const missing = join(dir, 'no-such-run');
  await assert.rejects(replayMany(missing, [[0], [1]]), {
    message: `${missing} is not a stagecredit run directory (no run.json); create one with \`stagecredit train\``,
  });
});

test('a bad worker count is refused', async () => {
  await assert.rejects(replayMany(join(dir, 'run'), [[0]], { workers: 0 }), { message: 'replayMany: workers must be an integer >= 1 (got 0)' });
});

test('subsets assigned up front: each worker gets its whole share while this thread is busy; same bits', { timeout: 60_000 }, async () => {
  const subsets = [[0], [1], [2], [0, 1], [1, 2]];
  const assign = [0, 1, 1, 0, 1];
  const pool = replayMany(join(dir, 'run'), subsets, { workers: 2, assign });
  // Block this thread (as a caller replaying its own share does): the workers still finish.
  const t0 = Date.now();
  while (Date.now() - t0 < 300) { /* busy */ }
  const results = await pool;
  subsets.forEach((s, i) => assertSameBits(results[i], replaySkipping(run, s), `skip [${s}]`));
  await assert.rejects(replayMany(join(dir, 'run'), subsets, { workers: 2, assign: [0, 1, 2, 0, 1] }), {
    message: 'replayMany: assign must give each of the 5 subsets a worker in 0..1',
  });
});
