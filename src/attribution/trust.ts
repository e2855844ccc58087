import type { Run } from '../pipeline/index.js';
import type { Tensor } from '../tensor/index.js';
import type { BehaviourSet } from './behaviours.js';
import type { StageEmbeddings } from './estimators/types.js';
import type { OutputMode } from './score.js';

// How far one estimate can be trusted: an interval per (stage, behaviour) and a reliability grade
// per stage. This file is the contract between the estimators (which produce intervals) and the
// conclusions every surface shows (which read them). `EstimateTrust` and the `trust` / `replayed`
// fields of `EstimateRecord` are the contract; `assessTrust`'s inputs may grow.

/** Reliability of one stage's estimate; 'exact' only for a stage replaced by its exact replay. */
export type Grade = 'exact' | 'high' | 'medium' | 'low';

export interface EstimateTrust {
  /** Nominal coverage of the intervals, e.g. 0.9. */
  level: number;
  /** lo[k][i] <= tau_k(f_i) <= hi[k][i] with the nominal coverage. */
  lo: number[][];
  hi: number[][];
  /** Per stage. */
  grade: Grade[];
  /** Per stage: the signals behind the grade, in words a user can read. */
  reasons: string[][];
  /** How the intervals were made and what they were calibrated on, in one sentence. */
  method: string;
}

export interface TrustInputs {
  run: Run;
  behaviours: BehaviourSet;
  finalParams: Tensor[];
  embeddings: StageEmbeddings;
  /** The output the interval is for. */
  output: OutputMode;
  /** Both read-outs of the same embeddings: effects[k][i]. */
  linear: number[][];
  exact: number[][];
}

const LEVEL = 0.9;

/**
 * Initial, uncalibrated rule: the half-width is twice the disagreement between the linear and
 * exact read-outs of the same embedding, which is zero only where the behaviour is linear along
 * e_k. To be replaced by a calibrated model (issue 13).
 */
export function assessTrust(inputs: TrustInputs): EstimateTrust {
  const { linear, exact, output } = inputs;
  const chosen = output === 'linear' ? linear : exact;
  const lo: number[][] = [];
  const hi: number[][] = [];
  const grade: Grade[] = [];
  const reasons: string[][] = [];
  chosen.forEach((row, k) => {
    const w = row.map((_, i) => 2 * Math.abs(linear[k][i] - exact[k][i]));
    lo.push(row.map((v, i) => v - w[i]));
    hi.push(row.map((v, i) => v + w[i]));
    const scale = Math.max(1e-12, ...row.map(Math.abs));
    const rel = Math.max(0, ...w) / scale;
    grade.push(rel < 0.1 ? 'high' : rel < 0.5 ? 'medium' : 'low');
    reasons.push([`linear and exact read-outs differ by ${(100 * rel / 2).toFixed(0)} % of the largest effect`]);
  });
  return { level: LEVEL, lo, hi, grade, reasons, method: 'uncalibrated: twice the linear/exact disagreement' };
}
