import type { SubsetTable } from './groundTruth.js';
import { MAX_SUBSET_STAGES, fullMask, isKept, keptCount } from './subsets.js';

// Estimands read off the subset table (method.md §2): Shapley values over stages, leave-one-out
// and add-one effects, and pairwise interactions. Each is per behaviour; v(S) is a behaviour of
// the model trained with only the stages in S.

/** The part of a subset table these functions need (so a table can be built by hand). */
export type SubsetValues = Pick<SubsetTable, 'K' | 'values'>;

function checkTable(t: SubsetValues): number {
  const { K, values } = t;
  if (!Number.isInteger(K) || K < 1 || K > MAX_SUBSET_STAGES) throw new Error(`subset table: K must be an integer in 1..${MAX_SUBSET_STAGES}, got ${K}`);
  if (values.length !== 2 ** K) throw new Error(`subset table: ${values.length} entries for K = ${K} (expected 2^K = ${2 ** K})`);
  const m = values[0].length;
  values.forEach((v, mask) => {
    if (v.length !== m) throw new Error(`subset table: entry ${mask} has ${v.length} behaviours, entry 0 has ${m}`);
  });
  return m;
}

/** out[i] = v(a)[i] - v(b)[i]. */
function diff(t: SubsetValues, a: number, b: number): Float64Array {
  const va = t.values[a];
  const vb = t.values[b];
  return va.map((x, i) => x - vb[i]);
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/**
 * Exact Shapley values phi_k = sum over S not containing k of |S|!(K-|S|-1)!/K! (v(S + k) - v(S)),
 * per stage k and behaviour. Efficiency: sum_k phi_k = v(all) - v(none) = f(theta_T) - f(theta_0).
 * Same sign convention as tau_k: phi_k > 0 means stage k raises the behaviour.
 */
export function shapleyValues(t: SubsetValues): Float64Array[] {
  const m = checkTable(t);
  const { K, values } = t;
  const weight = Array.from({ length: K }, (_, s) => (factorial(s) * factorial(K - s - 1)) / factorial(K));
  return Array.from({ length: K }, (_, k) => {
    const phi = new Float64Array(m);
    const bit = 1 << k;
    for (let mask = 0; mask <= fullMask(K); mask++) {
      if (isKept(mask, k)) continue;
      const w = weight[keptCount(mask)];
      const with_ = values[mask | bit];
      const without = values[mask];
      for (let i = 0; i < m; i++) phi[i] += w * (with_[i] - without[i]);
    }
    return phi;
  });
}

/** tau_k = v(all) - v(all without k), per stage: the leave-one-out effects. */
export function leaveOneOutFromTable(t: SubsetValues): Float64Array[] {
  checkTable(t);
  const all = fullMask(t.K);
  return Array.from({ length: t.K }, (_, k) => diff(t, all, all & ~(1 << k)));
}

/** v({k}) - v(none), per stage: what stage k does on its own from theta_0. */
export function addOneFromTable(t: SubsetValues): Float64Array[] {
  checkTable(t);
  return Array.from({ length: t.K }, (_, k) => diff(t, 1 << k, 0));
}

/**
 * (v(all) - v(none)) - sum_k tau_k per behaviour: how far the leave-one-out effects are from adding
 * up to the total change, because stages interact.
 */
export function additivityGap(t: SubsetValues): Float64Array {
  const total = diff(t, fullMask(t.K), 0);
  for (const tau of leaveOneOutFromTable(t)) tau.forEach((x, i) => (total[i] -= x));
  return total;
}

export interface InteractionTable {
  /** I[j][k] averaged over behaviours; the diagonal is 0 (a stage does not interact with itself). */
  mean: number[][];
  /** |I[j][k]| averaged over behaviours: interactions of opposite sign do not cancel here. */
  meanAbs: number[][];
  /** I[j][k] per behaviour, when asked for. */
  perBehaviour?: Float64Array[][];
}

/**
 * Pairwise interactions I_jk = v(all) - v(all\j) - v(all\k) + v(all\{j,k}): the leave-one-out
 * effect of j minus j's effect when k is absent too. Symmetric; zero when j and k act additively.
 */
export function pairwiseInteractions(t: SubsetValues, opts: { perBehaviour?: boolean } = {}): InteractionTable {
  const m = checkTable(t);
  const { K, values } = t;
  const all = fullMask(K);
  const mean = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const meanAbs = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const per = opts.perBehaviour ? Array.from({ length: K }, () => Array.from({ length: K }, () => new Float64Array(m))) : undefined;
  for (let j = 0; j < K; j++) {
    for (let k = j + 1; k < K; k++) {
      const a = values[all];
      const b = values[all & ~(1 << j)];
      const c = values[all & ~(1 << k)];
      const d = values[all & ~(1 << j) & ~(1 << k)];
      const I = new Float64Array(m);
      let s = 0;
      let sAbs = 0;
      for (let i = 0; i < m; i++) {
        I[i] = a[i] - b[i] - c[i] + d[i];
        s += I[i];
        sAbs += Math.abs(I[i]);
      }
      mean[j][k] = mean[k][j] = s / m;
      meanAbs[j][k] = meanAbs[k][j] = sAbs / m;
      if (per) {
        per[j][k] = I;
        per[k][j] = I.slice();
      }
    }
  }
  return per ? { mean, meanAbs, perBehaviour: per } : { mean, meanAbs };
}
