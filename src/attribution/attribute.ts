import * as T from '../autodiff/index.js';
import { writeJsonAtomic } from '../io/index.js';
import { withRunLock, type ComputedFrom, type Run } from '../pipeline/index.js';
import { join } from 'node:path';
import { compileBehaviours, validateBehaviourSpec, type AnyBehaviour, type BehaviourSet, type BehaviourSpec, type Better } from './behaviours.js';
import { loadEmbeddings, saveEmbeddings } from './embeddingStore.js';
import { adjointEffects, getEstimator, type Assumptions, type Cost, type EstimatorOptions, type StageEmbeddings } from './estimators/index.js';
import { Readouts, type OutputMode } from './score.js';
import { assessTrust, referenceReadouts, trustContext, type EstimateTrust } from './trust.js';
import { spendBudgetSync, type BudgetRecord } from './budget.js';

export const SIGN_CONVENTION =
  'tau_k(f) = f(theta_T) - f(theta_T^(-k)): the final behaviour minus what it would have been had stage k never run. '
  + 'For a loss, tau_k < 0 means stage k lowered it (credit) and tau_k > 0 means it raised it (blame); for a score (margin, probability, accuracy) the reverse.';
export const UNITS = 'the behaviour\'s own units (cross-entropy in nats for losses; logits for margins; probability for probabilities)';

export interface AttributeOptions extends EstimatorOptions {
  /** Embedding estimators to run (default: task-vector, hessian-free, stage-curvature). */
  estimators?: string[];
  outputs?: OutputMode[];
  /** Behaviours (default: the manifest's evaluation behaviours, else every example's loss). */
  behaviours?: AnyBehaviour[];
  /** Also run E3-adjoint, once per behaviour (refused beyond `adjointLimit` behaviours). */
  adjoint?: boolean;
  adjointLimit?: number;
  /** Reuse stage embeddings stored in the run directory (default true). */
  reuse?: boolean;
  /**
   * Replay budget (budget.ts): replay the stages it covers exactly, estimate the rest. "0.5" (a
   * fraction of one full retraining), "30s", "0.25,120s" (the smaller), or "none". Default: no
   * replay here (the CLI defaults to DEFAULT_BUDGET). In this thread; see spendBudget for workers.
   */
  budget?: string;
}

export interface EstimateRecord {
  /** "<estimator>/<output>", e.g. "hessian-free/exact". */
  id: string;
  estimator: string;
  rung: string;
  output: OutputMode | 'adjoint';
  assumptions: Assumptions;
  /** Embedding cost (once per run) plus scoring cost (per behaviour set). */
  cost: Cost & { scoringSeconds: number; reused: boolean };
  /** effects[k][i]: estimated tau_k of behaviour i. */
  effects: number[][];
  /** Interval and grade per stage (absent in older files and for the adjoint). */
  trust?: EstimateTrust;
  /** replayed[k]: stage k's effects are its exact leave-one-out replay, not an estimate. */
  replayed?: boolean[];
}

export interface AttributionReport {
  format: 'stagecredit-attribution';
  version: 1;
  signConvention: string;
  units: string;
  run: { name: string; dir: string; stages: { name: string; startStep: number; endStep: number; description?: string }[] };
  /**
   * The behaviours, and the specs they were compiled from (so validation can rebuild them);
   * `specs` is null when a library caller used custom (code) behaviours.
   */
  behaviours: { names: string[]; better: Better[]; specs?: BehaviourSpec[] | null };
  /** f(theta_T) per behaviour. */
  factual: number[];
  /** The run these estimates were computed from (its fingerprint); absent in older files. */
  computedFrom?: ComputedFrom;
  estimates: EstimateRecord[];
  /** What the replay budget bought (absent when no budget was given). */
  budget?: BudgetRecord;
  createdAt: string;
}

export const DEFAULT_ESTIMATORS = ['task-vector', 'hessian-free', 'stage-curvature'];

/**
 * The estimate headlines quote when nothing else is asked for, chosen on the fidelity benchmark's
 * tuning half (bench/fidelity.bench.ts): among the estimates that need no replay it named the most
 * blamed and most credited stage as retraining most often (73 % of cases against 40 % for
 * stage-curvature/exact) at the same per-example correlation; exact output has the smaller
 * aggregate errors on middle and last stages. README, "How accurate are the estimators?".
 */
export const DEFAULT_ESTIMATE = 'stage-curvature/linear';

/** The behaviour set for a run: explicit, else the manifest's, else every evaluation example's loss. */
export function runBehaviours(run: Run, specs?: AnyBehaviour[]): BehaviourSet {
  const { pipeline } = run;
  if (!pipeline.evaluation) throw new Error(`${run.dir}: the pipeline has no evaluation data set; add "evaluation": { "data": ... } to the manifest`);
  const fromManifest = pipeline.manifest.evaluation?.behaviours?.map((b, i) => validateBehaviourSpec(b, `evaluation.behaviours[${i}]`));
  const chosen = specs ?? (fromManifest && fromManifest.length ? fromManifest : [{ kind: 'exampleLoss' as const }]);
  return compileBehaviours(chosen, pipeline.model, pipeline.evaluation, pipeline.dtype);
}

