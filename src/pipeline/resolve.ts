import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { buildRecipe, cachedRecipe, readDatasetFile, subset as subsetOf, type Dataset } from '../data/index.js';
import { createModel, loadParams, type Model } from '../nn/index.js';
import { createOptimizer, resolveSchedule, validateScheduleSpec, type Optimizer } from '../optim/index.js';
import { Rng, type DType, type Tensor } from '../tensor/index.js';
import { batchCount, readExplicitBatches, shuffledBatches, type BatchOrder } from './batches.js';
import { issueAt, ManifestError, type LoadedManifest, type Manifest, type StageSpec } from './manifest.js';
import type { TrainingLoss } from './trainingStep.js';

/** A stage with everything resolved: its data view, batches, learning rates and optimizer. */
export interface ResolvedStage {
  index: number;
  spec: StageSpec;
  name: string;
  /** The stage's data after `subset`; batch indices point into it. */
  data: Dataset;
  sampleWeights: Float64Array | null;
  batches: BatchOrder;
  /** eta_t for each of the stage's steps. */
  lrs: Float64Array;
  optimizer: Optimizer;
  /** Indices (into model.params) of the parameters this stage trains, in order. */
  trainable: number[];
  carryState: boolean;
  /** The pipeline's training objective. */
  loss: TrainingLoss;
  steps: number;
  /** Global step range [startStep, endStep) = [T_{k-1}, T_k). */
  startStep: number;
  endStep: number;
}

export interface ResolvedPipeline {
  manifest: Manifest;
  baseDir: string;
  model: Model;
  dtype: DType;
  datasets: Record<string, Dataset>;
  evaluation: Dataset | null;
  stages: ResolvedStage[];
  /** T_0..T_K. */
  boundaries: number[];
  totalSteps: number;
  initialParams(): Tensor[];
}

export interface ResolveOptions {
  /** Batch orders and learning rates read back from a run (replays never re-derive them). */
  trace?: { batches: BatchOrder; lrs: Float64Array }[];
}

function fileIn(baseDir: string, file: string): string {
  return isAbsolute(file) ? file : resolvePath(baseDir, file);
}

