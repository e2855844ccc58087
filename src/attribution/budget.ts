import { replaySkipping, type Run } from '../pipeline/index.js';
import type { AttributionReport, EstimateRecord } from './attribute.js';
import type { BehaviourSet } from './behaviours.js';
import { decide } from './conclusions.js';
import { replayBehaviours, replayCost } from './replays.js';

// Budgeted attribution (issue 13, part 3): the exact leave-one-out replay of stage k costs the
// later stages' steps, known before anything runs. Within a budget measured in training steps,
// replay the stages chosen by the rule below, make their effects exact, and estimate the rest.
//
// The rule, in order, each stage taken only if its replay fits what is left of the budget:
//   1. stages whose replay costs no step (the last stage: its counterfactual is the previous
//      boundary's checkpoint, already stored);
//   2. the stage the headline blames (conclusions.ts), to confirm the conclusion that matters most;
//   3. the stage it credits (or, for a behaviour with no better direction, the one that moved it most);
//   4. the remaining stages by the width of their interval on the headline behaviour, widest first
//      (a stage without an interval counts as widest); ties go to the cheaper replay.
// A stage that does not fit is skipped and the next one tried, so a cheap uncertain stage is not
// blocked by an expensive one ahead of it.

export type BudgetSpec =
  | { kind: 'none' }
  | { kind: 'fraction'; fraction: number }
  | { kind: 'seconds'; seconds: number }
  /** The smaller of a fraction of one full retraining and a number of seconds. */
  | { kind: 'min'; fraction: number; seconds: number };

/**
 * The CLI's default: a quarter of one full retraining, but never more than two minutes of replay.
 * On a 10-second run that buys 2.5 s (typically the last stages, the blamed one when it is late);
 * on a day-long run two minutes buys almost nothing beyond the free last stage, so `attribute` stays
 * an estimate unless more is asked for.
 */
export const DEFAULT_BUDGET = '0.25,120s';

export const BUDGET_RULE =
  'free replays (the last stage) first, then the blamed stage, then the credited one, then the widest intervals; each only if its replay fits what is left';

/** "none", "0.5" (fraction of one full retraining), "30s", "5m", or "0.25,120s" (the smaller of both). */
export function parseBudget(text: string): BudgetSpec {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === 'off') return { kind: 'none' };
  const parts = t.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  let fraction: number | undefined;
  let seconds: number | undefined;
  for (const p of parts) {
    const time = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)$/.exec(p);
    if (time) {
      if (seconds !== undefined) throw new Error(`--budget "${text}": give at most one time`);
      const scale = time[2].startsWith('h') ? 3600 : time[2].startsWith('m') ? 60 : 1;
      seconds = Number(time[1]) * scale;
    } else if (/^\d+(?:\.\d+)?$/.test(p)) {
      if (fraction !== undefined) throw new Error(`--budget "${text}": give at most one fraction`);
      fraction = Number(p);
    } else {
      throw new Error(`--budget "${text}": expected a fraction of one full retraining (e.g. 0.5), a time (e.g. 30s, 5m), both as "0.25,120s", or "none"`);
    }
  }
  if (fraction === undefined && seconds === undefined) throw new Error(`--budget "${text}": empty`);
  if (fraction !== undefined && seconds !== undefined) return { kind: 'min', fraction, seconds };
  return fraction !== undefined ? { kind: 'fraction', fraction } : { kind: 'seconds', seconds: seconds! };
}

/** Training steps per second, from the run's own training (run.json). */
export function stepsPerSecond(run: Run): number {
  const { stepsDone, trainSeconds } = run.status;
  return trainSeconds > 0 && stepsDone > 0 ? stepsDone / trainSeconds : Infinity;
}

/** The budget in training steps; one full retraining is the pipeline's total steps. */
export function budgetSteps(run: Run, spec: BudgetSpec): number {
  const total = run.pipeline.totalSteps;
  const fromFraction = (f: number) => Math.floor(f * total);
  const fromSeconds = (s: number) => Math.floor(Math.min(s * stepsPerSecond(run), Number.MAX_SAFE_INTEGER));
  switch (spec.kind) {
    case 'none': return -1;
    case 'fraction': return fromFraction(spec.fraction);
    case 'seconds': return fromSeconds(spec.seconds);
    case 'min': return Math.min(fromFraction(spec.fraction), fromSeconds(spec.seconds));
  }
}

export interface ReplayPlan {
  /** Budget in training steps (-1: no replay at all). */
  budgetSteps: number;
  /** Stage indices to replay, in the order the rule chose them. */
  stages: number[];
  /** Steps each chosen replay costs. */
  costs: number[];
  /** Every stage's replay cost, chosen or not. */
  stageCosts: number[];
  rule: string;
}

function intervalWidth(e: EstimateRecord, k: number, indices: number[]): number {
  const lo = e.trust?.lo?.[k];
  const hi = e.trust?.hi?.[k];
  if (!lo || !hi) return Infinity;
  let w = 0;
  for (const i of indices) w += hi[i] - lo[i];
  return Number.isFinite(w) ? w / indices.length : Infinity;
}

