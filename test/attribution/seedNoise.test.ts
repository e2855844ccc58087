import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaveOneStageOut, runBehaviours, seedNoise } from '../../src/attribution/index.js';
import { batchAt, batchCount, openRun } from '../../src/pipeline/index.js';
import { blobRun, SGD_VARIANTS, stagesFor } from './helpers.js';

test('seed noise: the factual seed reproduces leave-one-out truth, other seeds retrain and spread it', async () => {
  const run = blobRun({ model: { kind: 'mlp', inputDim: 5, hidden: [4], numClasses: 3, activation: 'tanh' }, stages: stagesFor(SGD_VARIANTS[1][1]) });
  const behaviours = (r: typeof run) => runBehaviours(r, [{ kind: 'exampleLoss' }]);
  const noise = await seedNoise(run, behaviours, { extraSeeds: 2 });
  assert.deepEqual(noise.seeds, [0, 1, 2]);
  const factual = await leaveOneStageOut(run, behaviours(run));
  assert.deepEqual(noise.leaveOneOut[0], factual.leaveOneOut.map((a) => Array.from(a)));
  assert.notDeepEqual(noise.leaveOneOut[1], noise.leaveOneOut[0], 'another batch order gives another truth');
  noise.meanStd.forEach((s, k) => assert.ok(s > 0, `stage ${k} has spread`));
  noise.crossSeedPearson.forEach((r, k) => assert.ok(r > -1 && r <= 1, `stage ${k}: ${r}`));
});

test('seed noise re-seeds an explicit batch order by permuting it: same examples, same batch sizes, another order', async () => {
  // Stage s1 (40 examples of data "b") trains on 7 explicit batches of sizes 8, 8, ..., 3.
  const lists = Array.from({ length: 7 }, (_, s) => Array.from({ length: s === 6 ? 3 : 8 }, (_, j) => (5 * s + 3 * j) % 40));
  const file = join(mkdtempSync(join(tmpdir(), 'stagecredit-batches-')), 'batches.json');
  writeFileSync(file, JSON.stringify(lists));
  const stages = stagesFor(SGD_VARIANTS[0][1]).map((st, k) => (k === 1 ? { ...st, steps: 7, batchOrder: { file } } : st));
  const run = blobRun({ stages });
  const noise = await seedNoise(run, (r) => runBehaviours(r), { extraSeeds: 1 });
  assert.deepEqual(noise.seeds, [0, 1]);
  const reseeded = openRun(join(run.dir, 'noise', 'seed-1')).pipeline.stages[1].batches;
  const batches = Array.from({ length: batchCount(reseeded) }, (_, s) => Array.from(batchAt(reseeded, s)));
  assert.deepEqual(batches.map((b) => b.length), lists.map((b) => b.length));
  assert.deepEqual(batches.flat().sort((a, b) => a - b), lists.flat().sort((a, b) => a - b));
  assert.notDeepEqual(batches, lists);
  assert.notDeepEqual(noise.leaveOneOut[1], noise.leaveOneOut[0]);
});
