import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessTrust, attribute, getEstimator, leaveOneStageOut, runBehaviours, trustContext } from '../../src/attribution/index.js';
import { conformalQuantile, fitCalibration, fitCell, type TrustCase } from '../../src/attribution/trust/fit.js';
import { halfWidth } from '../../src/attribution/trust/model.js';
import { blobRun, relListErr, stagesFor, trueEmbeddings } from './helpers.js';

const mlp = { kind: 'mlp', inputDim: 5, hidden: [4], numClasses: 3, activation: 'tanh' };
const sgd = (lr: number) => ({ kind: 'sgd', lr, momentum: 0.9, weightDecay: 0.001 });
const behaviours = [{ kind: 'exampleLoss' as const }, { kind: 'meanLoss' as const }];

test('every estimate carries a well-formed interval and a grade per stage', () => {
  const run = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), { kind: 'adam', lr: 0.01 }, sgd(0.03)]) });
  const report = attribute(run, { behaviours });
  const K = run.pipeline.stages.length;
  const m = report.behaviours.names.length;
  assert.equal(report.estimates.length, 6);
  for (const e of report.estimates) {
    const t = e.trust!;
    assert.ok(t, `${e.id} has no trust`);
    assert.equal(t.level, 0.9);
    assert.equal(t.lo.length, K);
    assert.equal(t.hi.length, K);
    assert.equal(t.grade.length, K);
    assert.equal(t.reasons.length, K);
    assert.ok(t.method.length > 0);
    for (let k = 0; k < K; k++) {
      assert.equal(t.lo[k].length, m);
      assert.ok(['high', 'medium', 'low'].includes(t.grade[k]), `${e.id} stage ${k}: grade ${t.grade[k]}`);
      assert.ok(t.reasons[k].length > 0);
      e.effects[k].forEach((v, i) => {
        assert.ok(Number.isFinite(t.lo[k][i]) && Number.isFinite(t.hi[k][i]), `${e.id} [${k}][${i}] not finite`);
        assert.ok(t.lo[k][i] <= v && v <= t.hi[k][i], `${e.id} [${k}][${i}]: ${t.lo[k][i]} <= ${v} <= ${t.hi[k][i]} fails`);
      });
    }
    // A stage whose interval is wider than its effects is not graded high.
    const k0 = t.lo[0].reduce((a, lo, i) => a + (t.hi[0][i] - lo) / 2, 0) / Math.max(e.effects[0].reduce((a, v) => a + Math.abs(v), 0), 1e-300);
    if (k0 >= 1) assert.equal(t.grade[0], 'low');
  }
});

test('last stage: the exact read-out is exact, and the linear one\'s interval reaches to it (covering retraining)', async () => {
  const run = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), sgd(0.08), sgd(0.2)]) });
  const report = attribute(run, { behaviours, estimators: ['task-vector', 'stage-curvature'] });
  const truth = (await leaveOneStageOut(run, runBehaviours(run, behaviours))).leaveOneOut;
  const K = run.pipeline.stages.length;
  for (const e of report.estimates) {
    const t = e.trust!;
    truth[K - 1].forEach((tau, i) => {
      const tol = 1e-9 * Math.max(1, Math.abs(tau));
      if (e.output === 'exact') {
        assert.equal(t.lo[K - 1][i], t.hi[K - 1][i]);
        assert.ok(Math.abs(e.effects[K - 1][i] - tau) <= tol, `${e.id}: ${e.effects[K - 1][i]} vs truth ${tau}`);
      }
      assert.ok(t.lo[K - 1][i] - tol <= tau && tau <= t.hi[K - 1][i] + tol, `${e.id} behaviour ${i}: truth ${tau} outside [${t.lo[K - 1][i]}, ${t.hi[K - 1][i]}]`);
    });
  }
});

test('an estimate the calibration has no cell for gets the wide fallback and says so', () => {
  const run = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), sgd(0.03)]) });
  const b = runBehaviours(run, behaviours);
  const context = trustContext(run, b);
  const row = () => b.names.map((_, i) => 0.01 * (i + 1));
  const t = assessTrust({ context, estimator: 'nobody', output: 'linear', linear: [row(), row()], exact: [row(), row()], others: [], calibration: {} });
  assert.match(t.method, /nobody\/linear has no fitted cell/);
  assert.ok(t.hi[0].every((h, i) => h > row()[i]), 'fallback interval has width');
});

