import { DEFAULT_ESTIMATE, type AttributionReport, type EstimateRecord } from '../attribution/attribute.js';
import type { Better } from '../attribution/behaviours.js';
import type { ValidatedEstimate, ValidationReport } from '../attribution/validate.js';
import { fmt, fmtSigned, isNum } from './format.js';
import type { Headline, HeadlineEffects } from './results.js';

// The headline: which estimate, which behaviour, and which stage gets the blame and the credit.
//
// Estimate: the one a case study's headline names, when the reports have it; else the project's
// default (DEFAULT_ESTIMATE, which `stagecredit attribute` and the case studies quote too), so all
// headlines agree. Without either: with retraining truth, the validated estimate that ranks the
// stages' mean effects in the true order, then agrees best (pooled Pearson), then costs least;
// without truth, the highest rung of the ladder (E3 > stage curvature > E2 > task vector), exact
// output before linear (measured more accurate for middle stages; method.md §3).
//
// Behaviour: the one a case study's headline names; else the only one; else a worst-group loss
// (the group-sensitive summary); else the mean over all behaviours.
//
// Blame goes to the stage whose mean effect is the largest move in the bad direction, credit to
// the largest move in the good direction; neither when no stage moved the behaviour that way.

const RUNG_ORDER = ['adjoint', 'hessian-aware', 'stage-curvature', 'hessian-free', 'task-vector'];

function ladderRank(e: EstimateRecord): number {
  const r = RUNG_ORDER.indexOf(e.estimator);
  return (r < 0 ? RUNG_ORDER.length : r) * 2 + (e.output === 'linear' ? 1 : 0);
}

function pooledPearson(e: ValidatedEstimate): number {
  const r = e.agreement?.pooled?.pearson;
  return isNum(r) ? r : -Infinity;
}

function totalSeconds(e: EstimateRecord): number {
  return (e.cost?.seconds ?? 0) + (e.cost?.scoringSeconds ?? 0);
}

export function chooseEstimate(attribution: AttributionReport, validation: ValidationReport | null, requested?: string): { estimate: EstimateRecord; reason: string } {
  const validated = validation?.estimates ?? [];
  const named = requested === undefined ? undefined : validated.find((e) => e.id === requested) ?? attribution.estimates.find((e) => e.id === requested);
  if (named) return { estimate: named, reason: 'the estimate the headline is based on' };
  const byDefault = validated.find((e) => e.id === DEFAULT_ESTIMATE) ?? attribution.estimates.find((e) => e.id === DEFAULT_ESTIMATE);
  if (byDefault) return { estimate: byDefault, reason: 'stagecredit\'s default estimate' };
  if (validated.length > 0) {
    const best = [...validated].sort((a, b) =>
      Number(b.agreement?.stageOrder?.sameOrder === true) - Number(a.agreement?.stageOrder?.sameOrder === true)
      || pooledPearson(b) - pooledPearson(a)
      || totalSeconds(a) - totalSeconds(b))[0];
    const order = best.agreement?.stageOrder?.sameOrder ? 'ranks the stages in the true order and ' : '';
    return { estimate: best, reason: `the estimate that ${order}agrees best with retraining (pooled Pearson ${fmt(best.agreement?.pooled?.pearson)})` };
  }
  if (attribution.estimates.length === 0) throw new Error('the attribution report holds no estimates');
  const best = [...attribution.estimates].sort((a, b) => ladderRank(a) - ladderRank(b))[0];
  return { estimate: best, reason: 'the most complete estimator available (no retraining truth to choose by)' };
}

const PER_EXAMPLE_NAMES: Record<string, { label: string; unit: string }> = {
  loss: { label: 'test loss', unit: 'nats' },
  margin: { label: 'test margin', unit: 'logits' },
  probability: { label: 'correct-class probability', unit: '' },
};

/** Unit of a behaviour from its name: losses are in nats, margins in logits, the rest unitless. */
export function behaviourUnit(name: string): string {
  if (/^margin\b/.test(name)) return 'logits';
  if (/loss|gap/i.test(name)) return 'nats';
  return '';
}

