import type { OutputMode } from './score.js';
import { CALIBRATION, CALIBRATION_SOURCE } from './trust/calibration.js';
import { halfWidth, type Calibration, type Coefficients } from './trust/model.js';
import { signals, type TrustContext } from './trust/signals.js';

export { trustContext, referenceReadouts, type TrustContext, type BehaviourClass, type StageRegime, type Signal } from './trust/signals.js';
export type { Calibration, Coefficients } from './trust/model.js';

// How far one estimate can be trusted: an interval per (stage, behaviour) and a reliability grade
// per stage. This file is the contract between the estimators (which produce intervals) and the
// conclusions every surface shows (which read them). `EstimateTrust` and the `trust` / `replayed`
// fields of `EstimateRecord` are the contract.

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
  context: TrustContext;
  estimator: string;
  /** The output the interval is for. */
  output: OutputMode;
  /** Both read-outs of this estimate's embeddings: effects[k][i]. */
  linear: number[][];
  exact: number[][];
  /** Other estimates' effects in the same output mode (the task-vector reference at least). */
  others: number[][][];
  /** Defaults to the shipped calibration (fitted on the benchmark's tuning half). */
  calibration?: Calibration;
}

export const TRUST_LEVEL = 0.9;

/** Used where the benchmark's tuning half had no cases for an estimate (e.g. hessian-aware): wide on purpose. */
const FALLBACK: Coefficients = { a: 1, b: 0.5, c: 0.5, q: 2, n: 0 };

/** Grade thresholds on the stage's summed half-width over its summed |estimate|. */
export const GRADE_THRESHOLDS = { highBelow: 0.25, mediumBelow: 1 };

/** The grade of a stage whose summed half-width is `rel` times its summed |estimate|. */
export function gradeFor(rel: number, t = GRADE_THRESHOLDS): Exclude<Grade, 'exact'> {
  return rel < t.highBelow ? 'high' : rel < t.mediumBelow ? 'medium' : 'low';
}

const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

/**
 * Intervals and grades for one estimate. The last stage is special: every shipped estimator's
 * embedding is exact there (the stage's own update), so the exact read-out is the truth itself
 * and the interval reaches from the estimate to it. Elsewhere the half-width is the calibrated
 * model of trust/model.ts.
 */
export function assessTrust(inputs: TrustInputs): EstimateTrust {
  const { context, linear, exact, output } = inputs;
  const calibration = inputs.calibration ?? CALIBRATION;
  const id = `${inputs.estimator}/${output}`;
  const chosen = output === 'linear' ? linear : exact;
  const sig = signals(chosen, linear, exact, inputs.others, context.classes);
  const lo: number[][] = [];
  const hi: number[][] = [];
  const grade: Grade[] = [];
  const reasons: string[][] = [];
  let fallback = false;
  chosen.forEach((row, k) => {
    const regime = context.regimes[k];
    const why: string[] = [];
    let w: number[];
    if (regime === 'last') {
      lo.push(row.map((v, i) => Math.min(v, exact[k][i])));
      hi.push(row.map((v, i) => Math.max(v, exact[k][i])));
      w = row.map((v, i) => Math.abs(v - exact[k][i]));
      why.push(output === 'exact' ? 'last stage: the exact read-out of its own update is exact' : 'last stage: the interval reaches to the exact read-out, which is exact');
    } else {
      w = row.map((_, i) => {
        const coef = calibration[id]?.[context.classes[i]]?.[regime];
        if (!coef) fallback = true;
        return halfWidth(sig[k][i], coef ?? FALLBACK);
      });
      lo.push(row.map((v, i) => v - w[i]));
      hi.push(row.map((v, i) => v + w[i]));
      if (k === 0) why.push('first stage: its update is carried through every later stage');
      if (regime === 'adam') why.push('a later stage runs Adam/AdamW: no curvature model there (frozen second moment, H = 0)');
      why.push(`${context.laterSteps[k]} later step(s) to propagate through`);
    }
    const sumW = w.reduce((a, b) => a + b, 0);
    const sumV = row.reduce((a, b) => a + Math.abs(b), 0);
    const rel = sumV > 0 ? sumW / sumV : sumW > 0 ? Infinity : 0;
    grade.push(gradeFor(rel));
    const disagree = sig[k].reduce((a, s) => a + s.disagreement, 0);
    const spread = sig[k].reduce((a, s) => a + s.spread, 0);
    if (sumV > 0) why.push(`linear and exact read-outs differ by ${pct(disagree / sumV)} of the estimate; estimators spread by ${pct(spread / sumV)}`);
    why.push(`${TRUST_LEVEL * 100} % half-width ${Number.isFinite(rel) ? pct(rel) : 'unbounded'} of the estimate`);
    reasons.push(why);
  });
  const method = `${TRUST_LEVEL * 100} % intervals: half-width = q (|linear - exact| + a spread across estimators + b |estimate| + c stage scale), `
    + `(a, b, c, q) fitted per behaviour class and stage regime on ${CALIBRATION_SOURCE}${fallback ? `; ${id} has no fitted cell here, so a wide uncalibrated fallback is used` : ''}; last stage: exact read-out`;
  return { level: TRUST_LEVEL, lo, hi, grade, reasons, method };
}
