// Number formatting for the page. JSON turns NaN into null, so every formatter takes both.

export type MaybeNumber = number | null | undefined;

export function isNum(v: MaybeNumber): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Three significant digits; exponent form only for very small or large magnitudes. */
export function fmt(v: MaybeNumber, digits = 3): string {
  if (!isNum(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10 ** digits && a < 1e5) return Math.round(v).toString().replace('-', '−');
  const s = a < 1e-3 || a >= 1e5 ? v.toExponential(digits - 1).replace('e+', 'e') : v.toPrecision(digits);
  // toPrecision keeps trailing zeros of the fraction ("0.500"); they add nothing here.
  return s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1').replace('-', '−');
}

/** As fmt, with an explicit + for positive values (effects read as directions). */
export function fmtSigned(v: MaybeNumber, digits = 3): string {
  if (!isNum(v)) return '—';
  return v > 0 ? `+${fmt(v, digits)}` : fmt(v, digits);
}

export function fmtPercent(v: MaybeNumber, digits = 1): string {
  if (!isNum(v)) return '—';
  const p = v * 100;
  if (p !== 0 && Math.abs(p) < 0.1) return `${fmt(p, 2)}%`;
  return `${p.toFixed(digits)}%`;
}

export function fmtSeconds(v: MaybeNumber): string {
  if (!isNum(v)) return '—';
  if (v < 1) return `${fmt(v * 1000, 3)} ms`;
  if (v < 120) return `${fmt(v, 3)} s`;
  return `${(v / 60).toFixed(1)} min`;
}

export function fmtCount(v: MaybeNumber): string {
  return isNum(v) ? Math.round(v).toLocaleString('en-US') : '—';
}

/** Optimizer hyperparameters as written by hand: 0.1, 5e-4. */
export function fmtHyper(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential();
  return String(v);
}
