import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessTrust, attribute, effects, loadEmbeddings, runBehaviours, trustContext, type OutputMode } from '../../src/attribution/index.js';
import { taskVector } from '../../src/attribution/estimators/taskVector.js';
import { replaySkipping } from '../../src/pipeline/index.js';
import { blobRun, stagesFor } from './helpers.js';

// attribute() shares f(theta_T) and reads out each distinct stage embedding once across
// estimators (score.ts, Readouts). That must change no number: every effect, interval and grade
// equals the straightforward computation (each estimator's read-outs computed on their own).

const mlp = { kind: 'mlp', inputDim: 5, hidden: [4], numClasses: 3, activation: 'tanh' };
const sgd = (lr: number) => ({ kind: 'sgd', lr, momentum: 0.9, weightDecay: 0.001 });
const behaviours = [{ kind: 'exampleLoss' as const }, { kind: 'meanLoss' as const }];
const run = blobRun({ model: mlp, stages: stagesFor([sgd(0.05), { kind: 'adam', lr: 0.01 }, sgd(0.03)]) });

type Both = Record<OutputMode, number[][]>;

function straightforward(embeddings: ReturnType<typeof taskVector.embed>['embeddings']): Both {
  const b = runBehaviours(run, behaviours);
  const final = run.finalParams();
  const rows = (mode: OutputMode) => effects(mode, b, final, embeddings).map((a) => Array.from(a));
  return { linear: rows('linear'), exact: rows('exact') };
}

for (const names of [['task-vector', 'hessian-free', 'stage-curvature'], ['hessian-free', 'stage-curvature']]) {
  test(`shared read-outs change no effect, interval or grade (${names.join(', ')})`, () => {
    const report = attribute(run, { behaviours, estimators: names });
    const b = runBehaviours(run, behaviours);
    assert.deepEqual(report.factual, Array.from(b.values(run.finalParams())));
    const plain = new Map(names.map((n) => [n, straightforward(loadEmbeddings(run, n, {})!.embeddings)]));
    // Without the task vector among the estimators, the trust reference is its read-outs.
    const reference = names.includes('task-vector') ? null : straightforward(taskVector.embed(run).embeddings);
    const context = trustContext(run, b);
    for (const e of report.estimates) {
      const output = e.output as OutputMode;
      const mine = plain.get(e.estimator)!;
      assert.deepEqual(e.effects, mine[output], `${e.id}: effects`);
      const others = [...names.filter((n) => n !== e.estimator).map((n) => plain.get(n)![output]), ...(reference ? [reference[output]] : [])];
      assert.deepEqual(e.trust, assessTrust({ context, estimator: e.estimator, output, ...mine, others }), `${e.id}: trust`);
    }
    // The demo's case: estimators whose last-stage embeddings are identical give identical read-outs.
    const last = run.pipeline.stages.length - 1;
    const hf = report.estimates.find((e) => e.id === 'hessian-free/exact')!;
    const sc = report.estimates.find((e) => e.id === 'stage-curvature/exact')!;
    assert.deepEqual(hf.effects[last], sc.effects[last]);
    assert.notEqual(hf.effects[last], sc.effects[last], 'rows are copies, not one shared array');
  });
}

test('a budget spent inside attribute() uses the shared f(theta_T): replayed effects as computed directly', () => {
  const report = attribute(run, { behaviours, estimators: ['task-vector'], budget: '1' });
  const b = runBehaviours(run, behaviours);
  const factual = b.values(run.finalParams());
  assert.ok(report.budget!.replayed.length >= 2, `replayed ${report.budget!.replayed}`);
  for (const [k] of run.pipeline.stages.entries()) {
    if (!report.estimates[0].replayed![k]) continue;
    const cf = b.values(replaySkipping(run, [k]));
    assert.deepEqual(report.estimates[0].effects[k], Array.from(factual, (f, i) => f - cf[i]));
  }
});
