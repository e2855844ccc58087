import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileBehaviours, hessianAware, hessianFree, linearEffects, perExampleEffects } from '../../src/attribution/index.js';
import { stageBatch, trainingStep } from '../../src/pipeline/index.js';
import { blobRun, relListErr, trueEmbeddings } from './helpers.js';

// Stages with clip_grad_norm_. With a linear loss on a linear model the gradient does not depend on
// theta, so the clip factor is constant and every step is affine: E2 and E3 must equal retraining,
// and the per-example split (which scales each step's terms by its clip factor) must sum to E2.

const sgd = (extra: object) => ({ kind: 'sgd', lr: 0.05, ...extra });

test('clipped SGD stages, linear loss: E2 and E3 equal retraining, per-example terms sum to E2', () => {
  const stages = [
    { name: 'a', data: 'a', steps: 5, batchSize: 8, optimizer: sgd({ momentum: 0.9, weightDecay: 0.01 }), clipGradNorm: 0.05 },
    { name: 'b', data: 'b', steps: 4, batchSize: 8, optimizer: sgd({ lr: 0.03, momentum: 0.5 }), optimizerState: 'carry', clipGradNorm: 0.1 },
    { name: 'c', data: 'a', steps: 3, batchSize: 8, optimizer: sgd({ lr: 0.04 }) },
  ];
  const run = blobRun({ loss: 'linear', stages });
  const s0 = run.pipeline.stages[0];
  const step = trainingStep(run.pipeline.model, s0, run.boundary(0).params, s0.optimizer.init([]), 0, stageBatch(s0, 0, 'float64'));
  assert.ok(step.clipScale < 0.5, `the clip is active (scale ${step.clipScale})`);
  const truth = trueEmbeddings(run);
  const e2 = hessianFree.embed(run);
  e2.embeddings.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-12, `E2 stage ${k}: ${relListErr(e, truth[k])}`));
  assert.ok(e2.assumptions.notes.some((n) => n.includes('gradient clipping')), 'E2 states how it treats clipping');
  hessianAware.embed(run).embeddings.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-10, `E3 stage ${k}: ${relListErr(e, truth[k])}`));
  const b = compileBehaviours([{ kind: 'meanLoss' }], run.pipeline.model, run.pipeline.evaluation!, 'float64');
  const linear = linearEffects(b, run.finalParams(), e2.embeddings);
  for (const k of [0, 1, 2]) {
    const split = perExampleEffects(run, k, (p) => b.evaluate(p));
    assert.ok(Math.abs(split.total - linear[k][0]) < 1e-12 * Math.max(1, Math.abs(linear[k][0])), `stage ${k}: split ${split.total} vs E2 ${linear[k][0]}`);
  }
});
