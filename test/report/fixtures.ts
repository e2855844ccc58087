import { join } from 'node:path';
import * as T from '../../src/autodiff/index.js';
import { agreement } from '../../src/attribution/agreement.js';
import type { AttributionReport, EstimateRecord } from '../../src/attribution/attribute.js';
import { attribute, compileBehaviours, perExampleEffects, validate, writeAttribution, writeValidation } from '../../src/attribution/index.js';
import type { ValidationReport } from '../../src/attribution/validate.js';
import type { Dataset } from '../../src/data/index.js';
import { evaluate, evaluateByGroup, loadManifest, openRun, replaySkipping, train, type Run } from '../../src/pipeline/index.js';
import type { Intervention, Results, TopExamples } from '../../src/report/index.js';
import { writeJson } from '../pipeline/helpers.js';
import { blobsManifest as sharedBlobs } from '../helpers/blobs.js';

// Inputs for the report tests: hand-built results (fast, any strings we like) and a real small
// run on Gaussian blobs, attributed and validated with every stage subset.

export const HOSTILE = `<script>alert(1)</script> "quoted" 'single' & </script><!-- <img src=x onerror=alert(2)>`;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

const COST = { seconds: 0.02, gradients: 20, hvps: 4, jvps: 0, forwards: 0, stepsReplayed: 20, scoringSeconds: 0.001, reused: false };

/** Results for K stages and m per-example losses; `names` overrides stage names (e.g. hostile ones). */
export function syntheticResults(opts: { names?: string[]; m?: number; validation?: boolean; extras?: boolean; text?: string } = {}): Results {
  const names = opts.names ?? ['pretrain', 'finetune', 'align'];
  const K = names.length;
  const m = opts.m ?? 40;
  const rnd = lcg(7);
  const truth = names.map((_, k) => Array.from({ length: m }, () => rnd() * 0.3 + (k === 1 ? 0.2 : -0.1)));
  const noisy = (scale: number) => truth.map((row) => row.map((v) => v + rnd() * scale));
  const est = (id: string, estimator: string, rung: string, output: 'linear' | 'exact', effects: number[][]): EstimateRecord => ({
    id, estimator, rung, output, effects, cost: { ...COST },
    assumptions: { hessian: 'none (H_t = 0)', dynamics: true, optimizerTerms: ['momentum'], notes: [] },
  });
  const estimates = [
    est('task-vector/linear', 'task-vector', 'E0 (exact output) / E1 (linear output)', 'linear', noisy(0.3)),
    est('hessian-free/exact', 'hessian-free', 'E2', 'exact', noisy(0.05)),
  ];
  const run = { name: 'synthetic', dir: '/tmp/synthetic', stages: names.map((name, k) => ({ name, startStep: k * 10, endStep: k * 10 + 10, description: `stage ${k}` })) };
  const behaviours = { names: Array.from({ length: m }, (_, i) => `loss[${i}]`), better: Array.from({ length: m }, () => 'lower' as const) };
  const attribution: AttributionReport = {
    format: 'stagecredit-attribution', version: 1, signConvention: `tau convention ${opts.text ?? ''}`, units: 'nats', run, behaviours,
    factual: Array.from({ length: m }, () => 0.5), estimates, createdAt: '2026-01-01T00:00:00.000Z',
  };
  const validation: ValidationReport | null = opts.validation === false ? null : {
    format: 'stagecredit-validation', version: 1, signConvention: attribution.signConvention, units: 'nats', run, behaviours,
    factual: attribution.factual, truth: { leaveOneOut: truth, cost: { seconds: 0.5, replays: K, stepsReplayed: 30 } },
    subsets: {
      values: Array.from({ length: 2 ** K }, () => Array.from({ length: m }, () => rnd())),
      shapley: truth.map((row) => row.map((v) => v * 0.9)),
      addOne: truth.map((row) => row.map((v) => v * 1.1)),
      additivityGap: Array.from({ length: m }, () => rnd() * 0.1),
      interactions: { mean: names.map((_, j) => names.map((_, k) => (j === k ? 0 : 0.01 * (j + k)))), meanAbs: names.map((_, j) => names.map((_, k) => (j === k ? 0 : 0.02 * (j + k)))) },
      cost: { seconds: 1.2, replays: 2 ** K - 1, stepsReplayed: 60 },
    },
    estimates: estimates.map((e) => ({ ...e, costFraction: 0.04, agreement: agreement(e.effects, truth) })),
    createdAt: '2026-01-01T00:00:01.000Z',
  };
  const results: Results = {
    format: 'stagecredit-results', version: 1,
    run: {
      name: opts.text ? `run ${opts.text}` : 'synthetic run', description: opts.text ? `description ${opts.text}` : 'A synthetic pipeline.',
      stages: names.map((name, k) => ({
        name, description: opts.text ? `stage description ${opts.text}` : `stage ${k}`, startStep: k * 10, endStep: k * 10 + 10,
        data: opts.text ? `data ${opts.text}` : 'a', dataSummary: 'blobs (100 examples), batch 10', optimizer: 'SGD lr 0.1, constant lr',
        trainLoss: 0.3, evalLoss: 0.4, evalAccuracy: 0.8 + 0.05 * k,
      })),
      totalSteps: K * 10, trainSeconds: 0.1,
    },
    attribution, validation,
  };
  if (opts.extras !== false) {
    results.topExamples = {
      stage: 1, behaviour: 'meanLoss', estimator: 'hessian-free (per example)',
      examples: [
        { index: 3, contribution: 0.02, label: opts.text ?? '1', groups: { colour: opts.text ?? 'red' }, image: { channels: 1, height: 2, width: 2, pixels: [0, 0.5, 1, 0.25] } },
        { index: 9, contribution: -0.01, label: '0', text: opts.text ?? 'some training text' },
        { index: 11, contribution: 0.005, label: '2', image: { channels: 3, height: 1, width: 2, pixels: [1, 0, 0, 1, 0, 0] } },
      ],
    };
    results.intervention = {
      description: opts.text ? `intervention ${opts.text}` : 'Skip stage finetune and retrain.',
      before: { accuracy: 0.8, worstGroupAccuracy: 0.5, perGroup: [{ name: opts.text ?? 'group a', accuracy: 0.5, loss: 1.1 }, { name: 'group b', accuracy: 0.9, loss: 0.3 }] },
      after: { accuracy: 0.82, worstGroupAccuracy: 0.7, perGroup: [{ name: opts.text ?? 'group a', accuracy: 0.7, loss: 0.8 }, { name: 'group b', accuracy: 0.88, loss: 0.35 }] },
    };
  }
  return results;
}

