import { DEFAULT_ESTIMATE, type AttributionReport, type EstimateRecord } from './attribute.js';
import type { Better } from './behaviours.js';
import type { Grade } from './trust.js';
import type { ValidatedEstimate, ValidationReport } from './validate.js';

// Every conclusion stagecredit states is decided here, once, from the reports: which behaviour and
// which estimate the headline is about, which stage is most blamed and most credited, by how much
// (exact when replayed, else an estimate with its interval), how sure (the grade), whether
// retraining agrees in sign and in size, and whether an intervention made the worst group worse.
// The CLI summaries, the demo, the report's headline and results.json all show this one decision.
// Pure functions, no I/O.
//
// Rules, stated once:
// - Behaviour: the one asked for; else the only one; else a worst-group loss; else the mean loss;
//   else the mean over one family of per-example behaviours (loss[i], else margin[i], else
//   probability[i], else the largest family); else the first behaviour. Per-example and aggregate
//   behaviours are never averaged together, nor are two different aggregates.
// - Estimate: the one asked for; else DEFAULT_ESTIMATE; else, with retraining truth, the one that
//   ranks the stages in the true order, then agrees best (pooled Pearson), then costs least; else
//   the highest rung of the ladder, exact output before linear.
// - Blame goes to the stage whose effect is the largest move in the bad direction, credit to the
//   largest move in the good direction; neither when no stage moved the behaviour that way.
// - Retraining "confirms" a named stage only when (a) the true effect has the estimate's sign,
//   (b) retraining names the same stage, and (c) the true effect falls inside the estimate's
//   interval (or equals the replayed value). Each failure is said with both numbers.
// - An intervention that lowers worst-group accuracy (or accuracy, when there are no groups) is
//   said to have made it worse, whatever else it improved.

export type BehaviourKind = 'aggregate' | 'per-example';

export interface StageFigure {
  stage: string;
  /** The chosen estimate, averaged over the chosen behaviours. */
  estimate: number;
  /** Its interval (mean of the per-behaviour bounds); null when the estimate carries none. */
  lo: number | null;
  hi: number | null;
  /** Nominal coverage of [lo, hi], e.g. 0.9; null without an interval. */
  level: number | null;
  /** True when the stage was replayed: the value is exact and lo = hi = estimate. */
  exact: boolean;
  grade: Grade | null;
  /** Retraining truth and Shapley value over the same behaviours (null when not computed). */
  truth: number | null;
  shapley: number | null;
}

/** The per-stage numbers behind the headline and the effect bars. */
export interface HeadlineEffects {
  /** Estimate id (e.g. "hessian-free/exact") the headline and the bars use. */
  estimate: string;
  /** Why that estimate, in words. */
  estimateReason: string;
  /** Readable name of the quantity, e.g. "mean test loss (300 test examples)". */
  behaviour: string;
  /** Behaviours averaged into it: indices into attribution.behaviours.names (one family only). */
  behaviourIndices: number[];
  behaviourKind: BehaviourKind;
  /** Which direction is good for the quantity. */
  better: Better;
  /** Kept for older readers: behaviours of opposite directions are never averaged now. */
  orientedAsLoss: false;
  /** Short unit for numbers in sentences ("nats"), or "" when the behaviour has none. */
  unit: string;
  perStage: StageFigure[];
}

export interface Headline {
  behaviour: string;
  blamedStage: string | null;
  creditedStage: string | null;
  summary: string;
  /** Estimate id the summary is based on; the effect bars then show the same one. */
  estimate?: string;
}

export type RetrainingVerdict =
  /** Same sign, same stage named, truth inside the interval (or equal to the replayed value). */
  | 'confirms'
  | 'opposite-sign'
  /** Same sign, but retraining names another stage (or none) as the most blamed / credited. */
  | 'other-stage'
  /** Same sign and stage, truth outside the interval. */
  | 'different-size'
  /** Same sign and stage, and no interval to judge the size by. */
  | 'size-unchecked';