/** Runs the estimators on a finished run and returns every estimate with what it assumed and cost. */
export function attribute(run: Run, opts: AttributeOptions = {}): AttributionReport {
  if (opts.estimators && opts.estimators.length === 0 && !opts.adjoint) {
    throw new Error('attribute: no estimator chosen (an empty list would leave attribution.json without estimates); name at least one, e.g. -e stage-curvature');
  }
  const behaviours = runBehaviours(run, opts.behaviours);
  const final = run.finalParams();
  const estimates: EstimateRecord[] = [];
  // f(theta_T) and every distinct stage embedding are read out once for all estimators.
  const shared = new Readouts(behaviours, final);
  const readouts: { name: string; rung: string; emb: StageEmbeddings; both: Record<OutputMode, number[][]>; scoringSeconds: number; reused: boolean }[] = [];
  const names = opts.estimators ?? DEFAULT_ESTIMATORS;
  for (const [n, name] of names.entries()) {
    const est = getEstimator(name);
    // Progress names the estimator: several estimators report the same per-stage messages.
    const onProgress = opts.onProgress && ((m: string, f: number) => opts.onProgress!(`${name} (${n + 1}/${names.length}): ${m}`, f));
    let emb = opts.reuse === false ? null : loadEmbeddings(run, name, opts);
    const reused = emb !== null;
    onProgress?.(reused ? 'using the stage embeddings stored in the run directory' : 'computing stage embeddings', reused ? 1 : 0);
    if (!emb) {
      emb = est.embed(run, { ...opts, onProgress });
      saveEmbeddings(run, emb, opts);
    }
    const t0 = performance.now();
    const both = { linear: shared.effects('linear', emb.embeddings), exact: shared.effects('exact', emb.embeddings) };
    readouts.push({ name, rung: est.rung, emb, both, scoringSeconds: (performance.now() - t0) / 1000, reused });
  }
  // Intervals compare each estimate with the others; the task vector is always among them.
  const context = trustContext(run, behaviours);
  const reference = readouts.some((r) => r.name === 'task-vector') ? null : referenceReadouts(run, behaviours, final, shared);
  for (const r of readouts) {
    for (const output of opts.outputs ?? ['linear', 'exact']) {
      const others = [...readouts.filter((o) => o !== r).map((o) => o.both[output]), ...(reference ? [reference[output]] : [])];
      const trust = assessTrust({ context, estimator: r.name, output, ...r.both, others });
      estimates.push({
        id: `${r.name}/${output}`, estimator: r.name, rung: r.rung, output, assumptions: r.emb.assumptions,
        cost: { ...r.emb.cost, scoringSeconds: r.scoringSeconds, reused: r.reused }, effects: r.both[output], trust,
      });
    }
  }
  if (opts.adjoint) {
    const limit = opts.adjointLimit ?? 16;
    const m = behaviours.names.length;
    if (m > limit) throw new Error(`adjoint: ${m} behaviours is more than ${limit} (one backward sweep each); choose aggregate behaviours such as meanLoss or groupLoss, or raise the limit`);
    const K = run.pipeline.stages.length;
    const eff = Array.from({ length: K }, () => new Array<number>(m).fill(0));
    let cost: Cost | null = null;
    for (let i = 0; i < m; i++) {
      const pick = Int32Array.of(i);
      const onProgress = opts.onProgress && ((msg: string, f: number) => opts.onProgress!(`adjoint (behaviour ${i + 1}/${m}): ${msg}`, f));
      const r = adjointEffects(run, (p) => T.take(behaviours.evaluate(p), pick, []), onProgress);
      r.effects.forEach((v, k) => (eff[k][i] = v));
      cost = cost ? addCosts(cost, r.cost) : r.cost;
    }
    estimates.push({
      id: 'adjoint', estimator: 'adjoint', rung: 'E3-adjoint', output: 'adjoint',
      assumptions: { hessian: 'exact', dynamics: true, optimizerTerms: ['all (exact step Jacobians)'], notes: ['one backward sweep per behaviour'] },
      cost: { ...cost!, scoringSeconds: 0, reused: false }, effects: eff,
    });
  }
  const report: AttributionReport = {
    format: 'stagecredit-attribution', version: 1, signConvention: SIGN_CONVENTION, units: UNITS,
    run: {
      name: run.pipeline.manifest.name, dir: run.dir,
      stages: run.pipeline.stages.map((s) => ({ name: s.name, startStep: s.startStep, endStep: s.endStep, description: s.spec.description })),
    },
    behaviours: { names: behaviours.names, better: behaviours.better, specs: serialisableSpecs(behaviours) },
    factual: Array.from(shared.factual()),
    estimates,
    computedFrom: { run: run.fingerprint },
    createdAt: new Date().toISOString(),
  };
  return opts.budget === undefined ? report : spendBudgetSync(run, behaviours, report, opts.budget, (m) => opts.onProgress?.(m, 0), shared.factual());
}

function addCosts(a: Cost, b: Cost): Cost {
  return {
    seconds: a.seconds + b.seconds, gradients: a.gradients + b.gradients, hvps: a.hvps + b.hvps,
    jvps: a.jvps + b.jvps, forwards: a.forwards + b.forwards, stepsReplayed: a.stepsReplayed + b.stepsReplayed,
  };
}

/** The distinct specs behind a behaviour set, in order, or null if any is a custom function. */
function serialisableSpecs(b: BehaviourSet): BehaviourSpec[] | null {
  const distinct = [...new Set(b.specs)];
  return distinct.every((s) => !('fn' in s)) ? (distinct as BehaviourSpec[]) : null;
}

/** Writes attribution.json under the run's lock; refuses a report of another run or with no estimates. */
export function writeAttribution(run: Run, report: AttributionReport): string {
  const path = join(run.dir, 'attribution.json');
  if (report.estimates.length === 0) throw new Error(`${path}: refusing to write an attribution without estimates`);
  if (report.computedFrom && report.computedFrom.run !== run.fingerprint) throw new Error(`${path}: these estimates were computed from another run (fingerprint differs); recompute them on this run`);
  withRunLock(run.dir, 'attribute', () => writeJsonAtomic(path, report));
  return path;
}
