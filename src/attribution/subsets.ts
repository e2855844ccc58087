// Subsets of stages as bitmasks: bit k set = stage k kept (trained). Shared by the subset table
// (groundTruth.ts) and the Shapley computations (shapley.ts).

export const MAX_SUBSET_STAGES = 8;

/** The mask keeping every one of K stages. */
export function fullMask(K: number): number {
  return (1 << K) - 1;
}

export function isKept(mask: number, k: number): boolean {
  return (mask & (1 << k)) !== 0;
}

/** Number of kept stages. */
export function keptCount(mask: number): number {
  let c = 0;
  for (let m = mask; m !== 0; m &= m - 1) c++;
  return c;
}

/** The stages a replay must skip to keep exactly `mask`. */
export function skippedStages(mask: number, K: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < K; k++) if (!isKept(mask, k)) out.push(k);
  return out;
}
