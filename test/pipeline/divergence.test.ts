import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createModel, type ModelConfig } from '../../src/nn/index.js';
import { loadManifest, openRun, readCheckpoint, train, TrainingDivergedError, type RunStatus } from '../../src/pipeline/index.js';
import { assertSameBits, blobsManifest, scratch, writeJson } from './helpers.js';

// A stage with an absurd learning rate drives the loss to NaN. Training must stop with an error
// naming the stage and step, mark the run failed, and leave a loadable, finite last checkpoint.
// (ReLU, not tanh: saturated tanh units stop the gradient, and the run would merely be useless.)

const RELU: ModelConfig = { kind: 'mlp', inputDim: 8, hidden: [12], numClasses: 3, activation: 'relu' };
const STAGES = [
  { name: 'pretrain', data: 'a', steps: 5, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1 } },
  { name: 'explode', data: 'b', steps: 10, batchSize: 16, optimizer: { kind: 'sgd', lr: 1e100 } },
  { name: 'never', data: 'a', steps: 5, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1 } },
];

function diverge(checkpointEvery: number) {
  const dir = scratch();
  const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(STAGES, { model: RELU }));
  const out = join(dir, 'run');
  let caught: unknown;
  try {
    train(loadManifest(manifest), { out, checkpointEvery });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TrainingDivergedError, `expected TrainingDivergedError, got ${String(caught)}`);
  return { err: caught, out, status: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunStatus };
}

test('divergence names the stage and step, marks the run failed and keeps the boundary checkpoint', () => {
  const { err, out, status } = diverge(0);
  assert.equal(err.stage, 'explode');
  assert.equal(err.globalStep, 5 + err.stageStep); // the stage starts at global step 5
  // Steps count from 1, as on the progress bar; a finite loss far above its level is divergence too.
  assert.equal(err.stageStep, 2);
  assert.match(
    err.message,
    new RegExp(`^training diverged in stage "explode" at step 2 \\(global step 7\\): the loss \\S+ is over 100x its running level \\S+ .*; `
      + `the last good checkpoint is kept at ${join(out, 'checkpoints', 'boundary-1.safetensors').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  );
  assert.equal(status.status, 'failed');
  assert.equal(status.error, err.message);
  assert.equal(status.latestCheckpoint, 'checkpoints/boundary-1.safetensors');
  assert.equal(status.stages.length, 1); // only "pretrain" finished

  const model = createModel(RELU);
  const ck = readCheckpoint(err.lastGoodCheckpoint, model, 'float64');
  assert.equal(ck.step, 5);
  assert.ok(ck.params.every((p) => p.data.every(Number.isFinite)));
  assert.throws(() => openRun(out), /the run is failed \(training diverged in stage "explode"/);
});

test('with periodic checkpoints, the last good one is inside the diverging stage and loads', () => {
  const { err, status } = diverge(1);
  assert.equal(status.status, 'failed');
  // globalStep is the failing step (1-based), so theta before it is checkpoint step globalStep - 1.
  assert.equal(status.latestCheckpoint, `checkpoints/step-${String(err.globalStep - 1).padStart(8, '0')}.safetensors`);
  const ck = readCheckpoint(err.lastGoodCheckpoint, createModel(RELU), 'float64');
  // The checkpoint holds theta just before the step that failed.
  assert.equal(ck.step, err.globalStep - 1);
  assert.equal(ck.stageStep, err.stageStep - 1);
  assert.ok(ck.params.every((p) => p.data.every(Number.isFinite)));
});

test('training a failed run again diverges again at the same step, from its last checkpoint', () => {
  const { err, out } = diverge(0);
  const manifest = join(out, '..', 'pipeline.json');
  const before = readCheckpoint(err.lastGoodCheckpoint, createModel(RELU), 'float64');
  assert.throws(() => train(loadManifest(manifest), { out }), (e: unknown) => e instanceof TrainingDivergedError && e.message === err.message);
  assertSameBits(readCheckpoint(err.lastGoodCheckpoint, createModel(RELU), 'float64').params, before.params, 'kept checkpoint');
});
