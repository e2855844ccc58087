import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adjointEffects, compileBehaviours, skipPerturbation, exactEffects, hessianAware, hessianFree, linearEffects, perExampleEffects, stageCurvature, taskVector,
} from '../../src/attribution/index.js';
import { replaySkipping } from '../../src/pipeline/index.js';
import { blobRun, relListErr, SGD_VARIANTS, stagesFor, trueEmbeddings } from './helpers.js';

// method.md §4's closed-form checks, through real training runs: quadratic loss -> E3 exact;
// linear loss -> E2 exact; last stage -> E0 and every exact-output estimate exact; per-example
// terms sum to the stage total; adjoint E3 = forward E3. For every SGD setting, with the optimizer
// state reset and carried, and for AdamW.

const variants = SGD_VARIANTS.flatMap(([name, opts]) => [
  [`${name}, state reset`, stagesFor(opts)] as const,
  [`${name}, state carried`, stagesFor(opts, true)] as const,
]);

for (const [name, stages] of variants) {
  test(`quadratic loss, ${name}: E3 equals retraining to 1e-10 (embedding and exact output)`, () => {
    const run = blobRun({ loss: 'mse', stages: [...stages] });
    const truth = trueEmbeddings(run);
    const e3 = hessianAware.embed(run).embeddings;
    e3.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-10, `stage ${k}: ${relListErr(e, truth[k])}`));
    const b = compileBehaviours([{ kind: 'exampleLoss' }], run.pipeline.model, run.pipeline.evaluation!, 'float64');
    const final = run.finalParams();
    const exact = exactEffects(b, final, e3);
    run.pipeline.stages.forEach((_, k) => {
      const cf = b.values(replaySkipping(run, [k]));
      const f = b.values(final);
      exact[k].forEach((v, i) => assert.ok(Math.abs(v - (f[i] - cf[i])) <= 1e-10 * Math.max(1, Math.abs(f[i])), `stage ${k} behaviour ${i}`));
    });
  });

  test(`linear loss, ${name}: E2 equals retraining; last stage: E0 exact; per-example terms sum to E2`, () => {
    const run = blobRun({ loss: 'linear', stages: [...stages] });
    const truth = trueEmbeddings(run);
    const e2 = hessianFree.embed(run).embeddings;
    e2.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-12, `E2 stage ${k}: ${relListErr(e, truth[k])}`));
    const K = truth.length;
    assert.ok(relListErr(taskVector.embed(run).embeddings[K - 1], truth[K - 1]) < 1e-14, 'E0 on the last stage');
    const b = compileBehaviours([{ kind: 'meanLoss' }], run.pipeline.model, run.pipeline.evaluation!, 'float64');
    const linear = linearEffects(b, run.finalParams(), e2);
    for (let k = 0; k < K; k++) {
      if (skipPerturbation(run, k).startStep !== 0) {
        // Carried state with dampening after a fresh optimizer: documented as unsupported by the split.
        assert.throws(() => perExampleEffects(run, k, (p) => b.evaluate(p)), /lazily created momentum buffer/);
        continue;
      }
      const split = perExampleEffects(run, k, (p) => b.evaluate(p));
      const examples = split.perExample.reduce((a, x) => a + x, 0);
      const steps = split.perStep.reduce((a, x) => a + x, 0);
      assert.ok(Math.abs(examples - steps) < 1e-12, 'examples sum to steps');
      assert.ok(Math.abs(split.total - linear[k][0]) < 1e-12 * Math.max(1, Math.abs(linear[k][0])), `stage ${k}: split ${split.total} vs E2 ${linear[k][0]}`);
    }
  });
}

for (const opts of [SGD_VARIANTS[1][1], SGD_VARIANTS[2][1]]) test(`cross-entropy MLP, carried state (${opts === SGD_VARIANTS[1][1] ? 'heavy ball' : 'dampening'}): the adjoint sweep equals forward E3 for every stage`, () => {
  const run = blobRun({ model: { kind: 'mlp', inputDim: 5, hidden: [6], numClasses: 3, activation: 'tanh' }, stages: stagesFor(opts, true) });
  const b = compileBehaviours([{ kind: 'meanLoss' }], run.pipeline.model, run.pipeline.evaluation!, 'float64');
  const forward = linearEffects(b, run.finalParams(), hessianAware.embed(run).embeddings).map((x) => x[0]);
  const adj = adjointEffects(run, (p) => b.evaluate(p));
  forward.forEach((v, k) => assert.ok(Math.abs(adj.effects[k] - v) < 1e-10 * Math.max(1, Math.abs(v)), `stage ${k}: ${adj.effects[k]} vs ${v}`));
});

test('AdamW: E2 (frozen preconditioner) is exact on a linear loss, and the adjoint equals forward E3', () => {
  const adamw = { kind: 'adamw', lr: 0.01, weightDecay: 0.1 };
  const stages = stagesFor([{ kind: 'sgd', lr: 0.05, momentum: 0.9 }, adamw, adamw]);
  const run = blobRun({ loss: 'linear', stages });
  const truth = trueEmbeddings(run);
  hessianFree.embed(run).embeddings.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-12, `stage ${k}`));
  const cross = blobRun({ model: { kind: 'mlp', inputDim: 5, hidden: [4], numClasses: 3, activation: 'tanh' }, stages });
  const b = compileBehaviours([{ kind: 'meanLoss' }], cross.pipeline.model, cross.pipeline.evaluation!, 'float64');
  const forward = linearEffects(b, cross.finalParams(), hessianAware.embed(cross).embeddings).map((x) => x[0]);
  const adj = adjointEffects(cross, (p) => b.evaluate(p));
  forward.forEach((v, k) => assert.ok(Math.abs(adj.effects[k] - v) < 1e-9 * Math.max(1, Math.abs(v)), `stage ${k}: ${adj.effects[k]} vs ${v}`));
});

test('stage-curvature is exact for full-batch training on a quadratic loss with a full-rank Krylov basis', () => {
  const stages = stagesFor(SGD_VARIANTS[1][1]).map((s) => ({ ...s, batchSize: 40 }));
  const run = blobRun({ loss: 'mse', stages });
  const truth = trueEmbeddings(run);
  const est = stageCurvature.embed(run, { curvatureRank: 18, curvatureSample: 40 }).embeddings;
  est.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-8, `stage ${k}: ${relListErr(e, truth[k])}`));
});

test('every exact-output estimate is exact for the last stage', () => {
  const run = blobRun({ model: { kind: 'mlp', inputDim: 5, hidden: [6], numClasses: 3, activation: 'tanh' }, stages: stagesFor(SGD_VARIANTS[1][1]) });
  const b = compileBehaviours([{ kind: 'exampleLoss' }], run.pipeline.model, run.pipeline.evaluation!, 'float64');
  const final = run.finalParams();
  const K = run.pipeline.stages.length;
  const f = b.values(final);
  const cf = b.values(replaySkipping(run, [K - 1]));
  for (const est of [taskVector, hessianFree, stageCurvature, hessianAware]) {
    const exact = exactEffects(b, final, est.embed(run).embeddings)[K - 1];
    exact.forEach((v, i) => assert.ok(Math.abs(v - (f[i] - cf[i])) < 1e-12, `${est.name} behaviour ${i}`));
  }
});
