import type { Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';

/** What an estimate assumed, stated in its output. */
export interface Assumptions {
  /** How later steps' curvature is treated. */
  hessian: 'ignored' | 'none (H_t = 0)' | 'exact' | 'stage-stationary';
  /** Whether later stages' optimizer dynamics (schedules, momentum, weight decay) are propagated. */
  dynamics: boolean;
  /** Optimizer terms the estimate accounts for. */
  optimizerTerms: string[];
  notes: string[];
}

/** The optimizer terms every dynamics-aware estimator propagates through later stages. */
export const DYNAMICS_TERMS: readonly string[] = [
  'learning-rate schedule', 'momentum (dampening, Nesterov)', 'weight decay (coupled, decoupled)', 'optimizer state reset/carry',
];

/** What an estimate cost, measured. */
export interface Cost {
  seconds: number;
  gradients: number;
  hvps: number;
  jvps: number;
  forwards: number;
  /** Training steps recomputed along the factual trajectory. */
  stepsReplayed: number;
}

export function emptyCost(): Cost {
  return { seconds: 0, gradients: 0, hvps: 0, jvps: 0, forwards: 0, stepsReplayed: 0 };
}

/**
 * The expensive, behaviour-independent part of an estimate (dattri's "cache"): one stage
 * embedding e_k ≈ theta_T - theta_T^(-k) per stage, as a list shaped like the parameters.
 */
export interface StageEmbeddings {
  estimator: string;
  embeddings: Tensor[][];
  assumptions: Assumptions;
  cost: Cost;
}

export interface EstimatorOptions {
  /** Stage-stationary curvature: sub-segments per later stage (HVP refresh points). */
  curvatureSegments?: number;
  /** Stage-stationary curvature: examples in the sample each Hessian is taken on. */
  curvatureSample?: number;
  /** Stage-stationary curvature: Krylov dimension (HVPs per segment and perturbation). */
  curvatureRank?: number;
  /** Stage-stationary curvature on Adam/AdamW later stages (see StageCurvatureOptions.adam). */
  curvatureAdam?: 'trajectory' | 'stationary';
  /** coarse-replay: every N-th step of the later stages is taken (default COARSE_STRIDE). */
  coarseStride?: number;
  onProgress?: (message: string, fraction: number) => void;
}

/** Every embedding estimator: one name, one description, one expensive call. */
export interface StageEstimator {
  /** Stable id used on the command line and in output files. */
  readonly name: string;
  /** The rung of method.md's ladder it implements. */
  readonly rung: string;
  readonly description: string;
  embed(run: Run, opts?: EstimatorOptions): StageEmbeddings;
}
