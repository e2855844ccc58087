import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttributionReport, EstimateRecord } from '../../src/attribution/attribute.js';
import { decide, figureLabel, judgeIntervention, selectBehaviours } from '../../src/attribution/conclusions.js';
import type { ValidationReport } from '../../src/attribution/validate.js';

// The conclusions module's decisions on constructed reports: one stage blamed, one credited, and
// retraining agreeing, disagreeing in sign, in stage, or in size.

const COST = { seconds: 0.01, gradients: 0, hvps: 0, jvps: 0, forwards: 0, stepsReplayed: 0, scoringSeconds: 0, reused: false };

/** One behaviour per name; effects[k][i], symmetric intervals of half-width `half[k]`. */
function reports(opts: { names?: string[]; effects: number[][]; half?: number[]; truth?: number[][]; replayed?: boolean[]; better?: ('lower' | 'higher')[] }): { a: AttributionReport; v: ValidationReport | null } {
  const names = opts.names ?? ['worstGroupLoss[group]'];
  const K = opts.effects.length;
  const stages = Array.from({ length: K }, (_, k) => ({ name: `s${k}`, startStep: 10 * k, endStep: 10 * k + 10 }));
  const half = opts.half ?? opts.effects.map(() => 0.05);
  const est: EstimateRecord = {
    id: 'stage-curvature/linear', estimator: 'stage-curvature', rung: 'E2+', output: 'linear',
    assumptions: { hessian: 'none (H_t = 0)', dynamics: true, optimizerTerms: [], notes: [] }, cost: COST, effects: opts.effects,
    replayed: opts.replayed,
    trust: {
      level: 0.9, lo: opts.effects.map((r, k) => r.map((v) => v - half[k])), hi: opts.effects.map((r, k) => r.map((v) => v + half[k])),
      grade: opts.effects.map(() => 'medium'), reasons: opts.effects.map(() => []), method: 'test',
    },
  };
  const behaviours = { names, better: opts.better ?? names.map(() => 'lower' as const) };
  const run = { name: 'r', dir: '/tmp/r', stages };
  const a: AttributionReport = {
    format: 'stagecredit-attribution', version: 1, signConvention: '', units: '', run, behaviours, factual: names.map(() => 0), estimates: [est], createdAt: '',
  };
  const v: ValidationReport | null = opts.truth ? {
    format: 'stagecredit-validation', version: 1, signConvention: '', units: '', run, behaviours, factual: a.factual,
    truth: { leaveOneOut: opts.truth, cost: { seconds: 1, replays: K, stepsReplayed: 10 } }, subsets: null,
    estimates: [{ ...est, costFraction: 0.1, agreement: {} as never }], createdAt: '',
  } : null;
  return { a, v };
}

