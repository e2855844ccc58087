import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { behaviourLabel, chooseEstimate, computeHeadline, headlineEffects } from '../../src/report/headline.js';
import { DEFAULT_ESTIMATE } from '../../src/attribution/attribute.js';
import { optimizerSummary } from '../../src/report/optimizerSummary.js';
import type { HeadlineEffects } from '../../src/report/results.js';
import { syntheticResults } from './fixtures.js';

function effects(values: number[], better: HeadlineEffects['better'], truth?: number[]): HeadlineEffects {
  return {
    estimate: 'e', estimateReason: 'test', behaviour: 'mean test loss', behaviourIndices: [0], better, orientedAsLoss: false, unit: 'nats',
    perStage: values.map((v, k) => ({ stage: `s${k}`, estimate: v, truth: truth?.[k] ?? null, shapley: null })),
  };
}

describe('headline', () => {
  it('blames the stage that raised a loss most and credits the one that lowered it most', () => {
    const h = computeHeadline(effects([-0.5, 0.3, 0.1], 'lower'));
    assert.equal(h.blamedStage, 's1');
    assert.equal(h.creditedStage, 's0');
    assert.match(h.summary, /Stage “s1” is the one most responsible for raising mean test loss by 0\.3 nats\./);
    assert.match(h.summary, /Stage “s0” did the most to lower it \(−0\.5 nats\)\./);
  });

  it('reverses the roles for a score', () => {
    const h = computeHeadline(effects([-0.5, 0.3], 'higher'));
    assert.equal(h.blamedStage, 's0');
    assert.equal(h.creditedStage, 's1');
    assert.match(h.summary, /lowering/);
  });

  it('says when no stage did harm, and when retraining agrees or not', () => {
    const none = computeHeadline(effects([-0.5, -0.1], 'lower', [-0.4, -0.2]));
    assert.equal(none.blamedStage, null);
    assert.match(none.summary, /No stage made mean test loss worse/);
    assert.match(none.summary, /Retraining without each stage confirms it/);
    const wrong = computeHeadline(effects([0.5, 0.1], 'lower', [0.1, 0.4]));
    assert.match(wrong.summary, /Retraining disagrees: it singles out “s1”/);
  });

  it('names the largest mover when the behaviour has no better direction', () => {
    const h = computeHeadline(effects([0.1, -0.7], 'unknown'));
    assert.equal(h.blamedStage, null);
    assert.match(h.summary, /Stage “s1” moved .* the most: it lowered it by 0\.7 nats/);
  });

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