test('conformal quantile and the fitted cell cover the requested share of the fitting cases', () => {
  assert.equal(conformalQuantile([1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9), 9);
  assert.equal(conformalQuantile([1, 2, 3], 0.9), Infinity);
  // Errors proportional to the linear/exact disagreement plus a floor in the stage scale.
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const cases: TrustCase[] = Array.from({ length: 400 }, () => {
    const d = rnd();
    const scale = 0.5 + rnd();
    return {
      estimate: 'x/linear', cls: 'example', regime: rnd() < 0.5 ? 'sgd' : 'adam',
      signal: { disagreement: d, spread: rnd(), magnitude: rnd(), scale }, error: rnd() * (2 * d + 0.3 * scale), norm: 1,
    };
  });
  const cell = fitCell(cases, 0.9)!;
  const inside = cases.filter((c) => c.error <= halfWidth(c.signal, cell)).length / cases.length;
  assert.ok(inside >= 0.9, `covered ${inside}`);
  const cal = fitCalibration(cases, 0.9);
  assert.ok(cal['x/linear']?.example?.sgd && cal['x/linear']?.example?.adam);
  assert.equal(cal['x/linear']?.aggregate, undefined, 'no aggregate cases, no aggregate cell');
});

test('stage-curvature states that Adam/AdamW later stages have no curvature model', () => {
  const mixed = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), { kind: 'adamw', lr: 0.01, weightDecay: 0.01 }, sgd(0.03)]) });
  const a = attribute(mixed, { estimators: ['stage-curvature'], behaviours: [{ kind: 'meanLoss' }] }).estimates[0].assumptions;
  assert.equal(a.hessian, 'stage-stationary');
  assert.ok(a.notes.some((n) => /Adam\/AdamW later stage\(s\) "s1": no curvature model \(H_t = 0 there\)/.test(n)), a.notes.join('; '));
  assert.ok(a.notes.some((n) => /^SGD-family later stages: Gauss-Newton/.test(n)));
  const adamOnly = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), { kind: 'adam', lr: 0.01 }, { kind: 'adam', lr: 0.005 }]) });
  const b = attribute(adamOnly, { estimators: ['stage-curvature'], behaviours: [{ kind: 'meanLoss' }] }).estimates[0].assumptions;
  assert.equal(b.hessian, 'none (H_t = 0)');
  assert.ok(!b.notes.some((n) => /Gauss-Newton/.test(n)), 'no Gauss-Newton claim when no stage used it');
  const c = attribute(adamOnly, { estimators: ['stage-curvature'], behaviours: [{ kind: 'meanLoss' }], curvatureAdam: 'stationary', reuse: false }).estimates[0].assumptions;
  assert.equal(c.hessian, 'stage-stationary');
  assert.ok(c.notes.some((n) => /Adam\/AdamW later stage\(s\) "s1", "s2": Gauss-Newton curvature at the stage midpoint/.test(n)), c.notes.join('; '));
});

test('replay-head is exact when its head covers the only later stage (any model, carried momentum)', () => {
  const stages = [sgd(0.1), sgd(0.2)].map((optimizer, k) => ({
    name: `s${k}`, data: k ? 'b' : 'a', steps: 5, batchSize: 8, batchOrder: { seed: 20 + k }, optimizer, ...(k ? { optimizerState: 'carry' } : {}),
  }));
  const run = blobRun({ model: mlp, stages });
  const e = getEstimator('replay-head').embed(run);
  const truth = trueEmbeddings(run);
  for (let k = 0; k < 2; k++) assert.ok(relListErr(e.embeddings[k], truth[k]) < 1e-10, `stage ${k}: ${relListErr(e.embeddings[k], truth[k])}`);
  assert.equal(e.cost.stepsReplayed, 10);
});

test('frozen-Adam propagation skips the trajectory where H_t = 0 leaves only the decoupled decay', () => {
  const run = (second: object) => blobRun({ model: mlp, stages: stagesFor([sgd(0.05), second, sgd(0.03)]) });
  const free = getEstimator('hessian-free').embed(run({ kind: 'adamw', lr: 0.01 }));
  assert.equal(free.cost.gradients, 0, 'reset AdamW stage: no trajectory');
  // The shortcut is the same linear map: lambda defaults to torch's 1e-2 for AdamW, and on a linear
  // loss (H = 0 exactly) the embedding equals retraining.
  const linear = blobRun({ loss: 'linear', stages: stagesFor([sgd(0.05), { kind: 'adamw', lr: 0.01 }, sgd(0.03)]) });
  const truth = trueEmbeddings(linear);
  getEstimator('hessian-free').embed(linear).embeddings.forEach((e, k) => assert.ok(relListErr(e, truth[k]) < 1e-12, `stage ${k}: ${relListErr(e, truth[k])}`));
  const coupled = getEstimator('hessian-free').embed(run({ kind: 'adam', lr: 0.01, weightDecay: 0.1 }));
  assert.ok(coupled.cost.gradients > 0, 'coupled decay feeds delta into the first moment: trajectory needed');
});

test('stationary Adam curvature: exact where H = 0 (linear loss, reset AdamW), and states no trajectory', () => {
  const stages = stagesFor([sgd(0.05), { kind: 'adamw', lr: 0.01, weightDecay: 0.1 }, { kind: 'adam', lr: 0.01 }]);
  const run = blobRun({ loss: 'linear', stages });
  const truth = trueEmbeddings(run);
  const e = getEstimator('stage-curvature').embed(run, { curvatureAdam: 'stationary' });
  e.embeddings.forEach((x, k) => assert.ok(relListErr(x, truth[k]) < 1e-10, `stage ${k}: ${relListErr(x, truth[k])}`));
  assert.equal(e.cost.gradients, 0);
  const mlpRun = blobRun({ model: mlp, stages });
  const m = getEstimator('stage-curvature').embed(mlpRun, { curvatureAdam: 'stationary' });
  assert.equal(m.cost.gradients, 0, 'no trajectory replay');
  assert.ok(m.cost.hvps > 0, 'curvature used on the Adam stages');
  m.embeddings.forEach((x) => x.forEach((t) => assert.ok(t.data.every(Number.isFinite))));
});

test('coarse-replay with stride 1 is leave-one-out retraining itself (carried state, momentum)', () => {
  const run = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), sgd(0.08), sgd(0.03)], true) });
  const e = getEstimator('coarse-replay').embed(run, { coarseStride: 1 });
  const truth = trueEmbeddings(run);
  e.embeddings.forEach((x, k) => assert.ok(relListErr(x, truth[k]) < 1e-12, `stage ${k}: ${relListErr(x, truth[k])}`));
  const coarse = getEstimator('coarse-replay').embed(run, { coarseStride: 4 });
  assert.ok(coarse.cost.stepsReplayed < e.cost.stepsReplayed / 3, `${coarse.cost.stepsReplayed} vs ${e.cost.stepsReplayed}`);
});
