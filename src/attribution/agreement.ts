import { kendallTau, mean, pearson, spearman } from './correlation.js';

export { averageRanks, kendallTau, pearson, spearman, type Stat } from './correlation.js';

// How well an estimate of stage effects matches the retraining truth (method.md §4): per stage
// across behaviours, pooled over stages, and the order of the stages' mean effects.

export type AgreementMetric = 'pearson' | 'spearman' | 'signAgreement' | 'relativeMeanError';

export interface AgreementStats {
  /** Behaviours compared. */
  n: number;
  pearson: number;
  spearman: number;
  /** Fraction of behaviours where sign(estimate) = sign(truth); an exact zero only matches zero. */
  signAgreement: number;
  meanEstimate: number;
  meanTruth: number;
  /** |mean(estimate) - mean(truth)| / |mean(truth)|. */
  relativeMeanError: number;
  /** Why a statistic is NaN, for each one that is. */
  undefinedBecause: Partial<Record<AgreementMetric, string>>;
}

export interface StageOrderAgreement {
  /** Stage indices by mean effect, largest first (the stage that raised the behaviours most first). */
  estimate: number[];
  truth: number[];
  /** Every pair of stages whose true mean effects differ is ordered the same way by the estimate. */
  sameOrder: boolean;
  /** Kendall's tau-b between the stages' estimated and true mean effects. */
  kendallTau: number;
  undefinedBecause?: string;
}

export interface Agreement {
  perStage: AgreementStats[];
  /** All stages' behaviours as one sample. */
  pooled: AgreementStats;
  stageOrder: StageOrderAgreement;
}

const NAMES: [string, string] = ['the estimate', 'the truth'];

/** The agreement statistics of one estimate vector with its truth (same behaviours, same order). */
export function agreementStats(estimate: ArrayLike<number>, truth: ArrayLike<number>): AgreementStats {
  if (estimate.length !== truth.length) throw new Error(`agreement: ${estimate.length} estimates for ${truth.length} true effects`);
  const n = truth.length;
  const why: AgreementStats['undefinedBecause'] = {};
  const r = pearson(estimate, truth, NAMES);
  const rho = spearman(estimate, truth, NAMES);
  if (r.reason) why.pearson = r.reason;
  if (rho.reason) why.spearman = rho.reason;
  let finite = n > 0;
  let agree = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(estimate[i]) || !Number.isFinite(truth[i])) finite = false;
    if (Math.sign(estimate[i]) === Math.sign(truth[i])) agree++;
  }
  const meanEstimate = n > 0 ? mean(estimate) : NaN;
  const meanTruth = n > 0 ? mean(truth) : NaN;
  let signAgreement = agree / n;
  let relativeMeanError = Math.abs(meanEstimate - meanTruth) / Math.abs(meanTruth);
  if (!finite) {
    const reason = n === 0 ? 'no values' : 'non-finite values';
    signAgreement = relativeMeanError = NaN;
    why.signAgreement = why.relativeMeanError = reason;
  } else if (meanTruth === 0) {
    // Relative to zero is undefined unless the estimate is exactly right.
    relativeMeanError = meanEstimate === 0 ? 0 : NaN;
    if (meanEstimate !== 0) why.relativeMeanError = 'the mean true effect is 0';
  }
  return { n, pearson: r.value, spearman: rho.value, signAgreement, meanEstimate, meanTruth, relativeMeanError, undefinedBecause: why };
}

function byMeanDescending(means: number[]): number[] {
  return means.map((_, k) => k).sort((a, b) => means[b] - means[a] || a - b);
}

/** Whether the estimate ranks the stages' mean effects as the truth does (ties in the truth free). */
export function stageOrderAgreement(estimateMeans: number[], truthMeans: number[]): StageOrderAgreement {
  if (estimateMeans.length !== truthMeans.length) throw new Error(`agreement: ${estimateMeans.length} estimated stages for ${truthMeans.length} true stages`);
  const finite = [...estimateMeans, ...truthMeans].every(Number.isFinite);
  let sameOrder = finite;
  for (let j = 0; j < truthMeans.length && sameOrder; j++) {
    for (let k = j + 1; k < truthMeans.length; k++) {
      const t = Math.sign(truthMeans[j] - truthMeans[k]);
      if (t !== 0 && Math.sign(estimateMeans[j] - estimateMeans[k]) !== t) sameOrder = false;
    }
  }
  const tau = kendallTau(estimateMeans, truthMeans, ['the estimated stage means', 'the true stage means']);
  return {
    estimate: finite ? byMeanDescending(estimateMeans) : [],
    truth: finite ? byMeanDescending(truthMeans) : [],
    sameOrder,
    kendallTau: tau.value,
    ...(tau.reason ? { undefinedBecause: tau.reason } : {}),
  };
}

/**
 * Compares estimated stage effects with the truth: estimate[k][i] and truth[k][i] are stage k's
 * effect on behaviour i (e.g. GroundTruth.leaveOneOut).
 */
export function agreement(estimate: ArrayLike<number>[], truth: ArrayLike<number>[]): Agreement {
  if (estimate.length !== truth.length) throw new Error(`agreement: ${estimate.length} estimated stages for ${truth.length} true stages`);
  const perStage = truth.map((t, k) => agreementStats(estimate[k], t));
  const pooledEstimate = Float64Array.from(estimate.flatMap((e) => Array.from(e)));
  const pooledTruth = Float64Array.from(truth.flatMap((t) => Array.from(t)));
  return {
    perStage,
    pooled: agreementStats(pooledEstimate, pooledTruth),
    stageOrder: stageOrderAgreement(perStage.map((s) => s.meanEstimate), perStage.map((s) => s.meanTruth)),
  };
}
