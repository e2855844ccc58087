import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { validateBehaviourSpec } from '../attribution/behaviourSpec.js';
import { readJsonFile } from '../io/index.js';
import { validateModelConfig, type ModelConfig } from '../nn/index.js';
import { validateOptimizerSpec, validateScheduleSpec, type OptimizerSpec, type ScheduleSpec } from '../optim/index.js';

// The pipeline manifest: the model, its initial weights, the data sets, the evaluation set and
// the ordered stages. zod checks the structure; the optimizer, schedule and model specs are
// checked by their own modules; cross-field rules are checked last. Every error names its field.

const fileRef = z.object({ file: z.string().min(1) }).strict();
const intList = z.array(z.number().int().nonnegative());

const datasetSpec = z.union([
  fileRef,
  z.object({ recipe: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

const stageSchema = z.object({
  name: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  description: z.string().optional(),
  data: z.string().min(1),
  /** Indices into the data set (or a JSON file holding such a list). */
  subset: z.union([intList, fileRef]).optional(),
  /** One non-negative weight per example of the stage's data (after subset). */
  sampleWeights: z.union([z.array(z.number().nonnegative()), fileRef]).optional(),
  steps: z.number().int().positive().optional(),
  epochs: z.number().int().positive().optional(),
  batchSize: z.number().int().positive(),
  /** A seed for shuffled epochs, or a JSON file with an explicit list of batches (index lists). */
  batchOrder: z.union([z.object({ seed: z.number().int() }).strict(), fileRef]).default({ seed: 0 }),
  dropLast: z.boolean().default(false),
  optimizer: z.unknown(),
  schedule: z.unknown().default({ kind: 'constant' }),
  /** Optimizer state at the start of the stage: a new optimizer (reset) or the previous stage's. */
  optimizerState: z.enum(['reset', 'carry']).default('reset'),
  /** Parameter names (or prefixes ending in '.') trained in this stage; the rest are frozen. */
  trainable: z.array(z.string().min(1)).optional(),
  frozen: z.array(z.string().min(1)).optional(),
  /** torch.nn.utils.clip_grad_norm_(trainable parameters, clipGradNorm) before every optimizer step. */
  clipGradNorm: z.number().positive().finite().optional(),
}).strict();

const behaviourSpec = z.object({ kind: z.string().min(1) }).passthrough();

const manifestSchema = z.object({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  name: z.string().min(1),
  description: z.string().optional(),
  dtype: z.enum(['float64', 'float32']).default('float64'),
  model: z.unknown(),
  /**
   * Training objective: softmax cross-entropy; squared error to one-hot targets (with a linear
   * model the loss is quadratic in theta); or -logit[label] (linear in theta for a linear model,
   * so H = 0). The last two exist mainly for the method's closed-form checks.
   */
  loss: z.enum(['crossEntropy', 'mse', 'linear']).default('crossEntropy'),
  init: z.union([z.object({ seed: z.number().int() }).strict(), fileRef]).default({ seed: 0 }),
  datasets: z.record(z.string().min(1), datasetSpec),
  evaluation: z.object({
    data: z.string().min(1),
    /** Group column used by group behaviours and reports. */
    groupColumn: z.string().optional(),
    behaviours: z.array(behaviourSpec).optional(),
  }).strict().optional(),
  stages: z.array(stageSchema).min(1),
  /** Also checkpoint every N steps inside stages (0: only at stage boundaries). */
  checkpointEvery: z.number().int().nonnegative().default(0),
  /** When a finite loss counts as divergence (see pipeline/divergence.ts); defaults apply when absent. */
  divergence: z.object({
    factor: z.number().gt(1).finite(),
    minLoss: z.number().nonnegative().finite(),
    enabled: z.boolean(),
  }).partial().strict().optional(),
}).strict();

type RawManifest = z.infer<typeof manifestSchema>;
export type DatasetSpec = z.infer<typeof datasetSpec>;
export type ManifestBehaviour = z.infer<typeof behaviourSpec>;

export interface StageSpec extends Omit<z.infer<typeof stageSchema>, 'optimizer' | 'schedule'> {
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
}

export interface Manifest extends Omit<RawManifest, 'model' | 'stages'> {
  model: ModelConfig;
  stages: StageSpec[];
}

export interface ManifestIssue { path: string; message: string }

export class ManifestError extends Error {
  constructor(readonly source: string, readonly issues: ManifestIssue[]) {
    super(`invalid pipeline manifest ${source}:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/**
 * An error from a sub-validator as an issue at `path`. Sub-validators often name the field
 * themselves ("stages[0].optimizer.betas[0] must be ..."): their more precise path is used
 * instead of repeating ours.
 */
export function issueAt(path: string, e: unknown): ManifestIssue {
  const message = e instanceof Error ? e.message : String(e);
  const own = path && message.startsWith(path) ? /^(\S+?):? (.*)$/s.exec(message) : null;
  return own ? { path: own[1], message: own[2] } : { path, message };
}

function check(issues: ManifestIssue[], path: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    issues.push(issueAt(path, e));
  }
}

/** Validates a parsed JSON value as a manifest; `source` names it in errors. */
export function parseManifest(value: unknown, source = 'manifest'): Manifest {
  // zod copies records by assignment, where a "__proto__" key would vanish into the prototype.
  const rawDatasets = (value as { datasets?: unknown } | null)?.datasets;
  if (rawDatasets && typeof rawDatasets === 'object' && Object.hasOwn(rawDatasets, '__proto__')) {
    throw new ManifestError(source, [{ path: 'datasets.__proto__', message: 'reserved name; choose another data set name' }]);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    throw new ManifestError(source, parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
  }
  const raw = parsed.data;
  const issues: ManifestIssue[] = [];
  let model: ModelConfig | undefined;
  check(issues, 'model', () => (model = validateModelConfig(raw.model, 'model')));
  const stages: StageSpec[] = [];
  const names = new Set<string>();
  raw.stages.forEach((s, i) => {
    const at = `stages[${i}]`;
    if (names.has(s.name)) issues.push({ path: `${at}.name`, message: `duplicate stage name "${s.name}"` });
    names.add(s.name);
    if (!Object.hasOwn(raw.datasets, s.data)) issues.push({ path: `${at}.data`, message: `unknown data set "${s.data}" (known: ${Object.keys(raw.datasets).join(', ') || 'none'})` });
    if ((s.steps === undefined) === (s.epochs === undefined)) issues.push({ path: at, message: 'give exactly one of "steps" or "epochs"' });
    if (s.trainable && s.frozen) issues.push({ path: at, message: 'give at most one of "trainable" or "frozen"' });
    let optimizer: OptimizerSpec | undefined;
    check(issues, `${at}.optimizer`, () => (optimizer = validateOptimizerSpec(s.optimizer, `${at}.optimizer`)));
    // With "epochs" the step count is known only once the data is loaded (resolve.ts checks an
    // explicit schedule's length then); until then an explicit list is checked against itself.
    const explicitLrs = (s.schedule as { lrs?: unknown } | null | undefined)?.lrs;
    const provisionalSteps = s.steps ?? (Array.isArray(explicitLrs) ? explicitLrs.length : Number.MAX_SAFE_INTEGER);
    let schedule: ScheduleSpec | undefined;
    check(issues, `${at}.schedule`, () => (schedule = validateScheduleSpec(s.schedule, provisionalSteps, `${at}.schedule`)));
    if (s.optimizerState === 'carry') {
      const prev = raw.stages[i - 1];
      if (!prev) issues.push({ path: `${at}.optimizerState`, message: 'the first stage has no optimizer state to carry' });
      else if (optimizer && typeof prev.optimizer === 'object' && prev.optimizer && (prev.optimizer as { kind?: unknown }).kind !== optimizer.kind) {
        issues.push({ path: `${at}.optimizerState`, message: `cannot carry ${String((prev.optimizer as { kind?: unknown }).kind)} state into an optimizer of kind ${optimizer.kind}` });
      }
    }
    if (optimizer && schedule) stages.push({ ...s, optimizer, schedule });
  });
  if (raw.evaluation && !Object.hasOwn(raw.datasets, raw.evaluation.data)) {
    issues.push({ path: 'evaluation.data', message: `unknown data set "${raw.evaluation.data}"` });
  }
  // Behaviours are checked now, not first at `attribute` time after a long training run.
  raw.evaluation?.behaviours?.forEach((b, i) => check(issues, `evaluation.behaviours[${i}]`, () => validateBehaviourSpec(b, `evaluation.behaviours[${i}]`)));
  if (issues.length > 0) throw new ManifestError(source, issues);
  return { ...raw, model: model!, stages };
}

export interface LoadedManifest {
  manifest: Manifest;
  /** Directory that relative file references are resolved against. */
  baseDir: string;
  path: string;
}

/** Manifests are small; anything larger is not one. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export function loadManifest(path: string): LoadedManifest {
  const abs = resolve(path);
  let json: unknown;
  try {
    json = readJsonFile(abs, MAX_MANIFEST_BYTES);
  } catch (e) {
    // The reader's message names the file and the problem without quoting the file's content.
    throw new ManifestError(path, [{ path: '', message: (e as Error).message.replace(`${abs}: `, '') }]);
  }
  return { manifest: parseManifest(json, path), baseDir: dirname(abs), path: abs };
}