/** A three-stage SGD pipeline on Gaussian blobs (SGD throughout, so per-example attribution works everywhere). */
export function blobsManifest(description = 'Three SGD stages on Gaussian blobs.'): Record<string, unknown> {
  return sharedBlobs({
    name: 'blobs-report',
    description,
    model: { kind: 'mlp', inputDim: 8, hidden: [16], numClasses: 3, activation: 'tanh' },
    dim: 8, n: 200, evalN: 150, initSeed: 1,
    stages: [
      { name: 'pretrain', description: 'blobs, first draw', data: 'a', steps: 30, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.001 }, schedule: { kind: 'cosine' } },
      { name: 'finetune', description: 'blobs, second draw', data: 'b', epochs: 2, batchSize: 32, optimizer: { kind: 'sgd', lr: 0.05 } },
      { name: 'align', description: 'back to the first draw', data: 'a', steps: 20, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true } },
    ],
  });
}

/** Trains the manifest into `dir`, then writes attribution.json and validation.json (with subsets). */
export async function trainAttributeValidate(dir: string, manifest: Record<string, unknown>, opts: { validate?: boolean } = {}): Promise<Run> {
  const path = writeJson(`${dir}.manifest.json`, manifest);
  train(loadManifest(path), { out: dir });
  const run = openRun(dir);
  const report = attribute(run);
  writeAttribution(run, report);
  if (opts.validate !== false) writeValidation(run, await validate(run, { subsets: true, attribution: report }));
  return run;
}

/** Features of one example as a 1 x d RGB strip on a diverging map (blue < 0 < red), for the image path. */
function featureStrip(ds: Dataset, i: number): { channels: number; height: number; width: number; pixels: number[] } {
  const d = ds.x.length / ds.n;
  const row = Array.from(ds.x.subarray(i * d, (i + 1) * d));
  const scale = Math.max(1e-9, ...row.map(Math.abs));
  const t = row.map((v) => v / scale);
  const r = t.map((v) => (v > 0 ? 1 : 1 + v));
  const g = t.map((v) => 1 - Math.abs(v));
  const b = t.map((v) => (v < 0 ? 1 : 1 - v));
  return { channels: 3, height: 1, width: d, pixels: [...r, ...g, ...b] };
}

/** The stage's training examples with the largest per-example contributions to its effect on the mean test loss. */
export function topExamplesFor(run: Run, stage: number, count = 8): TopExamples {
  const { pipeline } = run;
  const behaviour = compileBehaviours([{ kind: 'meanLoss' }], pipeline.model, pipeline.evaluation!, pipeline.dtype);
  const split = perExampleEffects(run, stage, (p) => T.reshape(behaviour.evaluate(p), []));
  const data = pipeline.stages[stage].data;
  const order = Array.from(split.perExample.keys()).sort((a, b) => Math.abs(split.perExample[b]) - Math.abs(split.perExample[a])).slice(0, count);
  return {
    stage, behaviour: 'meanLoss', estimator: 'hessian-free, split per example',
    examples: order.map((i) => ({ index: i, contribution: split.perExample[i], label: `class ${data.y[i]}`, image: featureStrip(data, i) })),
  };
}

/** Retraining without the stage: accuracy overall and per class, before and after. */
export function skipStageIntervention(run: Run, stage: number): Intervention {
  const { model, evaluation } = run.pipeline;
  const ds: Dataset = { ...evaluation!, groups: { class: evaluation!.y }, groupNames: { class: ['class 0', 'class 1', 'class 2'] } };
  const outcome = (params: ReturnType<Run['finalParams']>) => {
    const groups = evaluateByGroup(model, params, ds, 'class');
    return {
      accuracy: evaluate(model, params, ds).accuracy,
      worstGroupAccuracy: Math.min(...groups.map((g) => g.metrics.accuracy)),
      perGroup: groups.map((g) => ({ name: g.name, accuracy: g.metrics.accuracy, loss: g.metrics.loss })),
    };
  };
  return {
    description: `Retrain without stage "${run.pipeline.stages[stage].name}" (later stages replayed unchanged) and compare with the model as trained.`,
    before: outcome(run.finalParams()),
    after: outcome(replaySkipping(run, [stage])),
  };
}

export const extrasPath = (dir: string): string => join(dir, 'results-extras.json');
