import Table from 'cli-table3';
import type { ValidationReport } from '../attribution/index.js';
import { meanOf } from './tables.js';

// `validate`'s agreement tables in a form that fits 100 terminal columns whatever the number of
// stages and estimates: one row per (estimate, stage) and a summary row per estimate. The
// stage x estimate grid of tables.ts (`validate --wide`) grows one wide column per estimate.

const MAX_NAME = 24;
const num = (v: number | null | undefined, digits: number): string =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(digits);
const short = (s: string): string => (s.length > MAX_NAME ? `${s.slice(0, MAX_NAME - 1)}…` : s);
// No rule between body rows: the long table stays readable at a third of the height.
const plain = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

/** Per estimate and stage: the mean estimated and true effect, Pearson r and Spearman ρ. */
export function perStageAgreementTable(v: ValidationReport): string {
  const t = new Table({
    head: ['estimate', 'stage', 'true mean', 'est. mean', 'r', 'ρ'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right'], ...plain,
  });
  const truth = v.truth.leaveOneOut.map((x) => meanOf(x));
  for (const e of v.estimates) {
    v.run.stages.forEach((s, k) => {
      const a = e.agreement.perStage[k];
      t.push([k === 0 ? short(e.id) : '', short(s.name), num(truth[k], 4), num(a.meanEstimate, 4), num(a.pearson, 3), num(a.spearman, 3)]);
    });
  }
  return t.toString();
}

/** Per estimate: pooled agreement, whether the stages come out in the true order, and cost. */
export function pooledAgreementTable(v: ValidationReport): string {
  const t = new Table({
    head: ['estimate', 'pooled r', 'same sign', 'stage order', 'cost vs retraining'],
    colAligns: ['left', 'right', 'right', 'left', 'right'], ...plain,
  });
  for (const e of v.estimates) {
    t.push([short(e.id), num(e.agreement.pooled.pearson, 3), num(e.agreement.pooled.signAgreement, 2),
      e.agreement.stageOrder.sameOrder ? 'as truth' : 'differs', `${(100 * e.costFraction).toFixed(1)}%`]);
  }
  return `${t.toString()}\nretraining (the truth) took ${num(v.truth.cost.seconds, 2)} s`;
}
