import { join } from 'node:path';
import { writeJsonAtomic } from '../io/index.js';
import { checkReplay, digestJson, withRunLock, type BoundaryAgreement, type ComputedFrom, type Run } from '../pipeline/index.js';
import { agreement, type Agreement } from './agreement.js';
import { attribute, runBehaviours, SIGN_CONVENTION, UNITS, type AttributeOptions, type AttributionReport, type EstimateRecord } from './attribute.js';
import { allSubsets, leaveOneStageOut, type RetrainingCost } from './groundTruth.js';
import { seedNoise, type SeedNoise } from './seedNoise.js';
import { addOneFromTable, additivityGap, pairwiseInteractions, shapleyValues, type InteractionTable } from './shapley.js';

export interface ValidatedEstimate extends EstimateRecord {
  /** Estimator seconds (embedding + scoring) over leave-one-out retraining seconds, measured. */
  costFraction: number;
  agreement: Agreement;
}

export interface SubsetAnalysis {
  /** values[mask][i]: behaviour i of the model trained with only the stages in `mask` (bit k = stage k kept). */
  values: number[][];
  shapley: number[][];
  addOne: number[][];
  /** (f(all) - f(none)) - sum_k tau_k per behaviour: how far leave-one-out effects are from adding up. */
  additivityGap: number[];
  interactions: InteractionTable;
  cost: RetrainingCost;
}

export interface ValidationReport {
  format: 'stagecredit-validation';
  version: 1;
  signConvention: string;
  units: string;
  run: AttributionReport['run'];
  behaviours: AttributionReport['behaviours'];
  factual: number[];
  truth: { leaveOneOut: number[][]; cost: RetrainingCost };
  subsets: SubsetAnalysis | null;
  /** The truth's own spread across batch-order seeds, when asked for (absent in older files). */
  noise?: SeedNoise | null;
  estimates: ValidatedEstimate[];
  /**
   * For a run recorded outside stagecredit (run.json "recordedBy"): the factual run replayed from
   * theta_0 against each recorded boundary checkpoint. Absent for runs stagecredit trained.
   */
  recordedReplay?: BoundaryAgreement[];
  /** The run and the attribution report (digest) this validation checked; absent in older files. */
  computedFrom?: ComputedFrom;
  createdAt: string;
}

export interface ValidateOptions extends AttributeOptions {
  /** Also replay all 2^K stage subsets: Shapley values and interactions (K <= 8). */
  subsets?: boolean;
  /** Worker threads for the replays (default 1: in process). */
  workers?: number;
  /** Also retrain with this many other batch-order seeds to measure the truth's own noise. */
  seeds?: number;
  /** Estimates to check; computed with the same options when absent. */
  attribution?: AttributionReport;
  onReplay?: (done: number, total: number) => void;
  /** With `seeds`: called before the whole pipeline is retrained with batch-order seed s of N. */
  onSeed?: (seed: number, seeds: number) => void;
}

const rows = (a: ArrayLike<number>[]) => a.map((x) => Array.from(x));

/** Retrains without each stage (and optionally every subset) and scores every estimate against it. */
export async function validate(run: Run, opts: ValidateOptions = {}): Promise<ValidationReport> {
  // Validate the behaviours asked for, else those the given attribution recorded, else the default.
  const specs = opts.behaviours ?? opts.attribution?.behaviours.specs ?? undefined;
  const behaviours = runBehaviours(run, specs);
  const report = opts.attribution ?? attribute(run, { ...opts, behaviours: specs });
  if (report.behaviours.names.join('\n') !== behaviours.names.join('\n')) {
    throw new Error(`validate: the attribution holds behaviours ${preview(report.behaviours.names)} but validation would compute ${preview(behaviours.names)}; pass the same behaviours to both`);
  }
  const onProgress = opts.onReplay ? (p: { done: number; total: number }) => opts.onReplay!(p.done, p.total) : undefined;
  const truth = await leaveOneStageOut(run, behaviours, { workers: opts.workers, onProgress });
  const truthCost = { seconds: truth.seconds, replays: truth.replays, stepsReplayed: truth.stepsReplayed };
  let subsets: SubsetAnalysis | null = null;
  if (opts.subsets) {
    const table = await allSubsets(run, behaviours, { workers: opts.workers, onProgress });
    subsets = {
      values: rows(table.values), shapley: rows(shapleyValues(table)), addOne: rows(addOneFromTable(table)),
      additivityGap: Array.from(additivityGap(table)), interactions: pairwiseInteractions(table),
      cost: { seconds: table.seconds, replays: table.replays, stepsReplayed: table.stepsReplayed },
    };
  }
  const noise = opts.seeds ? await seedNoise(run, (r) => runBehaviours(r, specs), {
    extraSeeds: opts.seeds, workers: opts.workers, onProgress, onRun: opts.onSeed && ((s) => opts.onSeed!(s, opts.seeds!)),
  }) : null;
  const estimates = report.estimates.map((e) => ({
    ...e,
    costFraction: (e.cost.seconds + e.cost.scoringSeconds) / Math.max(truth.seconds, 1e-9),
    agreement: agreement(e.effects, truth.leaveOneOut),
  }));
  const recordedReplay = run.status.recordedBy ? checkReplay(run) : undefined;
  return {
    format: 'stagecredit-validation', version: 1, signConvention: SIGN_CONVENTION, units: UNITS,
    run: report.run, behaviours: report.behaviours, factual: report.factual,
    truth: { leaveOneOut: rows(truth.leaveOneOut), cost: truthCost }, subsets, noise, estimates, recordedReplay,
    computedFrom: { run: run.fingerprint, attribution: digestJson(report) },
    createdAt: new Date().toISOString(),
  };
}

function preview(names: string[]): string {
  return `[${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … ${names.length} in all` : ''}]`;
}

export function writeValidation(run: Run, report: ValidationReport): string {
  const path = join(run.dir, 'validation.json');
  if (report.computedFrom && report.computedFrom.run !== run.fingerprint) throw new Error(`${path}: this validation was computed from another run (fingerprint differs); rerun it on this run`);
  withRunLock(run.dir, 'validate', () => writeJsonAtomic(path, report));
  return path;
}
