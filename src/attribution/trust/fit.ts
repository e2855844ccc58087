import { baseWidth, type Calibration, type Coefficients } from './model.js';
import type { BehaviourClass, Signal, StageRegime } from './signals.js';

// Fits the interval model on the benchmark's tuning half (bench/fidelity.bench.ts --calibrate).
// Never run on the reporting half: its coverage is the held-out check.

export interface TrustCase {
  /** "<estimator>/<output>". */
  estimate: string;
  cls: BehaviourClass;
  regime: Exclude<StageRegime, 'last'>;
  signal: Signal;
  /** |truth - estimate|. */
  error: number;
  /** The pipeline's largest |estimated effect| on this behaviour: widths are compared in these units. */
  norm: number;
}

const A = [0, 0.25, 0.5, 1, 2, 4, 8];
const BC = [0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6];
/** Fewer tuning cases than this in a (class, regime) cell: the class's pooled fit is used. */
const MIN_CASES = 20;

/** The finite-sample conformal quantile: the ceil((n+1) level)-th smallest value. */
export function conformalQuantile(values: number[], level: number): number {
  const s = values.slice().sort((x, y) => x - y);
  const r = Math.ceil((s.length + 1) * level);
  return r > s.length ? Infinity : s[Math.max(r, 1) - 1];
}

/** The (a, b, c) of the narrowest intervals (mean width in `norm` units) that cover `level` of the cases. */
export function fitCell(cases: TrustCase[], level: number): Coefficients | null {
  let best: (Coefficients & { width: number }) | null = null;
  for (const a of A) for (const b of BC) for (const c of BC) {
    const coef = { a, b, c, q: 1, n: cases.length };
    const bases = cases.map((x) => baseWidth(x.signal, coef));
    const q = conformalQuantile(cases.map((x, j) => (x.error === 0 ? 0 : bases[j] > 0 ? x.error / bases[j] : Infinity)), level);
    if (!Number.isFinite(q)) continue;
    const width = cases.reduce((acc, x, j) => acc + (q * bases[j]) / Math.max(x.norm, 1e-12), 0) / cases.length;
    if (!best || width < best.width) best = { a, b, c, q, n: cases.length, width };
  }
  if (!best) return null;
  const { width: _, ...coef } = best;
  return coef;
}

export function fitCalibration(cases: TrustCase[], level: number): Calibration {
  const out: Calibration = {};
  for (const est of [...new Set(cases.map((c) => c.estimate))]) {
    out[est] = {};
    for (const cls of ['example', 'aggregate'] as const) {
      const mine = cases.filter((c) => c.estimate === est && c.cls === cls);
      if (mine.length < MIN_CASES) continue;
      const pooled = fitCell(mine, level);
      const cells: Partial<Record<'sgd' | 'adam', Coefficients>> = {};
      for (const regime of ['sgd', 'adam'] as const) {
        const cell = mine.filter((c) => c.regime === regime);
        const fit = cell.length >= MIN_CASES ? fitCell(cell, level) : null;
        const chosen = fit ?? pooled;
        if (chosen) cells[regime] = chosen;
      }
      out[est]![cls] = cells;
    }
  }
  return out;
}
