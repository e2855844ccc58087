import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaveOneStageOut, runBehaviours, seedNoise } from '../../src/attribution/index.js';
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

test('seed noise refuses explicit batch orders, which cannot be re-seeded', async () => {
  const run = blobRun({ stages: stagesFor(SGD_VARIANTS[0][1]) });
  const raw = run.store.readManifestJson() as { stages: { batchOrder: unknown }[] };
  raw.stages[1].batchOrder = { file: '/x/batches.json' };
  run.store.writeManifest(raw);
  await assert.rejects(seedNoise(run, (r) => runBehaviours(r), { extraSeeds: 1 }), /stage "s1" uses an explicit batch order \(\/x\/batches.json\); only seeded batch orders can be re-seeded/);
});
