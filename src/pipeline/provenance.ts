// Derived outputs (attribution.json, validation.json, results.json) say what they were computed
// from: the run's fingerprint (integrity.ts) and, for files built on other derived files, the
// digest of those. A reader compares them and refuses, or says what to rerun, instead of
// combining results of different runs or different estimate sets.
import { createHash } from 'node:crypto';

export interface ComputedFrom {
  /** Fingerprint of the run (null: a run written before fingerprints were recorded). */
  run: string | null;
  /** Digest of the attribution report a validation checked. */
  attribution?: string;
  /** Digest of the validation report a results file shows. */
  validation?: string | null;
}

/** sha256 of a JSON value as JSON.stringify writes it; equal for a value and its parsed file. */
export function digestJson(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value) ?? 'undefined').digest('hex');
}

/** The `computedFrom` of a parsed derived file, or null when it has none (older files). */
export function computedFromOf(value: unknown): ComputedFrom | null {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, 'computedFrom')) return null;
  const c = (value as { computedFrom: unknown }).computedFrom;
  if (c === null || typeof c !== 'object') return null;
  const o = c as Record<string, unknown>;
  const str = (k: string) => (Object.hasOwn(o, k) && typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return { run: str('run') ?? null, attribution: str('attribution'), validation: str('validation') ?? null };
}
