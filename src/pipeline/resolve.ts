import { isAbsolute, resolve as resolvePath } from 'node:path';
import { buildRecipe, cachedRecipe, readDatasetFile, subset as subsetOf, type Dataset } from '../data/index.js';
import { readJsonFile } from '../io/index.js';
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
  /** Cap on each shuffled batch order's indices (see limits.ts); default the Int32 limit. */
  maxOrderIndices?: number;
}

function fileIn(baseDir: string, file: string): string {
  return isAbsolute(file) ? file : resolvePath(baseDir, file);
}

/** A JSON list file (bounded read; errors name the file, never quote it). */
function readJsonList(path: string, what: string): unknown[] {
  let v: unknown;
  try {
    v = readJsonFile(path);
  } catch (e) {
    throw new Error(`cannot read ${what}: ${(e as Error).message}`);
  }
  if (!Array.isArray(v)) throw new Error(`${path}: ${what} must be a JSON array`);
  return v;
}

/** Sample weights: one finite, non-negative number per example. */
function checkWeights(w: unknown[], source: string): Float64Array {
  const out = new Float64Array(w.length);
  w.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${source}[${i}]: a sample weight must be a finite number >= 0`);
    out[i] = v;
  });
  return out;
}

/** A trace read back from a run must fit the data: every index inside the stage's data. */
function checkTraceFits(b: BatchOrder, n: number, stage: string): void {
  for (let i = 0; i < b.indices.length; i++) {
    const v = b.indices[i];
    if (v < 0 || v >= n) throw new Error(`trace.safetensors: stage "${stage}" batch index ${v} (position ${i}) is outside its data (${n} examples); the trace does not belong to this data`);
  }
}

/**
 * The group columns the evaluation names (groupColumn, behaviours' columns) must exist in the
 * evaluation data: checked before training, not first by `attribute` after it.
 */
function checkEvaluationColumns(ev: NonNullable<Manifest['evaluation']>, data: Dataset, issue: (path: string, e: unknown) => Error): void {
  const columns = Object.keys(data.groups ?? {});
  const has = (c: string) => data.groups !== undefined && Object.hasOwn(data.groups, c);
  const known = () => `columns of "${ev.data}": ${columns.join(', ') || 'none'}`;
  if (ev.groupColumn !== undefined && !has(ev.groupColumn)) throw issue('evaluation.groupColumn', `no group column "${ev.groupColumn}" (${known()})`);
  ev.behaviours?.forEach((b, i) => {
    const column = (b as { column?: unknown }).column;
    if (typeof column === 'string' && !has(column)) throw issue(`evaluation.behaviours[${i}].column`, `no group column "${column}" (${known()})`);
  });
}

/** Loads data sets and the model, and fixes every stage's batches and learning rates. */
export function resolvePipeline(loaded: LoadedManifest, opts: ResolveOptions = {}): ResolvedPipeline {
  const { manifest, baseDir } = loaded;
  const issue = (path: string, e: unknown) => new ManifestError(loaded.path, [issueAt(path, e)]);
  const model = createModel(manifest.model, { baseDir });
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
    if (!Object.hasOwn(datasets, spec.data)) throw issue(`${at}.data`, `unknown data set "${spec.data}"`);
    let data = datasets[spec.data];
    if (spec.subset) {
      let idx: number[];
      try {
        idx = Array.isArray(spec.subset) ? spec.subset : (readJsonList(fileIn(baseDir, spec.subset.file), 'subset') as number[]);
      } catch (e) {
        throw issue(`${at}.subset`, e);
      }
      const bad = idx.find((i) => !Number.isInteger(i) || i < 0 || i >= data.n);
      if (bad !== undefined) throw issue(`${at}.subset`, `index ${typeof bad === 'number' ? bad : `of type ${typeof bad}`} is out of range for "${spec.data}" (${data.n} examples)`);
      data = subsetOf(data, idx);
    }
    let sampleWeights: Float64Array | null = null;
    if (spec.sampleWeights) {
      try {
        const w = Array.isArray(spec.sampleWeights) ? spec.sampleWeights : readJsonList(fileIn(baseDir, spec.sampleWeights.file), 'sample weights');
        const source = Array.isArray(spec.sampleWeights) ? `${at}.sampleWeights` : fileIn(baseDir, spec.sampleWeights.file);
        sampleWeights = checkWeights(w, source);
      } catch (e) {
        throw issue(`${at}.sampleWeights`, e);
      }
      if (sampleWeights.length !== data.n) throw issue(`${at}.sampleWeights`, `${sampleWeights.length} weights for ${data.n} examples`);
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
    const traced = opts.trace?.[k]?.batches;
    if (traced) checkTraceFits(traced, data.n, spec.name);
    try {
      batches = traced
        ?? ('file' in spec.batchOrder
          ? readExplicitBatches(fileIn(baseDir, spec.batchOrder.file), data.n)
          : shuffledBatches(data.n, { seed: spec.batchOrder.seed, batchSize: spec.batchSize, steps: spec.steps, epochs: spec.epochs, dropLast: spec.dropLast, maxIndices: opts.maxOrderIndices }));
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
  if (opts.trace && opts.trace.length !== manifest.stages.length) throw new Error(`trace.safetensors holds ${opts.trace.length} stages but the manifest has ${manifest.stages.length}`);
  if (manifest.evaluation && !Object.hasOwn(datasets, manifest.evaluation.data)) throw issue('evaluation.data', `unknown data set "${manifest.evaluation.data}"`);
  const evaluation = manifest.evaluation ? datasets[manifest.evaluation.data] : null;
  if (evaluation && manifest.evaluation) checkEvaluationColumns(manifest.evaluation, evaluation, issue);
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
