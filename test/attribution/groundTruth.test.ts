import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileBehaviours, type BehaviourSet } from '../../src/attribution/behaviours.js';
import { allSubsets, leaveOneStageOut, replayCost, type ReplayProgress } from '../../src/attribution/groundTruth.js';
import { leaveOneOutFromTable } from '../../src/attribution/shapley.js';
import { evaluate, openRun, parseManifest, replaySkipping, train, type Run } from '../../src/pipeline/index.js';

// A tiny 3-stage blobs pipeline (SGD with momentum, plain SGD, AdamW), trained once.

const blobs = (seed: number, n: number) => ({ recipe: 'blobs', options: { n, dim: 4, numClasses: 3, seed } });
function manifest(stages: number) {
  const kinds = [
    { optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.001 }, schedule: { kind: 'cosine' } },
    { optimizer: { kind: 'sgd', lr: 0.05 } },
    { optimizer: { kind: 'adamw', lr: 0.01, weightDecay: 0.01 } },
  ];
  return parseManifest({
    name: `blobs-${stages}`,
    model: { kind: 'mlp', inputDim: 4, hidden: [6], numClasses: 3, activation: 'tanh' },
    init: { seed: 1 },
    datasets: { a: blobs(1, 48), b: blobs(2, 48), test: blobs(3, 30) },
    evaluation: { data: 'test' },
    stages: Array.from({ length: stages }, (_, k) => ({
      name: `s${k}`,
      data: k % 2 === 0 ? 'a' : 'b',
      steps: stages > 3 ? 1 : [6, 4, 5][k],
      batchSize: 8,
      ...kinds[k % 3],
    })),
  });
}

let dir: string;
let run: Run;
let behaviours: BehaviourSet;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecredit-gt-'));
  train({ manifest: manifest(3), baseDir: dir, path: 'test' }, { out: join(dir, 'run') });
  run = openRun(join(dir, 'run'));
  behaviours = compileBehaviours([{ kind: 'exampleLoss' }, { kind: 'meanLoss' }, { kind: 'exampleMargin' }], run.pipeline.model, run.pipeline.evaluation!, run.pipeline.dtype);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('leaveOneStageOut: tau_k equals the direct replaySkipping difference', async () => {
  const progress: ReplayProgress[] = [];
  const gt = await leaveOneStageOut(run, behaviours, { onProgress: (p) => progress.push(p) });
  const factual = behaviours.values(run.finalParams());
  assert.deepEqual(gt.factual, factual);
  assert.deepEqual(gt.behaviourNames, behaviours.names);
  assert.deepEqual(gt.stageNames, ['s0', 's1', 's2']);
  assert.equal(gt.leaveOneOut.length, 3);
  for (let k = 0; k < 3; k++) {
    const cf = behaviours.values(replaySkipping(run, [k]));
    assert.deepEqual(gt.leaveOneOut[k], factual.map((f, i) => f - cf[i]));
    assert.ok(gt.leaveOneOut[k].some((t) => t !== 0), `stage ${k} changes something`);
  }
  // meanLoss (behaviour 30) against the pipeline's own evaluation.
  const ev = run.pipeline.evaluation!;
  const direct = evaluate(run.pipeline.model, run.finalParams(), ev).loss - evaluate(run.pipeline.model, replaySkipping(run, [1]), ev).loss;
  assert.ok(Math.abs(gt.leaveOneOut[1][30] - direct) < 1e-12);
  // Skipping stage k replays every later stage: (4 + 5) + 5 + 0 steps.
  assert.equal(gt.replays, 3);
  assert.equal(gt.stepsReplayed, 14);
  assert.ok(gt.seconds > 0);
  assert.deepEqual(progress.map((p) => [p.done, p.total, p.skip]), [[1, 3, [0]], [2, 3, [1]], [3, 3, [2]]]);
});

test('replayCost counts the steps replaySkipping runs', () => {
  for (const skip of [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2], []]) {
    let steps = 0;
    replaySkipping(run, skip, { onStep: () => steps++ });
    assert.equal(replayCost(run, skip), steps, `skip ${skip}`);
  }
});

test('allSubsets: every entry is the replay keeping exactly those stages', async () => {
  const table = await allSubsets(run, behaviours);
  assert.equal(table.K, 3);
  assert.equal(table.values.length, 8);
  assert.deepEqual(table.values[7], behaviours.values(run.finalParams()));
  assert.deepEqual(table.values[0], behaviours.values(run.boundary(0).params));
  // mask 0b101: stages 0 and 2 kept, stage 1 skipped.
  assert.deepEqual(table.values[0b101], behaviours.values(replaySkipping(run, [1])));
  assert.deepEqual(table.values[0b010], behaviours.values(replaySkipping(run, [0, 2])));
  const gt = await leaveOneStageOut(run, behaviours);
  assert.deepEqual(leaveOneOutFromTable(table), gt.leaveOneOut);
  assert.equal(table.replays, 7);
  // Steps for masks 0..6 (skip sets {0,1,2}, {1,2}, {0,2}, {2}, {0,1}, {1}, {0}).
  assert.equal(table.stepsReplayed, 0 + 0 + 4 + 0 + 5 + 5 + 9);
});

test('worker threads give bit-identical ground truth', async () => {
  const inProcess = await leaveOneStageOut(run, behaviours);
  const pooled = await leaveOneStageOut(run, behaviours, { workers: 2 });
  assert.deepEqual(pooled.leaveOneOut, inProcess.leaveOneOut);
  assert.equal(pooled.stepsReplayed, inProcess.stepsReplayed);
  // Three threads on the subset table: this thread takes the longest replay and reads the
  // step-free ones, two workers share the rest.
  const table = await allSubsets(run, behaviours);
  const spread = await allSubsets(run, behaviours, { workers: 3 });
  assert.deepEqual(spread.values, table.values);
  assert.equal(spread.stepsReplayed, table.stepsReplayed);
  await assert.rejects(leaveOneStageOut(run, behaviours, { workers: 0 }), /workers must be an integer >= 1/);
});

test('allSubsets refuses more than 8 stages', async () => {
  const out = join(dir, 'run9');
  train({ manifest: manifest(9), baseDir: dir, path: 'test9' }, { out });
  const run9 = openRun(out);
  const b = compileBehaviours([{ kind: 'meanLoss' }], run9.pipeline.model, run9.pipeline.evaluation!, run9.pipeline.dtype);
  await assert.rejects(allSubsets(run9, b), /2\^9 = 512 replays for 9 stages; it is limited to 8 stages/);
});
