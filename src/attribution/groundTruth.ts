import type { Run } from '../pipeline/index.js';
import type { BehaviourSet } from './behaviours.js';
import { replayBehaviours, type GroundTruthOptions } from './replays.js';
import { MAX_SUBSET_STAGES, fullMask, skippedStages } from './subsets.js';

export { replayCost, type GroundTruthOptions, type ReplayProgress } from './replays.js';

// The retraining ground truth (method.md §2): counterfactual models by exact replay of the later
// stages with their factual batches and schedules.

/** What the replays cost, to report estimators as a fraction of retraining. */
export interface RetrainingCost {
  /** Wall seconds, behaviour evaluation included. */
  seconds: number;
  replays: number;
  /** Training steps recomputed; compare with run.pipeline.totalSteps. */
  stepsReplayed: number;
}

export interface GroundTruth extends RetrainingCost {
  behaviourNames: string[];
  stageNames: string[];
  /** f(theta_T) per behaviour. */
  factual: Float64Array;
  /** Per stage k: tau_k = f(theta_T) - f(theta_T^(-k)) per behaviour. */
  leaveOneOut: Float64Array[];
}

/** tau_k for every stage and behaviour: K replays, the k-th skipping stage k only. */
export async function leaveOneStageOut(run: Run, behaviours: BehaviourSet, opts: GroundTruthOptions = {}): Promise<GroundTruth> {
  const K = run.pipeline.stages.length;
  const r = await replayBehaviours(run, behaviours, Array.from({ length: K }, (_, k) => [k]), opts);
  const { factual } = r;
  return {
    behaviourNames: behaviours.names,
    stageNames: run.pipeline.stages.map((s) => s.name),
    factual,
    leaveOneOut: r.values.map((cf) => factual.map((f, i) => f - cf[i])),
    seconds: r.seconds,
    replays: r.replays,
    stepsReplayed: r.stepsReplayed,
  };
}

export interface SubsetTable extends RetrainingCost {
  K: number;
  behaviourNames: string[];
  stageNames: string[];
  /**
   * Index = bitmask of the KEPT stages (bit k = stage k kept): f of the model trained with only
   * those stages, in order. values[2^K - 1] = f(theta_T), values[0] = f(theta_0).
   */
  values: Float64Array[];
}

/** f for every subset of stages: 2^K - 1 replays. K <= 6 is practical; K > 8 is refused. */
export async function allSubsets(run: Run, behaviours: BehaviourSet, opts: GroundTruthOptions = {}): Promise<SubsetTable> {
  const K = run.pipeline.stages.length;
  if (K > MAX_SUBSET_STAGES) {
    throw new Error(`the subset table needs 2^${K} = ${2 ** K} replays for ${K} stages; it is limited to ${MAX_SUBSET_STAGES} stages (6 or fewer recommended). Use leave-one-out instead.`);
  }
  const masks = Array.from({ length: fullMask(K) + 1 }, (_, mask) => mask);
  const r = await replayBehaviours(run, behaviours, masks.map((mask) => skippedStages(mask, K)), opts);
  return {
    K,
    behaviourNames: behaviours.names,
    stageNames: run.pipeline.stages.map((s) => s.name),
    values: r.values,
    seconds: r.seconds,
    replays: r.replays,
    stepsReplayed: r.stepsReplayed,
  };
}