export interface RetrainingCheck {
  role: 'blame' | 'credit' | 'largest';
  stage: string;
  verdict: RetrainingVerdict;
  estimate: number;
  truth: number;
  lo: number | null;
  hi: number | null;
  /** The stage retraining names for the same role (null: none moved it that way). */
  truthStage: string | null;
  sentence: string;
}

export interface InterventionInput {
  description: string;
  /** The stage the intervention changed (absent in older results files). */
  stage?: string;
  before: { accuracy: number; worstGroupAccuracy: number | null; perGroup: { name: string; accuracy: number }[] };
  after: { accuracy: number; worstGroupAccuracy: number | null; perGroup: { name: string; accuracy: number }[] };
}

export interface InterventionVerdict {
  /** What was measured: worst-group accuracy when the case has groups, else accuracy. */
  measure: 'worst-group accuracy' | 'accuracy';
  before: number;
  after: number;
  /** The measure went down: said plainly in the sentence. */
  madeWorse: boolean;
  /** Overall accuracy went down (stated too when the measure is worst-group accuracy). */
  accuracyWorse: boolean;
  sentence: string;
}

export interface Conclusion {
  effects: HeadlineEffects;
  /** Stage indices; null when no stage moved the behaviour that way (or its direction is unknown). */
  blamed: number | null;
  credited: number | null;
  /** For a behaviour with no better direction: the stage that moved it most. */
  largest: number | null;
  /** One check per stage the headline names; empty without retraining truth. */
  retraining: RetrainingCheck[];
  intervention: InterventionVerdict | null;
  /** Stages whose Shapley value and leave-one-out effect have opposite signs (interaction). */
  shapley: ShapleyNote[];
  headline: Headline;
  /** The headline as separate sentences (the CLI prints one per line). */
  sentences: string[];
}

export interface ConclusionRequest {
  behaviour?: string;
  estimate?: string;
}

