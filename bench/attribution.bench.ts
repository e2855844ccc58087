// Attribution benchmark (issue 5): on MNIST-sized MLP pipelines, every estimator's agreement with
// leave-one-stage-out retraining, per stage (Pearson / Spearman over the 500 test examples' losses),
// and its cost as a fraction of that retraining, measured in the same run.
// Target for the default estimate (stage-curvature/linear): Pearson >= 0.95 on every stage after the
// first at <= 5% of retraining cost.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { adjointEffects, attribute, compileBehaviours, validate, type ValidationReport } from '../src/attribution/index.js';
import { loadManifest, openRun, train } from '../src/pipeline/index.js';

const DEFAULT_ESTIMATE = 'stage-curvature/linear';
const ALL = ['task-vector', 'hessian-free', 'stage-curvature', 'hessian-aware'];
// E3 on 1000-step stages would take ~6000 step-JVPs: that pipeline shows how the cheap estimators
// scale when retraining gets expensive.
const PIPELINES = [
  { file: 'cases/mnist-sanity.json', estimators: ALL },
  { file: 'bench/mnist-continued.json', estimators: ALL },
  { file: 'bench/mnist-low-lr-finetune.json', estimators: ALL },
  { file: 'bench/mnist-long-finetune.json', estimators: ALL.slice(0, 3) },
];
const cacheDir = join('.cache', 'bench');

function table(v: ValidationReport): string {
  const stages = v.run.stages.map((s) => s.name);
  const head = ['estimate'.padEnd(24), ...stages.map((s) => s.slice(0, 16).padStart(17)), 'pooled r'.padStart(9), 'cost'.padStart(8)].join(' ');
  const rows = v.estimates.map((e) => [
    e.id.padEnd(24),
    ...e.agreement.perStage.map((a) => `${a.pearson.toFixed(3)}/${a.spearman.toFixed(3)}`.padStart(17)),
    e.agreement.pooled.pearson.toFixed(3).padStart(9),
    `${(100 * e.costFraction).toFixed(1)}%`.padStart(8),
  ].join(' '));
  return [head, ...rows].join('\n');
}

for (const { file, estimators } of PIPELINES) {
  const loaded = loadManifest(file);
  const dir = join(cacheDir, loaded.manifest.name);
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(join(dir, 'run.json'))) train(loaded, { out: dir });
  const run = openRun(dir);
  const v = await validate(run, {
    estimators,
    behaviours: [{ kind: 'exampleLoss' }],
    reuse: false,
  });
  console.log(`\n${loaded.manifest.name}: ${run.pipeline.stages.length} stages, ${run.pipeline.totalSteps} steps, MLP ${run.pipeline.model.params.map((p) => p.shape.join('x')).join(', ')}`);
  console.log(`retraining truth: ${v.truth.cost.replays} replays, ${v.truth.cost.stepsReplayed} steps, ${v.truth.cost.seconds.toFixed(2)} s`);
  console.log('Pearson/Spearman with retraining per stage (500 per-example test losses); cost = estimator seconds / retraining seconds');
  console.log(table(v));
  if (estimators.includes('hessian-aware')) {
    const b = compileBehaviours([{ kind: 'meanLoss' }], run.pipeline.model, run.pipeline.evaluation!, run.pipeline.dtype);
    const adj = adjointEffects(run, (p) => b.evaluate(p));
    const e3 = attribute(run, { estimators: ['hessian-aware'], outputs: ['linear'], behaviours: [{ kind: 'meanLoss' }] }).estimates[0].effects.map((x) => x[0]);
    console.log(`E3-adjoint on meanLoss (${(100 * adj.cost.seconds / v.truth.cost.seconds).toFixed(0)}% of retraining): ${Array.from(adj.effects, (x) => x.toFixed(5)).join(' ')}; forward E3: ${e3.map((x) => x.toFixed(5)).join(' ')}`);
  }
  const d = v.estimates.find((e) => e.id === DEFAULT_ESTIMATE)!;
  const later = d.agreement.perStage.slice(1).map((a) => a.pearson);
  console.log(`default ${DEFAULT_ESTIMATE}: Pearson on stages after the first ${later.map((x) => x.toFixed(3)).join(', ')} (target >= 0.95: ${later.every((x) => x >= 0.95) ? 'met' : 'NOT met'}); cost ${(100 * d.costFraction).toFixed(1)}% (target <= 5%: ${d.costFraction <= 0.05 ? 'met' : 'NOT met'})`);
}