/** A readable name for a behaviour the project names, e.g. worstGroupLoss[group] -> "worst-group test loss (group)". */
export function behaviourLabel(name: string): string {
  const m = /^(\w+)\[(.*)\]$/.exec(name);
  if (name === 'meanLoss') return 'mean test loss';
  if (!m) return name;
  const [, kind, arg] = m;
  switch (kind) {
    case 'loss': return `test loss of example ${arg}`;
    case 'margin': return `margin of test example ${arg}`;
    case 'probability': return `correct-class probability of test example ${arg}`;
    case 'worstGroupLoss': return `worst-group test loss (${arg})`;
    case 'groupLoss': return `test loss on ${arg}`;
    case 'groupAccuracy': return `correct-class probability on ${arg}`;
    case 'groupGap': return `test loss gap between groups ${arg}`;
    default: return name;
  }
}

interface Selection { indices: number[]; label: string; unit: string }

function selectBehaviours(names: string[], requested: string | undefined): Selection {
  const single = (i: number): Selection => ({ indices: [i], label: behaviourLabel(names[i]), unit: behaviourUnit(names[i]) });
  const asked = requested === undefined ? -1 : names.indexOf(requested);
  if (asked >= 0) return single(asked);
  if (names.length === 1) return single(0);
  const worst = names.findIndex((n) => n.startsWith('worstGroupLoss['));
  if (worst >= 0) return single(worst);
  const all = names.map((_, i) => i);
  const prefixes = new Set(names.map((n) => /^(\w+)\[/.exec(n)?.[1] ?? n));
  if (prefixes.size === 1) {
    const p = [...prefixes][0];
    const known = PER_EXAMPLE_NAMES[p];
    if (known) return { indices: all, label: `mean ${known.label} (${names.length} test examples)`, unit: known.unit };
    return { indices: all, label: `mean ${p} (${names.length} behaviours)`, unit: behaviourUnit(p) };
  }
  const units = new Set(names.map(behaviourUnit));
  return { indices: all, label: `the mean of ${names.length} behaviours`, unit: units.size === 1 ? [...units][0] : '' };
}

function meanOf(rows: number[][] | undefined, k: number, indices: number[], sign: number[]): number | null {
  const row = rows?.[k];
  if (!row) return null;
  let s = 0;
  for (const i of indices) {
    const v = row[i];
    if (!isNum(v)) return null;
    s += v * sign[i];
  }
  return s / indices.length;
}

export function headlineEffects(attribution: AttributionReport, validation: ValidationReport | null, requested: { behaviour?: string; estimate?: string } = {}): HeadlineEffects {
  const { estimate, reason } = chooseEstimate(attribution, validation, requested.estimate);
  const { names, better } = attribution.behaviours;
  const sel = selectBehaviours(names, requested.behaviour);
  const directions = new Set(sel.indices.map((i) => better[i]));
  // Losses and scores averaged together only make sense with the scores negated.
  const mixed = directions.has('lower') && directions.has('higher');
  const sign = better.map((b) => (mixed && b === 'higher' ? -1 : 1));
  const plotted: Better = mixed ? 'lower' : directions.size === 1 ? [...directions][0] : 'unknown';
  const stages = attribution.run.stages;
  return {
    estimate: estimate.id,
    estimateReason: reason,
    behaviour: mixed ? `${sel.label}, scores negated to count as losses` : sel.label,
    behaviourIndices: sel.indices,
    better: plotted,
    orientedAsLoss: mixed,
    unit: sel.unit,
    perStage: stages.map((s, k) => ({
      stage: s.name,
      estimate: meanOf(estimate.effects, k, sel.indices, sign) ?? NaN,
      truth: meanOf(validation?.truth?.leaveOneOut, k, sel.indices, sign),
      shapley: meanOf(validation?.subsets?.shapley ?? undefined, k, sel.indices, sign),
    })),
  };
}

/** Harm of an effect: > 0 when it moved the behaviour the bad way (for unknown direction, up). */
export function harm(effect: number, better: Better): number {
  return better === 'higher' ? -effect : effect;
}

function extreme(values: (number | null)[], better: Better, pick: 'blame' | 'credit'): number {
  let best = -1;
  let bestHarm = 0;
  values.forEach((v, k) => {
    if (!isNum(v)) return;
    const h = harm(v, better);
    if (pick === 'blame' ? h > bestHarm : h < bestHarm) {
      best = k;
      bestHarm = h;
    }
  });
  return best;
}

const withUnit = (s: string, unit: string) => (unit ? `${s} ${unit}` : s);
const quoted = (s: string) => `“${s}”`;

/** Headline sentence(s) from the per-stage means; plain text (the page escapes it). */
export function computeHeadline(e: HeadlineEffects): Headline {
  const est = e.perStage.map((s) => s.estimate);
  const names = e.perStage.map((s) => s.stage);
  const abs = (v: number) => withUnit(fmt(Math.abs(v)), e.unit);
  if (e.better === 'unknown') {
    const k = est.reduce((b, v, i) => (isNum(v) && (b < 0 || Math.abs(v) > Math.abs(est[b])) ? i : b), -1);
    const summary = k < 0 ? `No stage effect could be estimated for ${e.behaviour}.`
      : `Stage ${quoted(names[k])} moved ${e.behaviour} the most: it ${est[k] > 0 ? 'raised' : 'lowered'} it by ${abs(est[k])}.`;
    return { behaviour: e.behaviour, blamedStage: null, creditedStage: null, summary: summary + truthNote(e, k) };
  }
  const [up, down] = e.better === 'lower' ? ['raising', 'lower'] : ['lowering', 'raise'];
  const b = extreme(est, e.better, 'blame');
  const c = extreme(est, e.better, 'credit');
  const parts: string[] = [];
  if (b >= 0) parts.push(`Stage ${quoted(names[b])} is the one most responsible for ${up} ${e.behaviour} by ${abs(est[b])}.`);
  else parts.push(`No stage made ${e.behaviour} worse.`);
  if (c >= 0) parts.push(`Stage ${quoted(names[c])} did the most to ${down} it (${withUnit(fmtSigned(est[c]), e.unit)}).`);
  else parts.push(`No stage improved it.`);
  return {
    behaviour: e.behaviour,
    blamedStage: b >= 0 ? names[b] : null,
    creditedStage: c >= 0 ? names[c] : null,
    summary: parts.join(' ') + truthNote(e, b >= 0 ? b : c),
  };
}

/** Whether retraining agrees about the stage the headline names. */
function truthNote(e: HeadlineEffects, k: number): string {
  const truth = e.perStage.map((s) => s.truth);
  if (k < 0 || !truth.every(isNum)) return '';
  const t = truth as number[];
  const named = e.perStage[k].stage;
  const target = e.better === 'unknown'
    ? t.reduce((b, v, i) => (Math.abs(v) > Math.abs(t[b]) ? i : b), 0)
    : harm(e.perStage[k].estimate, e.better) > 0 ? extreme(t, e.better, 'blame') : extreme(t, e.better, 'credit');
  const value = withUnit(fmtSigned(t[k]), e.unit);
  if (target === k) return ` Retraining without each stage confirms it (true effect ${value}).`;
  const other = target >= 0 ? `it singles out ${quoted(e.perStage[target].stage)} (${withUnit(fmtSigned(t[target]), e.unit)})` : 'no stage moved it that way';
  return ` Retraining disagrees: ${other}; the true effect of ${quoted(named)} is ${value}.`;
}

/** A per-behaviour row averaged the way the headline averages it (same behaviours, same signs). */
export function selectionMean(row: number[] | undefined, e: HeadlineEffects, better: Better[]): number | null {
  const sign = better.map((b) => (e.orientedAsLoss && b === 'higher' ? -1 : 1));
  return meanOf(row ? [row] : undefined, 0, e.behaviourIndices, sign);
}
