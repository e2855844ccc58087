import type { BehaviourClass, Signal, StageRegime } from './signals.js';

// The interval model: half-width w = q * (disagreement + a*spread + b*|estimate| + c*scale), with
// (a, b, c, q) per estimate, behaviour class and stage regime, fitted on the benchmark's tuning
// half (fit.ts) so that 90 % of the tuning cases fall inside. Split-conformal in spirit: q is the
// finite-sample 90 % quantile of |truth - estimate| / base on the tuning cases.

export interface Coefficients {
  a: number;
  b: number;
  c: number;
  q: number;
  /** Tuning cases the cell was fitted on. */
  n: number;
}

export type Calibration = Record<string, Partial<Record<BehaviourClass, Partial<Record<Exclude<StageRegime, 'last'>, Coefficients>>>>>;

export function baseWidth(s: Signal, c: Coefficients): number {
  return s.disagreement + c.a * s.spread + c.b * s.magnitude + c.c * s.scale;
}

export function halfWidth(s: Signal, c: Coefficients): number {
  return c.q * baseWidth(s, c);
}
