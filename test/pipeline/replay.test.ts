import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, openRun, replaySkipping, train } from '../../src/pipeline/index.js';
import { assertSameBits, blobsManifest, sameBits, scratch, THREE_STAGES, writeJson } from './helpers.js';

// Replays against the factual run and against retraining (method.md §2).

function trainManifest(dir: string, name: string, manifest: Record<string, unknown>) {
  const path = writeJson(join(dir, `${name}.json`), manifest);
  train(loadManifest(path), { out: join(dir, name) });
  return openRun(join(dir, name));
}

test('a replay that skips nothing reproduces the factual model bit for bit, from any boundary', () => {
  const run = trainManifest(scratch(), 'run', blobsManifest(THREE_STAGES));
  for (const from of [0, 1, 2, 3]) assertSameBits(replaySkipping(run, [], { from }), run.finalParams(), `replay from boundary ${from}`);
  // Without `from` nothing needs replaying: the stored final checkpoint comes back.
  assertSameBits(replaySkipping(run, []), run.finalParams(), 'replay of nothing');
});

test('skipping the last stage gives the checkpoint before it; skipping a middle stage changes the result', () => {
  const run = trainManifest(scratch(), 'run', blobsManifest(THREE_STAGES));
  assertSameBits(replaySkipping(run, [2]), run.boundary(2).params, 'skip last');
  assertSameBits(replaySkipping(run, [1, 2]), run.boundary(1).params, 'skip last two');
  assert.ok(!sameBits(replaySkipping(run, [1]), run.finalParams()));
  // Stage 0 skipped: later stages start from theta_0.
  assert.ok(!sameBits(replaySkipping(run, [0]), replaySkipping(run, [1])));
});

test('replay rejects stage indices outside the pipeline', () => {
  const run = trainManifest(scratch(), 'run', blobsManifest(THREE_STAGES));
  assert.throws(() => replaySkipping(run, [3]), { message: 'replay: stage 3 is out of range 0..2' });
  assert.throws(() => replaySkipping(run, [-1]), { message: 'replay: stage -1 is out of range 0..2' });
});

// replay.ts: "a skipped stage leaves the parameters and its entry optimizer state untouched, so a
// following stage that carries state receives what the skipped stage would have started from".
// So skipping stage 1 equals training the pipeline without stage 1, where stage 2 receives
// stage 1's entry state: stage 0's final state if stage 1 carried it, a fresh one if it reset.
const momentum = (lr: number) => ({ kind: 'sgd', lr, momentum: 0.9, weightDecay: 0.001 });
const s0 = { name: 'pretrain', data: 'a', steps: 15, batchSize: 16, optimizer: momentum(0.1), schedule: { kind: 'cosine' } };
const s2 = { name: 'align', data: 'a', steps: 10, batchSize: 16, optimizer: momentum(0.02), optimizerState: 'carry', batchOrder: { seed: 5 } };

for (const middle of ['carry', 'reset'] as const) {
  test(`skipping a stage that ${middle === 'carry' ? 'carries' : 'resets'} optimizer state, before a carrying stage, equals retraining without it`, () => {
    const dir = scratch();
    const s1 = { name: 'finetune', data: 'b', steps: 12, batchSize: 16, optimizer: momentum(0.05), optimizerState: middle, batchOrder: { seed: 3 } };
    const run = trainManifest(dir, 'factual', blobsManifest([s0, s1, s2]));
    const retrained = trainManifest(dir, 'without', blobsManifest([s0, { ...s2, optimizerState: middle === 'carry' ? 'carry' : 'reset' }]));
    assertSameBits(replaySkipping(run, [1]), retrained.finalParams(), 'replay skipping stage 1 vs retraining without it');
    // And the two variants really differ: the carried momentum matters.
    const other = trainManifest(dir, 'other', blobsManifest([s0, { ...s2, optimizerState: middle === 'carry' ? 'reset' : 'carry' }]));
    assert.ok(!sameBits(retrained.finalParams(), other.finalParams()));
  });
}