/** Which stages to replay within `steps` training steps (see the rule at the top of this file). */
export function planReplays(run: Run, report: AttributionReport, steps: number): ReplayPlan {
  const K = run.pipeline.stages.length;
  const stageCosts = Array.from({ length: K }, (_, k) => replayCost(run, [k]));
  const plan: ReplayPlan = { budgetSteps: steps, stages: [], costs: [], stageCosts, rule: BUDGET_RULE };
  if (steps < 0 || report.estimates.length === 0) return plan;
  const c = decide(report, null);
  const estimate = report.estimates.find((e) => e.id === c.effects.estimate)!;
  const named = [c.blamed, c.credited, c.largest].filter((k): k is number => k !== null);
  const rest = Array.from({ length: K }, (_, k) => k)
    .filter((k) => !named.includes(k))
    .sort((a, b) => intervalWidth(estimate, b, c.effects.behaviourIndices) - intervalWidth(estimate, a, c.effects.behaviourIndices) || stageCosts[a] - stageCosts[b]);
  const free = stageCosts.flatMap((cost, k) => (cost === 0 ? [k] : []));
  let left = steps;
  for (const k of [...free, ...named, ...rest]) {
    if (plan.stages.includes(k) || stageCosts[k] > left) continue;
    plan.stages.push(k);
    plan.costs.push(stageCosts[k]);
    left -= stageCosts[k];
  }
  return plan;
}

export interface BudgetRecord {
  /** The budget as given, e.g. "0.25,120s". */
  requested: string;
  budgetSteps: number;
  /** One full retraining, in steps, for scale. */
  fullRetrainingSteps: number;
  stepsReplayed: number;
  seconds: number;
  /** Stage names replayed exactly, in the order chosen. */
  replayed: string[];
  /** Every stage's replay cost in steps. */
  stageCosts: { stage: string; steps: number }[];
  rule: string;
}

/** tau_k rows for the planned stages: tau_k(f_i) = f_i(theta_T) - f_i(theta_T^(-k)). */
export type ReplayedEffects = Map<number, number[]>;

/** A copy of the report whose planned stages carry their exact replayed effects in every estimate. */
export function applyReplays(report: AttributionReport, run: Run, plan: ReplayPlan, exact: ReplayedEffects, requested: string, seconds: number): AttributionReport {
  const K = report.run.stages.length;
  const estimates = report.estimates.map((e) => {
    const replayed = Array.from({ length: K }, (_, k) => exact.has(k) || e.replayed?.[k] === true);
    const effects = e.effects.map((row, k) => (exact.has(k) ? exact.get(k)!.slice() : row));
    const trust = e.trust && {
      ...e.trust,
      lo: e.trust.lo.map((row, k) => (exact.has(k) ? exact.get(k)!.slice() : row)),
      hi: e.trust.hi.map((row, k) => (exact.has(k) ? exact.get(k)!.slice() : row)),
      grade: e.trust.grade.map((g, k) => (exact.has(k) ? 'exact' as const : g)),
      reasons: e.trust.reasons.map((r, k) => (exact.has(k) ? ['replayed: exact leave-one-out retraining of the later stages'] : r)),
    };
    return { ...e, effects, replayed, ...(trust ? { trust } : {}) };
  });
  const budget: BudgetRecord = {
    requested, budgetSteps: plan.budgetSteps, fullRetrainingSteps: run.pipeline.totalSteps,
    stepsReplayed: plan.costs.reduce((a, b) => a + b, 0), seconds,
    replayed: plan.stages.map((k) => report.run.stages[k].name),
    stageCosts: plan.stageCosts.map((steps, k) => ({ stage: report.run.stages[k].name, steps })),
    rule: plan.rule,
  };
  return { ...report, estimates, budget };
}

function assertWithinBudget(plan: ReplayPlan): void {
  const spent = plan.costs.reduce((a, b) => a + b, 0);
  if (spent > Math.max(plan.budgetSteps, 0)) throw new Error(`internal: the replay plan spends ${spent} steps of a ${plan.budgetSteps}-step budget`);
}

export interface SpendOptions {
  /** Worker threads for the replays (default 1: in this thread). */
  workers?: number;
  onProgress?: (message: string) => void;
  /** f(theta_T) for these behaviours when the caller has it (attribute's report.factual), saving a forward pass. */
  factual?: Float64Array;
}

/** Replays the stages the budget covers (on the worker pool when workers > 1) and marks them exact. */
export async function spendBudget(run: Run, behaviours: BehaviourSet, report: AttributionReport, budget: string, opts: SpendOptions = {}): Promise<AttributionReport> {
  const plan = planReplays(run, report, budgetSteps(run, parseBudget(budget)));
  assertWithinBudget(plan);
  const t0 = performance.now();
  const r = await replayBehaviours(run, behaviours, plan.stages.map((k) => [k]), {
    workers: opts.workers,
    factual: opts.factual,
    onProgress: (p) => opts.onProgress?.(`replayed stage "${run.pipeline.stages[p.skip[0]].name}" (${p.done}/${p.total})`),
  });
  const exact: ReplayedEffects = new Map(plan.stages.map((k, j) => [k, Array.from(r.factual, (f, i) => f - r.values[j][i])]));
  return applyReplays(report, run, plan, exact, budget, (performance.now() - t0) / 1000);
}

/** As spendBudget, in this thread and synchronously (what `attribute(run, { budget })` uses). */
export function spendBudgetSync(run: Run, behaviours: BehaviourSet, report: AttributionReport, budget: string, onProgress?: (message: string) => void, factual?: Float64Array): AttributionReport {
  const plan = planReplays(run, report, budgetSteps(run, parseBudget(budget)));
  assertWithinBudget(plan);
  const t0 = performance.now();
  const exact: ReplayedEffects = new Map();
  plan.stages.forEach((k, j) => {
    factual ??= behaviours.values(run.finalParams());
    onProgress?.(`replaying stage "${run.pipeline.stages[k].name}" exactly (${plan.costs[j]} steps; ${j + 1}/${plan.stages.length})`);
    const cf = behaviours.values(replaySkipping(run, [k]));
    exact.set(k, Array.from(factual, (f, i) => f - cf[i]));
  });
  return applyReplays(report, run, plan, exact, budget, (performance.now() - t0) / 1000);
}