// ---------------------------------------------------------------------------------------------
// Numbers in words

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Three significant digits, a real minus sign, an explicit + for positive values. */
export function signed(v: number | null | undefined): string {
  if (!isNum(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  let s = a < 1e-3 || a >= 1e5 ? v.toExponential(2).replace('e+', 'e') : v.toPrecision(3);
  s = s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
  return (v > 0 ? '+' : '') + s.replace('-', '−');
}

const withUnit = (s: string, unit: string) => (unit ? `${s} ${unit}` : s);
const quoted = (s: string) => `“${s}”`;
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/**
 * How a number was obtained, in the words every surface uses: "exact (replayed)", or
 * "estimated, 90% interval −0.1 to +0.3 (grade medium)", or "estimated (no interval)".
 */
export function figureLabel(f: Pick<StageFigure, 'exact' | 'lo' | 'hi' | 'level' | 'grade'>, unit = ''): string {
  if (f.exact) return 'exact (replayed)';
  if (!isNum(f.lo) || !isNum(f.hi)) return 'estimated (no interval)';
  const level = isNum(f.level) ? `${Math.round(100 * f.level)}% ` : '';
  return `estimated, ${level}interval ${signed(f.lo)} to ${withUnit(signed(f.hi), unit)}${f.grade ? ` (grade ${f.grade})` : ''}`;
}

/** Short form for tables: "exact" or "±0.12 medium" (half-width of the interval). */
export function figureTag(f: Pick<StageFigure, 'exact' | 'lo' | 'hi' | 'grade'>): string {
  if (f.exact) return 'exact (replayed)';
  if (!isNum(f.lo) || !isNum(f.hi)) return 'estimated, no interval';
  return `±${signed((f.hi - f.lo) / 2).replace('+', '')} ${f.grade ?? ''}`.trim();
}

// ---------------------------------------------------------------------------------------------
// Which estimate

const RUNG_ORDER = ['adjoint', 'hessian-aware', 'stage-curvature', 'hessian-free', 'task-vector'];

function ladderRank(e: EstimateRecord): number {
  const r = RUNG_ORDER.indexOf(e.estimator);
  return (r < 0 ? RUNG_ORDER.length : r) * 2 + (e.output === 'linear' ? 1 : 0);
}

function pooledPearson(e: ValidatedEstimate): number {
  const r = e.agreement?.pooled?.pearson;
  return isNum(r) ? r : -Infinity;
}

const totalSeconds = (e: EstimateRecord) => (e.cost?.seconds ?? 0) + (e.cost?.scoringSeconds ?? 0);

export function chooseEstimate(attribution: AttributionReport, validation: ValidationReport | null, requested?: string): { estimate: EstimateRecord; reason: string } {
  const validated = validation?.estimates ?? [];
  // The attribution's record wins when both have it: it carries the replays and intervals.
  const find = (id: string) => attribution.estimates.find((e) => e.id === id) ?? validated.find((e) => e.id === id);
  const named = requested === undefined ? undefined : find(requested);
  if (named) return { estimate: named, reason: 'the estimate the headline is based on' };
  const byDefault = find(DEFAULT_ESTIMATE);
  if (byDefault) return { estimate: byDefault, reason: 'stagecredit\'s default estimate' };
  if (validated.length > 0) {
    const best = [...validated].sort((a, b) =>
      Number(b.agreement?.stageOrder?.sameOrder === true) - Number(a.agreement?.stageOrder?.sameOrder === true)
      || pooledPearson(b) - pooledPearson(a)
      || totalSeconds(a) - totalSeconds(b))[0];
    const order = best.agreement?.stageOrder?.sameOrder ? 'ranks the stages in the true order and ' : '';
    const r = best.agreement?.pooled?.pearson;
    return { estimate: attribution.estimates.find((e) => e.id === best.id) ?? best, reason: `the estimate that ${order}agrees best with retraining (pooled Pearson ${isNum(r) ? r.toFixed(2) : '—'})` };
  }
  if (attribution.estimates.length === 0) throw new Error('the attribution report holds no estimates');
  const best = [...attribution.estimates].sort((a, b) => ladderRank(a) - ladderRank(b))[0];
  return { estimate: best, reason: 'the most complete estimator available (no retraining truth to choose by)' };
}

// ---------------------------------------------------------------------------------------------
// Which behaviour

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

/** "loss" for loss[17]: behaviours with an integer index form a per-example family. */
export function perExampleFamily(name: string): string | null {
  return /^(.+)\[\d+\]$/.exec(name)?.[1] ?? null;
}

interface Selection { indices: number[]; label: string; unit: string; kind: BehaviourKind }

export function selectBehaviours(names: string[], requested?: string): Selection {
  const single = (i: number): Selection => ({
    indices: [i], label: behaviourLabel(names[i]), unit: behaviourUnit(names[i]),
    kind: perExampleFamily(names[i]) === null ? 'aggregate' : 'per-example',
  });
  const asked = requested === undefined ? -1 : names.indexOf(requested);
  if (asked >= 0) return single(asked);
  if (names.length === 1) return single(0);
  const worst = names.findIndex((n) => n.startsWith('worstGroupLoss['));
  if (worst >= 0) return single(worst);
  const mean = names.indexOf('meanLoss');
  if (mean >= 0) return single(mean);
  const families = new Map<string, number[]>();
  names.forEach((n, i) => {
    const f = perExampleFamily(n);
    if (f !== null) families.set(f, [...(families.get(f) ?? []), i]);
  });
  const preferred = ['loss', 'margin', 'probability'].find((f) => families.has(f))
    ?? [...families.entries()].sort((a, b) => b[1].length - a[1].length)[0]?.[0];
  if (preferred !== undefined) {
    const indices = families.get(preferred)!;
    const known = PER_EXAMPLE_NAMES[preferred];
    const label = known ? `mean ${known.label} (${indices.length} test examples)` : `mean ${preferred} (${indices.length} behaviours)`;
    return { indices, label, unit: known ? known.unit : behaviourUnit(preferred), kind: 'per-example' };
  }
  return single(0);
}

// ---------------------------------------------------------------------------------------------
// Per-stage figures

function meanOver(row: ArrayLike<number> | undefined, indices: number[]): number | null {
  if (!row) return null;
  let s = 0;
  for (const i of indices) {
    const v = row[i];
    if (!isNum(v)) return null;
    s += v;
  }
  return s / indices.length;
}

/** A per-behaviour row averaged over the headline's behaviours (null when absent or not finite). */
export function selectionMean(row: ArrayLike<number> | undefined | null, e: Pick<HeadlineEffects, 'behaviourIndices'>): number | null {
  return meanOver(row ?? undefined, e.behaviourIndices);
}

/** The figure for stage k of one estimate over the given behaviours. */
export function stageFigure(est: EstimateRecord, k: number, indices: number[]): Omit<StageFigure, 'stage' | 'truth' | 'shapley'> {
  const exact = est.replayed?.[k] === true;
  const estimate = meanOver(est.effects[k], indices) ?? NaN;
  const t = est.trust;
  const lo = exact ? estimate : meanOver(t?.lo?.[k], indices);
  const hi = exact ? estimate : meanOver(t?.hi?.[k], indices);
  return {
    estimate, lo, hi, exact,
    level: exact ? 1 : lo === null ? null : t?.level ?? null,
    grade: exact ? 'exact' : t?.grade?.[k] ?? null,
  };
}

export function headlineEffects(attribution: AttributionReport, validation: ValidationReport | null, requested: ConclusionRequest = {}): HeadlineEffects {
  const { estimate, reason } = chooseEstimate(attribution, validation, requested.estimate);
  const { names, better } = attribution.behaviours;
  const sel = selectBehaviours(names, requested.behaviour);
  const directions = new Set(sel.indices.map((i) => better[i]));
  return {
    estimate: estimate.id,
    estimateReason: reason,
    behaviour: sel.label,
    behaviourIndices: sel.indices,
    behaviourKind: sel.kind,
    better: directions.size === 1 ? [...directions][0] : 'unknown',
    orientedAsLoss: false,
    unit: sel.unit,
    perStage: attribution.run.stages.map((s, k) => ({
      stage: s.name,
      ...stageFigure(estimate, k, sel.indices),
      truth: meanOver(validation?.truth?.leaveOneOut?.[k], sel.indices),
      shapley: meanOver(validation?.subsets?.shapley?.[k], sel.indices),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Blame, credit, and what retraining says

/** Harm of an effect: > 0 when it moved the behaviour the bad way (for unknown direction, up). */
export function harm(effect: number, better: Better): number {
  return better === 'higher' ? -effect : effect;
}

/** The stage with the largest harm (blame) or benefit (credit); -1 when none moved it that way. */
export function extreme(values: (number | null)[], better: Better, pick: 'blame' | 'credit'): number {
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

function largestMover(values: (number | null)[]): number {
  return values.reduce<number>((b, v, i) => (isNum(v) && (b < 0 || Math.abs(v) > Math.abs(values[b] as number)) ? i : b), -1);
}

/** Whether retraining agrees with the estimate about stage k in the given role. */
export function checkAgainstRetraining(e: HeadlineEffects, k: number, role: RetrainingCheck['role']): RetrainingCheck | null {
  const truths = e.perStage.map((s) => s.truth);
  const f = e.perStage[k];
  if (!truths.every(isNum) || !isNum(f.truth)) return null;
  const u = (v: number | null) => withUnit(signed(v), e.unit);
  const truthIndex = role === 'largest' ? largestMover(truths) : extreme(truths, e.better, role);
  const truthStage = truthIndex >= 0 ? e.perStage[truthIndex].stage : null;
  const base = { role, stage: f.stage, estimate: f.estimate, truth: f.truth, lo: f.lo, hi: f.hi, truthStage };
  const name = quoted(f.stage);
  const both = `estimated ${u(f.estimate)}${f.exact ? ' (exact, replayed)' : ''}, retraining ${u(f.truth)}`;
  if (Math.sign(f.truth) !== Math.sign(f.estimate)) {
    return { ...base, verdict: 'opposite-sign', sentence: `Retraining disagrees in sign about ${name}: ${both}.` };
  }
  if (truthIndex !== k) {
    const what = role === 'blame' ? 'most responsible' : role === 'credit' ? 'most helpful' : 'largest mover';
    const other = truthStage === null ? `no stage is ${role === 'blame' ? 'to blame' : 'to credit'}` : `the ${what} is ${quoted(truthStage)} (${u(e.perStage[truthIndex].truth)})`;
    return { ...base, verdict: 'other-stage', sentence: `Retraining disagrees about which stage: ${other}; for ${name} it is ${both}.` };
  }
  // Replayed values are the truth up to the order of float operations.
  const slack = 1e-9 * Math.max(1, Math.abs(f.truth));
  if (!isNum(f.lo) || !isNum(f.hi)) {
    return { ...base, verdict: 'size-unchecked', sentence: `Retraining agrees in sign and stage about ${name} (${both}); the estimate has no interval to judge its size by.` };
  }
  if (f.truth < f.lo - slack || f.truth > f.hi + slack) {
    const ratio = Math.abs(f.estimate / f.truth);
    const times = isNum(ratio) && ratio > 0 ? ` (${ratio >= 1 ? `${ratio.toFixed(1)}× too large` : `${(1 / ratio).toFixed(1)}× too small`})` : '';
    return { ...base, verdict: 'different-size', sentence: `Retraining disagrees in size about ${name}: ${both}${times}, outside the interval ${signed(f.lo)} to ${signed(f.hi)}.` };
  }
  // Inside a wide interval the size can still be far off: say so, with the factor.
  const ratio = Math.abs(f.estimate / f.truth);
  const off = !f.exact && isNum(ratio) && ratio > 0 && (ratio > 2 || ratio < 0.5)
    ? `; the size is off by ${(ratio > 1 ? ratio : 1 / ratio).toFixed(1)}× (estimate too ${ratio > 1 ? 'large' : 'small'}), which only the interval's width allows` : '';
  return { ...base, verdict: 'confirms', sentence: `Retraining confirms ${name}: ${both}${f.exact ? '' : ', inside the interval'}${off}.` };
}

export interface ShapleyNote {
  stage: string;
  leaveOneOut: number;
  shapley: number;
  sentence: string;
}

/**
 * Stages whose Shapley value has the opposite sign to their leave-one-out effect. Both are exact
 * (from retraining); they differ by the stage's share of its interactions with the other stages,
 * so an opposite sign means the stage's effect depends on which other stages ran.
 */
export function shapleySignNotes(e: HeadlineEffects): ShapleyNote[] {
  const notes: ShapleyNote[] = [];
  for (const s of e.perStage) {
    if (!isNum(s.truth) || !isNum(s.shapley) || s.truth === 0 || s.shapley === 0 || Math.sign(s.truth) === Math.sign(s.shapley)) continue;
    const u = (v: number) => withUnit(signed(v), e.unit);
    notes.push({
      stage: s.stage, leaveOneOut: s.truth, shapley: s.shapley,
      sentence: `${quoted(s.stage)}: the Shapley value (${u(s.shapley)}) has the opposite sign to the leave-one-out effect (${u(s.truth)}). `
        + `Both are exact; they differ by ${u(s.shapley - s.truth)}, the stage's share of its interactions with the other stages: `
        + `removing it from the full pipeline moves ${e.behaviour} one way, while added to fewer stages it moves it the other.`,
    });
  }
  return notes;
}

export function judgeIntervention(iv: InterventionInput): InterventionVerdict {
  const grouped = iv.before.perGroup.length > 0 && isNum(iv.before.worstGroupAccuracy) && isNum(iv.after.worstGroupAccuracy);
  const measure = grouped ? 'worst-group accuracy' as const : 'accuracy' as const;
  const before = grouped ? iv.before.worstGroupAccuracy! : iv.before.accuracy;
  const after = grouped ? iv.after.worstGroupAccuracy! : iv.after.accuracy;
  const madeWorse = after < before;
  const accuracyWorse = iv.after.accuracy < iv.before.accuracy;
  // The description is the case's own sentence; it is quoted after the verdict, not spliced into it.
  const description = iv.description.trim().replace(/\.$/, '');
  const what = iv.stage ? `${description} (stage ${quoted(iv.stage)})` : description;
  const change = `${measure} ${pct(before)} → ${pct(after)}`;
  let sentence = madeWorse
    ? `The intervention made the ${grouped ? 'worst group' : 'model'} worse: ${change}. It was: ${what}.`
    : `The intervention ${after > before ? 'helped' : 'left it unchanged'}: ${change}. It was: ${what}.`;
  if (grouped) sentence += ` Accuracy ${pct(iv.before.accuracy)} → ${pct(iv.after.accuracy)}${accuracyWorse && !madeWorse ? ' (lower)' : ''}.`;
  return { measure, before, after, madeWorse, accuracyWorse, sentence };
}

/** The sentence stating how much a stage moved the behaviour and how that number was obtained. */
function amount(f: StageFigure, unit: string): string {
  const v = withUnit(signed(f.estimate), unit);
  if (f.exact) return `${v}, exact (replayed)`;
  const unsure = isNum(f.lo) && isNum(f.hi) && f.lo < 0 && f.hi > 0 ? '; the interval includes zero, so even the sign is uncertain' : '';
  return `${v}, ${figureLabel(f, unit)}${unsure}`;
}

/** Every conclusion, from the reports (+ optionally an intervention's outcome). */
export function decide(attribution: AttributionReport, validation: ValidationReport | null = null, opts: ConclusionRequest & { intervention?: InterventionInput | null } = {}): Conclusion {
  const e = headlineEffects(attribution, validation, opts);
  const est = e.perStage.map((s) => s.estimate);
  const names = e.perStage.map((s) => s.stage);
  const sentences: string[] = [];
  const retraining: RetrainingCheck[] = [];
  let blamed: number | null = null;
  let credited: number | null = null;
  let largest: number | null = null;
  if (e.better === 'unknown') {
    const k = largestMover(est);
    largest = k < 0 ? null : k;
    sentences.push(k < 0 ? `No stage effect could be estimated for ${e.behaviour}.`
      : `Stage ${quoted(names[k])} moved ${e.behaviour} the most: ${amount(e.perStage[k], e.unit)}.`);
    const c = k < 0 ? null : checkAgainstRetraining(e, k, 'largest');
    if (c) retraining.push(c);
  } else {
    const [up, down] = e.better === 'lower' ? ['raising', 'lowering'] : ['lowering', 'raising'];
    const b = extreme(est, e.better, 'blame');
    const c = extreme(est, e.better, 'credit');
    blamed = b < 0 ? null : b;
    credited = c < 0 ? null : c;
    sentences.push(b >= 0
      ? `Stage ${quoted(names[b])} is the one most responsible for ${up} ${e.behaviour}: ${amount(e.perStage[b], e.unit)}.`
      : `No stage made ${e.behaviour} worse.`);
    sentences.push(c >= 0
      ? `Stage ${quoted(names[c])} did the most for it, ${down} it: ${amount(e.perStage[c], e.unit)}.`
      : 'No stage improved it.');
    for (const [k, role] of [[b, 'blame'], [c, 'credit']] as const) {
      const check = k >= 0 ? checkAgainstRetraining(e, k, role) : null;
      if (check) retraining.push(check);
    }
  }
  sentences.push(...retraining.map((r) => r.sentence));
  const intervention = opts.intervention ? judgeIntervention(opts.intervention) : null;
  if (intervention) sentences.push(intervention.sentence);
  return {
    effects: e, blamed, credited, largest, retraining, intervention, sentences, shapley: shapleySignNotes(e),
    headline: {
      behaviour: e.behaviour,
      blamedStage: blamed === null ? null : names[blamed],
      creditedStage: credited === null ? null : names[credited],
      summary: sentences.join(' '),
      estimate: e.estimate,
    },
  };
}
