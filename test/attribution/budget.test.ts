import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { attribute, runBehaviours, type AttributionReport } from '../../src/attribution/attribute.js';
import { budgetSteps, parseBudget, planReplays, spendBudget, stepsPerSecond } from '../../src/attribution/budget.js';
import { leaveOneStageOut } from '../../src/attribution/groundTruth.js';
import { validate } from '../../src/attribution/validate.js';
import type { Run } from '../../src/pipeline/index.js';
import { blobRun, stagesFor } from './helpers.js';

// Budgeted attribution on a 4-stage run of 6, 8, 10 and 12 steps: leaving out stage k costs the
// later stages' steps, 30, 22, 12 and 0; one full retraining is 36 steps.

let run: Run;
let truth: Float64Array[];
const sgd = { kind: 'sgd', lr: 0.05, momentum: 0.9 };

before(async () => {
  run = blobRun({ stages: stagesFor([sgd, sgd, sgd, sgd]), evalN: 12 });
  truth = (await leaveOneStageOut(run, runBehaviours(run, [{ kind: 'meanLoss' }]))).leaveOneOut;
});

/** A cheap report on meanLoss whose estimate blames `blame` and credits `credit`. */
function report(blame: number, credit: number, budget?: string): AttributionReport {
  const r = attribute(run, { estimators: ['task-vector'], outputs: ['linear'], behaviours: [{ kind: 'meanLoss' }], reuse: false, budget });
  for (const e of r.estimates) e.effects = e.effects.map((row, k) => row.map(() => (k === blame ? 0.5 : k === credit ? -0.5 : 0.01)));
  return r;
}

describe('budget', () => {
  it('parses fractions, times, both, and none; refuses anything else', () => {
    assert.deepEqual(parseBudget('0.5'), { kind: 'fraction', fraction: 0.5 });
    assert.deepEqual(parseBudget('30s'), { kind: 'seconds', seconds: 30 });
    assert.deepEqual(parseBudget('2m'), { kind: 'seconds', seconds: 120 });
    assert.deepEqual(parseBudget('0.25,120s'), { kind: 'min', fraction: 0.25, seconds: 120 });
    assert.deepEqual(parseBudget('none'), { kind: 'none' });
    assert.throws(() => parseBudget('lots'), /expected a fraction of one full retraining/);
    assert.throws(() => parseBudget('0.1,0.2'), /at most one fraction/);
  });

  it('converts the budget to steps: a fraction of the total, or seconds at the run\'s own speed', () => {
    assert.equal(run.pipeline.totalSteps, 36);
    assert.equal(budgetSteps(run, parseBudget('0.5')), 18);
    assert.equal(budgetSteps(run, parseBudget('1s')), Math.floor(stepsPerSecond(run)));
    assert.equal(budgetSteps(run, parseBudget('0.5,0s')), 0);
    assert.equal(budgetSteps(run, parseBudget('none')), -1);
  });

  it('takes the free last stage, then the blamed, then the credited, then the widest intervals, within the budget', () => {
    const r = report(1, 0);
    const p = planReplays(run, r, 25);
    assert.deepEqual(p.stageCosts, [30, 22, 12, 0]);
    assert.deepEqual(p.stages, [3, 1]); // the credited stage (30) and stage 2 (12) do not fit in 3
    assert.deepEqual(planReplays(run, r, 36).stages, [3, 1, 2]);
    assert.deepEqual(planReplays(run, report(0, 1), 25).stages, [3, 1]); // blamed (30) does not fit; credited does
    assert.deepEqual(planReplays(run, r, 0).stages, [3]);
    assert.deepEqual(planReplays(run, r, -1).stages, []);
    for (const steps of [0, 5, 12, 22, 29, 30, 33, 36, 64]) {
      const plan = planReplays(run, r, steps);
      assert.ok(plan.costs.reduce((a, b) => a + b, 0) <= steps, `${steps}: ${plan.costs}`);
    }
  });

  it('makes replayed stages exact (the retraining truth, zero-width interval, grade exact) and estimates the rest', () => {
    const r = attribute(run, { estimators: ['task-vector'], behaviours: [{ kind: 'meanLoss' }], reuse: false, budget: '0.7' });
    const b = r.budget!;
    assert.equal(b.budgetSteps, 25);
    assert.ok(b.stepsReplayed <= b.budgetSteps);
    assert.equal(b.stepsReplayed, b.replayed.reduce((s, name) => s + b.stageCosts.find((c) => c.stage === name)!.steps, 0));
    assert.ok(b.replayed.includes('s3'));
    for (const e of r.estimates) {
      r.run.stages.forEach((s, k) => {
        const replayed = b.replayed.includes(s.name);
        assert.equal(e.replayed![k], replayed);
        if (replayed) {
          assert.ok(Math.abs(e.effects[k][0] - truth[k][0]) < 1e-12, `${s.name}: ${e.effects[k][0]} vs ${truth[k][0]}`);
          assert.equal(e.trust!.lo[k][0], e.effects[k][0]);
          assert.equal(e.trust!.hi[k][0], e.effects[k][0]);
          assert.equal(e.trust!.grade[k], 'exact');
        } else {
          assert.notEqual(e.trust!.grade[k], 'exact');
          assert.ok(e.trust!.lo[k][0] <= e.effects[k][0] && e.effects[k][0] <= e.trust!.hi[k][0]);
        }
      });
    }
  });

  it('runs the replays on the worker pool with the same result, and validation carries the labels through', async () => {
    const estimated = attribute(run, { estimators: ['task-vector'], outputs: ['linear'], behaviours: [{ kind: 'meanLoss' }], reuse: false });
    const pooled = await spendBudget(run, runBehaviours(run, [{ kind: 'meanLoss' }]), estimated, '1', { workers: 2 });
    const inline = attribute(run, { estimators: ['task-vector'], outputs: ['linear'], behaviours: [{ kind: 'meanLoss' }], reuse: false, budget: '1' });
    assert.deepEqual(pooled.budget!.replayed, inline.budget!.replayed);
    assert.deepEqual(pooled.estimates[0].effects, inline.estimates[0].effects);
    assert.ok(pooled.budget!.stepsReplayed <= 36);
    const v = await validate(run, { attribution: pooled });
    assert.deepEqual(v.estimates[0].replayed, pooled.estimates[0].replayed);
    assert.deepEqual(v.estimates[0].trust, pooled.estimates[0].trust);
  });
});