describe('conclusions', () => {
  it('confirms only when retraining has the same sign and stage and falls inside the interval', () => {
    const { a, v } = reports({ effects: [[0.3], [-0.2]], truth: [[0.32], [-0.18]] });
    const c = decide(a, v);
    assert.equal(c.headline.blamedStage, 's0');
    assert.equal(c.headline.creditedStage, 's1');
    assert.deepEqual(c.retraining.map((r) => r.verdict), ['confirms', 'confirms']);
    assert.match(c.headline.summary, /Retraining confirms “s0”: estimated \+0\.3 nats, retraining \+0\.32 nats, inside the interval/);
    assert.match(c.headline.summary, /90% interval \+0\.25 to \+0\.35 nats \(grade medium\)/);
  });

  it('states a size far off even inside a wide interval', () => {
    const { a, v } = reports({ effects: [[0.468], [-0.2]], truth: [[0.068], [-0.2]], half: [1.5, 0.05] });
    const blame = decide(a, v).retraining.find((r) => r.role === 'blame')!;
    assert.equal(blame.verdict, 'confirms');
    assert.match(blame.sentence, /estimated \+0\.468 nats, retraining \+0\.068 nats, inside the interval; the size is off by 6\.9× \(estimate too large\)/);
  });

  it('states a disagreement in sign with both numbers', () => {
    const { a, v } = reports({ effects: [[0.3], [-0.2]], truth: [[-0.1], [-0.2]] });
    const c = decide(a, v);
    const blame = c.retraining.find((r) => r.role === 'blame')!;
    assert.equal(blame.verdict, 'opposite-sign');
    assert.match(c.headline.summary, /Retraining disagrees in sign about “s0”: estimated \+0\.3 nats, retraining −0\.1 nats/);
    assert.doesNotMatch(c.headline.summary, /confirms “s0”/);
  });

  it('does not confirm when only the stage name matches: a size outside the interval is stated', () => {
    // The README's minimal pipeline: pretrain estimated −0.039, true −1.96.
    const { a, v } = reports({ effects: [[-0.039], [0.01]], truth: [[-1.96], [0.02]], half: [0.01, 0.01] });
    const c = decide(a, v);
    const credit = c.retraining.find((r) => r.role === 'credit')!;
    assert.equal(credit.stage, 's0');
    assert.equal(credit.truthStage, 's0');
    assert.equal(credit.verdict, 'different-size');
    assert.match(credit.sentence, /estimated −0\.039 nats, retraining −1\.96 nats \(50\.3× too small\), outside the interval −0\.049 to −0\.029/);
    assert.doesNotMatch(c.headline.summary, /confirms “s0”/);
  });

  it('says when retraining names another stage', () => {
    const { a, v } = reports({ effects: [[0.3], [0.1]], truth: [[0.1], [0.4]] });
    const c = decide(a, v);
    const blame = c.retraining.find((r) => r.role === 'blame')!;
    assert.equal(blame.verdict, 'other-stage');
    assert.equal(blame.truthStage, 's1');
    assert.match(blame.sentence, /the most responsible is “s1” \(\+0\.4 nats\); for “s0” it is estimated \+0\.3 nats, retraining \+0\.1 nats/);
  });

  it('labels replayed stages exact and confirms them by equality', () => {
    const { a, v } = reports({ effects: [[0.3], [-0.2]], truth: [[0.3], [-0.18]], replayed: [true, false] });
    const c = decide(a, v);
    assert.equal(c.effects.perStage[0].exact, true);
    assert.equal(c.effects.perStage[0].grade, 'exact');
    assert.equal(c.effects.perStage[0].lo, 0.3);
    assert.equal(figureLabel(c.effects.perStage[0]), 'exact (replayed)');
    assert.match(c.headline.summary, /\+0\.3 nats, exact \(replayed\)/);
    assert.equal(c.retraining[0].verdict, 'confirms');
  });

  it('says plainly when an intervention made the worst group worse', () => {
    const { a, v } = reports({ effects: [[0.3], [-0.2]], truth: [[0.3], [-0.2]] });
    const iv = {
      description: 'rerun the blamed stage on balanced data', stage: 's0',
      before: { accuracy: 0.9, worstGroupAccuracy: 0.76, perGroup: [{ name: 'a', accuracy: 0.76 }, { name: 'b', accuracy: 0.95 }] },
      after: { accuracy: 0.91, worstGroupAccuracy: 0.737, perGroup: [{ name: 'a', accuracy: 0.737 }, { name: 'b', accuracy: 0.97 }] },
    };
    const c = decide(a, v, { intervention: iv });
    assert.equal(c.intervention!.madeWorse, true);
    assert.match(c.headline.summary, /The intervention made the worst group worse: worst-group accuracy 76\.0% → 73\.7%\. It was: /);
    const better = judgeIntervention({ ...iv, after: { ...iv.after, worstGroupAccuracy: 0.85 } });
    assert.equal(better.madeWorse, false);
    assert.match(better.sentence, /helped/);
    // Without groups, accuracy is the measure; there is no worst group to speak of.
    const flat = judgeIntervention({ description: 'skip', before: { accuracy: 0.8, worstGroupAccuracy: null, perGroup: [] }, after: { accuracy: 0.7, worstGroupAccuracy: null, perGroup: [] } });
    assert.equal(flat.measure, 'accuracy');
    assert.equal(flat.madeWorse, true);
    assert.doesNotMatch(flat.sentence, /worst/);
  });

  it('never averages per-example and aggregate behaviours together', () => {
    const names = ['meanLoss', 'loss[0]', 'loss[1]', 'groupLoss[g=a]'];
    assert.deepEqual(selectBehaviours(names).indices, [0]);
    assert.deepEqual(selectBehaviours(['loss[0]', 'loss[1]', 'groupLoss[g=a]', 'margin[0]']).indices, [0, 1]);
    assert.equal(selectBehaviours(['loss[0]', 'loss[1]', 'groupLoss[g=a]']).kind, 'per-example');
    assert.deepEqual(selectBehaviours(['groupLoss[g=a]', 'groupLoss[g=b]']).indices, [0]);
    // A mixed report: the headline takes meanLoss alone, not a mean with the per-example losses.
    const { a } = reports({ names, effects: [[1, 100, 100, 100], [-1, -100, -100, -100]] });
    const c = decide(a, null);
    assert.deepEqual(c.effects.behaviourIndices, [0]);
    assert.equal(c.effects.behaviourKind, 'aggregate');
    assert.equal(c.effects.perStage[0].estimate, 1);
  });

  it('reverses blame and credit for a score', () => {
    const { a } = reports({ names: ['margin[0]', 'margin[1]'], better: ['higher', 'higher'], effects: [[-0.5, -0.5], [0.3, 0.3]] });
    const c = decide(a, null);
    assert.equal(c.headline.blamedStage, 's0');
    assert.equal(c.headline.creditedStage, 's1');
    assert.match(c.headline.summary, /most responsible for lowering mean test margin/);
  });
});
