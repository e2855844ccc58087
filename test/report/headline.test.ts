import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { behaviourLabel, chooseEstimate, headlineEffects } from '../../src/report/headline.js';
import { DEFAULT_ESTIMATE } from '../../src/attribution/attribute.js';
import { optimizerSummary } from '../../src/report/optimizerSummary.js';
import { syntheticResults } from './fixtures.js';

describe('headline', () => {
  it('chooses the validated estimate that orders the stages correctly and agrees best', () => {
    const r = syntheticResults();
    const { estimate } = chooseEstimate(r.attribution, r.validation);
    assert.equal(estimate.id, 'hessian-free/exact');
  });

  it('uses the project\'s default estimate when the run has it', () => {
    const r = syntheticResults();
    const copy = { ...r.validation!.estimates[0], id: DEFAULT_ESTIMATE, estimator: 'stage-curvature', output: 'linear' as const };
    r.attribution.estimates.push(copy);
    r.validation!.estimates.push(copy);
    assert.equal(chooseEstimate(r.attribution, r.validation).estimate.id, DEFAULT_ESTIMATE);
    assert.equal(chooseEstimate(r.attribution, null).estimate.id, DEFAULT_ESTIMATE);
  });

  it('without validation, prefers higher rungs and exact output', () => {
    const r = syntheticResults({ validation: false });
    assert.equal(chooseEstimate(r.attribution, null).estimate.id, 'hessian-free/exact');
  });

  it('averages per-example losses and reports the truth and Shapley means', () => {
    const r = syntheticResults({ m: 10 });
    const e = headlineEffects(r.attribution, r.validation);
    assert.equal(e.behaviourIndices.length, 10);
    assert.equal(e.behaviour, 'mean test loss (10 test examples)');
    const truth0 = r.validation!.truth.leaveOneOut[0].reduce((a, b) => a + b, 0) / 10;
    assert.ok(Math.abs(e.perStage[0].truth! - truth0) < 1e-12);
    assert.ok(Math.abs(e.perStage[0].shapley! - 0.9 * truth0) < 1e-12);
  });

  it('uses the behaviour and estimate a case study names', () => {
    const r = syntheticResults({ m: 5 });
    const e = headlineEffects(r.attribution, r.validation, { behaviour: 'loss[3]', estimate: 'task-vector/linear' });
    assert.deepEqual(e.behaviourIndices, [3]);
    assert.equal(e.behaviour, 'test loss of example 3');
    assert.equal(e.estimate, 'task-vector/linear');
  });
});

describe('optimizerSummary', () => {
  it('writes SGD, Adam and schedules the way people do', () => {
    assert.equal(optimizerSummary({ optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 }, schedule: { kind: 'cosine' }, optimizerState: 'reset' }),
      'SGD lr 0.1 momentum 0.9 wd 5e-4, cosine');
    assert.equal(optimizerSummary({ optimizer: { kind: 'adamw', lr: 0.01 }, schedule: { kind: 'constant' }, optimizerState: 'carry' }),
      'AdamW lr 0.01 wd 0.01, constant lr, state carried over');
    assert.equal(optimizerSummary({ optimizer: { kind: 'sgd', lr: 0.03, momentum: 0.9, nesterov: true }, schedule: { kind: 'step', stepSize: 50, gamma: 0.5 }, optimizerState: 'reset' }),
      'SGD lr 0.03 momentum 0.9 (Nesterov), lr x0.5 every 50 steps');
  });
});

describe('behaviourLabel', () => {
  it('spells out the behaviours the project names and leaves others alone', () => {
    assert.equal(behaviourLabel('meanLoss'), 'mean test loss');
    assert.equal(behaviourLabel('worstGroupLoss[group]'), 'worst-group test loss (group)');
    assert.equal(behaviourLabel('groupLoss[colour=red]'), 'test loss on colour=red');
    assert.equal(behaviourLabel('my custom thing'), 'my custom thing');
  });
});
