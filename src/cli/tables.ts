import Table from 'cli-table3';
import type { AttributionReport, ValidationReport } from '../attribution/index.js';

// Readable stage x estimator tables for the terminal.

const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(digits);

export const meanOf = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
};

/** Mean estimated effect per stage (over behaviours) for every estimate. */
export function attributionTable(r: AttributionReport): string {
  const t = new Table({ head: ['stage', ...r.estimates.map((e) => e.id)], style: { head: [], border: [] } });
  r.run.stages.forEach((s, k) => t.push([s.name, ...r.estimates.map((e) => fmt(meanOf(e.effects[k])))]));
  t.push(['cost (s)', ...r.estimates.map((e) => fmt(e.cost.seconds + e.cost.scoringSeconds, 3) + (e.cost.reused ? ' (cached)' : ''))]);
  return t.toString();
}

/** Pearson correlation with retraining per stage, the true mean effect, and cost. */
export function validationTable(v: ValidationReport): string {
  const t = new Table({ head: ['stage', 'true mean effect', ...v.estimates.map((e) => e.id)], style: { head: [], border: [] } });
  v.run.stages.forEach((s, k) => t.push([s.name, fmt(meanOf(v.truth.leaveOneOut[k])), ...v.estimates.map((e) => {
    const a = e.agreement.perStage[k];
    return `r=${fmt(a.pearson, 3)} ρ=${fmt(a.spearman, 3)} mean=${fmt(a.meanEstimate)}`;
  })]));
  t.push(['pooled', '', ...v.estimates.map((e) => `r=${fmt(e.agreement.pooled.pearson, 3)} sign=${fmt(e.agreement.pooled.signAgreement, 2)}`)]);
  t.push(['stage order', '', ...v.estimates.map((e) => (e.agreement.stageOrder.sameOrder ? 'as truth' : 'differs'))]);
  t.push(['cost vs retraining', fmt(v.truth.cost.seconds, 2) + ' s', ...v.estimates.map((e) => `${(100 * e.costFraction).toFixed(1)}%`)]);
  return t.toString();
}

export function noiseTable(v: ValidationReport): string | null {
  if (!v.noise) return null;
  const t = new Table({ head: ['stage', 'mean std of tau across seeds', 'Pearson between seeds\' truths'], style: { head: [], border: [] } });
  v.run.stages.forEach((s, k) => t.push([s.name, fmt(v.noise!.meanStd[k]), fmt(v.noise!.crossSeedPearson[k], 3)]));
  return t.toString();
}

export function shapleyTable(v: ValidationReport): string | null {
  if (!v.subsets) return null;
  const t = new Table({ head: ['stage', 'leave-one-out', 'Shapley', 'add-one'], style: { head: [], border: [] } });
  v.run.stages.forEach((s, k) => t.push([s.name, fmt(meanOf(v.truth.leaveOneOut[k])), fmt(meanOf(v.subsets!.shapley[k])), fmt(meanOf(v.subsets!.addOne[k]))]));
  return `${t.toString()}\nadditivity gap (mean over behaviours): ${fmt(meanOf(v.subsets.additivityGap))}`;
}

/** One sentence naming the stage that raised the behaviours most and the one that lowered them most. */
export function headline(r: AttributionReport, estimateId: string): string {
  const e = r.estimates.find((x) => x.id === estimateId) ?? r.estimates[0];
  if (!e) return '';
  const means = e.effects.map((x) => meanOf(x));
  const up = means.reduce((b, v, k) => (v > means[b] ? k : b), 0);
  const down = means.reduce((b, v, k) => (v < means[b] ? k : b), 0);
  const what = r.behaviours.names.length === 1 ? r.behaviours.names[0] : `the mean of ${r.behaviours.names.length} behaviours`;
  const parts = [
    means[up] > 0 ? `stage "${r.run.stages[up].name}" raised ${what} most (+${fmt(means[up])})` : `no stage raised ${what}`,
    means[down] < 0 ? `stage "${r.run.stages[down].name}" lowered it most (${fmt(means[down])})` : 'no stage lowered it',
  ];
  return `${e.id}: ${parts.join('; ')}.`;
}