function readJsonList(path: string, what: string): unknown[] {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(v)) throw new Error('expected a JSON array');
    return v;
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${(e as Error).message})`);
  }
}

/** Loads data sets and the model, and fixes every stage's batches and learning rates. */
export function resolvePipeline(loaded: LoadedManifest, opts: ResolveOptions = {}): ResolvedPipeline {
  const { manifest, baseDir } = loaded;
  const issue = (path: string, e: unknown) => new ManifestError(loaded.path, [issueAt(path, e)]);
  const model = createModel(manifest.model);
  const datasets: Record<string, Dataset> = {};
  for (const [name, spec] of Object.entries(manifest.datasets)) {
    try {
      // Both return validated data sets; recipes come from the content-addressed cache (src/data/cache.ts).
      datasets[name] = 'file' in spec ? readDatasetFile(fileIn(baseDir, spec.file)) : cachedRecipe(spec.recipe, spec.options, () => buildRecipe(spec.recipe, spec.options, `datasets.${name}`));
    } catch (e) {
      throw issue(`datasets.${name}`, e);
    }
    const ds = datasets[name];
    const per = ds.featureShape.reduce((a, b) => a * b, 1);
    const want = model.inputShape.reduce((a, b) => a * b, 1);
    if (per !== want) throw issue(`datasets.${name}`, `examples have shape [${ds.featureShape}] (${per} values) but the model expects [${model.inputShape}] (${want})`);
    if (ds.numClasses > model.numClasses) throw issue(`datasets.${name}`, `${ds.numClasses} classes but the model has ${model.numClasses} outputs`);
  }
  const names = model.params.map((p) => p.name);
  const matches = (pattern: string, name: string) => (pattern.endsWith('.') ? name.startsWith(pattern) : name === pattern);
  const stages: ResolvedStage[] = [];
  let step = 0;
  manifest.stages.forEach((spec, k) => {
    const at = `stages[${k}]`;
    let data = datasets[spec.data];
    if (spec.subset) {
      const idx = Array.isArray(spec.subset) ? spec.subset : (readJsonList(fileIn(baseDir, spec.subset.file), 'subset') as number[]);
      const bad = idx.find((i) => !Number.isInteger(i) || i < 0 || i >= data.n);
      if (bad !== undefined) throw issue(`${at}.subset`, `index ${bad} is out of range for "${spec.data}" (${data.n} examples)`);
      data = subsetOf(data, idx);
    }
    let sampleWeights: Float64Array | null = null;
    if (spec.sampleWeights) {
      const w = Array.isArray(spec.sampleWeights) ? spec.sampleWeights : (readJsonList(fileIn(baseDir, spec.sampleWeights.file), 'sample weights') as number[]);
      if (w.length !== data.n) throw issue(`${at}.sampleWeights`, `${w.length} weights for ${data.n} examples`);
      sampleWeights = Float64Array.from(w);
    }
    const patterns = spec.trainable ?? spec.frozen;
    for (const p of patterns ?? []) {
      if (!names.some((n) => matches(p, n))) throw issue(`${at}.${spec.trainable ? 'trainable' : 'frozen'}`, `"${p}" matches no parameter (parameters: ${names.join(', ')})`);
    }
    const trainable = names.flatMap((n, i) => {
      const listed = (patterns ?? []).some((p) => matches(p, n));
      return (spec.trainable ? listed : !listed) ? [i] : [];
    });
    if (trainable.length === 0) throw issue(at, 'the stage trains no parameter');
    if (spec.optimizerState === 'carry' && stages[k - 1] && stages[k - 1].trainable.join() !== trainable.join()) {
      throw issue(`${at}.optimizerState`, 'carried optimizer state needs the same trainable parameters as the previous stage');
    }
    let batches: BatchOrder;
    try {
      batches = opts.trace?.[k]?.batches
        ?? ('file' in spec.batchOrder
          ? readExplicitBatches(fileIn(baseDir, spec.batchOrder.file), data.n)
          : shuffledBatches(data.n, { seed: spec.batchOrder.seed, batchSize: spec.batchSize, steps: spec.steps, epochs: spec.epochs, dropLast: spec.dropLast }));
    } catch (e) {
      throw issue(`${at}.batchOrder`, e);
    }
    const steps = batchCount(batches);
    if (spec.steps !== undefined && steps !== spec.steps) throw issue(`${at}.batchOrder`, `${steps} batches for ${spec.steps} steps`);
    let lrs: Float64Array;
    try {
      lrs = opts.trace?.[k]?.lrs ?? resolveSchedule(validateScheduleSpec(spec.schedule, steps, `${at}.schedule`), spec.optimizer.lr, steps);
    } catch (e) {
      throw issue(`${at}.schedule`, e);
    }
    stages.push({
      index: k, spec, name: spec.name, data, sampleWeights, batches, lrs, optimizer: createOptimizer(spec.optimizer),
      trainable, carryState: spec.optimizerState === 'carry', loss: manifest.loss, steps, startStep: step, endStep: step + steps,
    });
    step += steps;
  });
  const evaluation = manifest.evaluation ? datasets[manifest.evaluation.data] : null;
  const initialParams = (): Tensor[] => {
    const init = manifest.init;
    if ('file' in init) {
      try {
        return loadParams(fileIn(baseDir, init.file), model, manifest.dtype);
      } catch (e) {
        throw issue('init.file', e);
      }
    }
    return model.init(new Rng(init.seed), manifest.dtype);
  };
  return {
    manifest, baseDir, model, dtype: manifest.dtype, datasets, evaluation, stages,
    boundaries: [0, ...stages.map((s) => s.endStep)], totalSteps: step, initialParams,
  };
}
