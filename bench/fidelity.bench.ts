// Fidelity benchmark (issue 13): how close every estimator comes to leave-one-stage-out retraining
// on 14 small pipelines of varied shape (MLP, CNN, transformer; SGD, Nesterov, SGDW, Adam, AdamW;
// reset and carried state; short and 1000-step later stages; label noise, a spurious patch,
// covariate shift), against the truth's own noise ceiling (two extra batch-order seeds).
//
// The pipelines are split once, here, into a TUNING half (estimator design, the default's choice,
// interval calibration) and a REPORTING half (the README's figures). Never tune on the reporting half.
//
//   npm run bench:fidelity -- [--half tuning|reporting|all] [--json] [--calibrate] [--estimators a,b] [--budget spec]
//                             [--curvature-sample N] [--curvature-adam trajectory|stationary] [--coarse-stride N] [--mixed]   (research: estimator options, a first-stage-linear read-out)
//
// --budget (default: the CLI's DEFAULT_BUDGET, "none" to skip) also scores what `attribute` gives by
// default: the default estimate after the replay budget is spent (budget.ts, the real code path).
// --calibrate fits the interval model on the tuning half and writes src/attribution/trust/calibration.ts.
// Trained runs, the retraining truth and the seed-noise runs are cached under .cache/fidelity/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assessTrust, attribute, DEFAULT_BUDGET, DEFAULT_ESTIMATE, leaveOneStageOut, parseBudget, pearson, runBehaviours, seedNoise, spendBudgetSync, trustContext,
  type AttributionReport, type BudgetRecord, type Calibration, type EstimateRecord, type EstimateTrust, type TrustContext,
} from '../src/attribution/index.js';
import { GRADE_THRESHOLDS } from '../src/attribution/trust.js';
import { fitCalibration, type TrustCase } from '../src/attribution/trust/fit.js';
import { signals } from '../src/attribution/trust/signals.js';
import { factualEntry } from '../src/attribution/estimators/index.js';
import { loadManifest, openRun, stageBatch, train, trainingStep, type Run } from '../src/pipeline/index.js';

type Half = 'tuning' | 'reporting';
/**
 * Fixed split: each half holds MLP, CNN and transformer pipelines, Adam and SGD later stages,
 * label noise, a spurious patch, covariate shift, short and 1000-step stages. (Changed once, after
 * the first run: the tuning half held no CNN, so cnn-shift-sgd and mlp-shift-fashion swapped.)
 */
const PIPELINES: { name: string; half: Half }[] = [
  { name: 'mlp-gentle-sgd', half: 'tuning' },
  { name: 'mlp-noise-adam', half: 'tuning' },
  { name: 'mlp-spurious-nesterov', half: 'tuning' },
  { name: 'cnn-shift-sgd', half: 'tuning' },
  { name: 'transformer-adam', half: 'tuning' },
  { name: 'mlp-long-sgd', half: 'tuning' },
  { name: 'mlp-long-carry', half: 'tuning' },
  { name: 'mlp-aggressive-sgd', half: 'reporting' },
  { name: 'mlp-noise-sgdw', half: 'reporting' },
  { name: 'cnn-spurious-adamw', half: 'reporting' },
  { name: 'mlp-shift-fashion', half: 'reporting' },
  { name: 'transformer-sgd-noise', half: 'reporting' },
  { name: 'mlp-long-adamw', half: 'reporting' },
  { name: 'mlp-long-spurious', half: 'reporting' },
];
const ESTIMATORS = ['task-vector', 'hessian-free', 'stage-curvature'];
const NOISE_SEEDS = 2;
const CACHE = join('.cache', 'fidelity');
const CALIBRATION_FILE = join('src', 'attribution', 'trust', 'calibration.ts');

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const halfArg = value('half') ?? 'all';
if (!['tuning', 'reporting', 'all'].includes(halfArg)) throw new Error(`--half: tuning, reporting or all, got ${halfArg}`);
const estimators = value('estimators')?.split(',') ?? ESTIMATORS;
const calibrate = flag('calibrate');
const budgetArg = value('budget') ?? DEFAULT_BUDGET;
const budgetOn = parseBudget(budgetArg).kind !== 'none';
const BUDGETED = `${DEFAULT_ESTIMATE}+budget`;
const json = flag('json');
const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);

interface Truth {
  key: string;
  leaveOneOut: number[][];
  seconds: number;
  noise: number[][][];
}

/** Trains (cached) and computes the retraining truth and its seed noise (cached, keyed by the manifest). */
async function prepare(name: string): Promise<{ run: Run; truth: Truth }> {
  const file = join('bench', 'pipelines', `${name}.json`);
  const key = createHash('sha256').update(readFileSync(file)).update(`seeds=${NOISE_SEEDS}`).digest('hex').slice(0, 16);
  const dir = join(CACHE, name);
  const truthFile = join(dir, `truth-${key}.json`);
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(join(dir, 'run.json'))) {
    log(`  training ${name}`);
    train(loadManifest(file), { out: dir });
  }
  const run = openRun(dir);
  if (existsSync(truthFile)) return { run, truth: JSON.parse(readFileSync(truthFile, 'utf8')) as Truth };
  log(`  retraining without each stage (${name})`);
  const gt = await leaveOneStageOut(run, runBehaviours(run));
  log(`  seed noise: ${NOISE_SEEDS} more batch orders (${name})`);
  const noise = await seedNoise(run, (r) => runBehaviours(r), { extraSeeds: NOISE_SEEDS });
  const truth: Truth = { key, leaveOneOut: gt.leaveOneOut.map((a) => Array.from(a)), seconds: gt.seconds, noise: noise.leaveOneOut };
  writeFileSync(truthFile, JSON.stringify(truth));
  return { run, truth };
}

type Position = 'first' | 'middle' | 'last';
const POSITIONS: Position[] = ['first', 'middle', 'last'];
const positionOf = (k: number, K: number): Position => (k === 0 ? 'first' : k === K - 1 ? 'last' : 'middle');

interface StageScore { pipeline: string; stage: string; position: Position; pearson: number; ceiling: number }
interface AggregateScore { pipeline: string; behaviour: string; blamedMatch: boolean; creditedMatch: boolean; positions: Position[]; errors: number[]; noise: number[] }
interface Coverage { inside: number; total: number }
/** One stage's grade against its accuracy; rel is the statistic the grade thresholds cut (trust.ts). */
interface GradeCase {
  grade: string; rel: number;
  /** Research (grade recalibration): the widest aggregate half-width over the largest |estimated| stage effect on that aggregate. */
  aggregateWidth: number;
  error: number; aggregateWithin10: boolean[]; example: Coverage; aggregate: Coverage; position: Position }
/** What the replay budget bought on one pipeline. */
interface BudgetScore { pipeline: string; stages: number; replayed: number; stepsReplayed: number; fullRetrainingSteps: number; leaveOneOutSteps: number; replaySeconds: number; retrainSeconds: number }
interface EstimateScores {
  stages: StageScore[];
  aggregates: AggregateScore[];
  /** Over stages still estimated (a replayed stage's interval is the truth itself). */
  coverage: Record<'example' | 'aggregate', Record<Position, Coverage>>;
  grades: GradeCase[];
  costs: { pipeline: string; fraction: number; long: boolean }[];
  budget: BudgetScore[];
}

/**
 * Leave-one-out retraining seconds at the machine's current load: a timed sample of each later
 * stage's steps, times the steps the replays run (stage j is replayed once per earlier stage).
 * The shared machine's load changes by 2x within minutes, so the cached truth's own seconds would
 * make the cost fractions noise.
 */
function retrainingSecondsNow(run: Run): number {
  const { model, dtype, stages } = run.pipeline;
  let total = 0;
  for (let j = 1; j < stages.length; j++) {
    const stage = stages[j];
    let { params, state } = factualEntry(run, j);
    const warm = Math.min(5, stage.steps - 1);
    const n = Math.min(30, stage.steps - warm);
    let t0 = 0;
    for (let s = 0; s < warm + n; s++) {
      if (s === warm) t0 = performance.now();
      ({ params, state } = trainingStep(model, stage, params, state, s, stageBatch(stage, s, dtype)));
    }
    total += (((performance.now() - t0) / 1000) / n) * stage.steps * j;
  }
  return total;
}

const argmax = (xs: number[]) => xs.reduce((b, x, i) => (x > xs[b] ? i : b), 0);
const argmin = (xs: number[]) => xs.reduce((b, x, i) => (x < xs[b] ? i : b), 0);
const emptyCoverage = () => ({ first: { inside: 0, total: 0 }, middle: { inside: 0, total: 0 }, last: { inside: 0, total: 0 } });

/** Every estimate's read-outs, as attribute() hands them to assessTrust. */
function trustFor(report: AttributionReport, context: TrustContext, calibration?: Calibration): Map<string, EstimateTrust> {
  const out = new Map<string, EstimateTrust>();
  const find = (est: string, output: string) => report.estimates.find((e) => e.estimator === est && e.output === output)!.effects;
  for (const e of report.estimates) {
    if (e.output === 'adjoint' || e.id.endsWith('/mixed') || e.id.endsWith('/lastexact')) continue;
    const others = report.estimates.filter((o) => o.estimator !== e.estimator && o.output === e.output).map((o) => o.effects);
    out.set(e.id, calibration
      ? assessTrust({ context, estimator: e.estimator, output: e.output, linear: find(e.estimator, 'linear'), exact: find(e.estimator, 'exact'), others, calibration })
      : e.trust!);
  }
  return out;
}

function trustCases(report: AttributionReport, context: TrustContext, truth: number[][]): TrustCase[] {
  const cases: TrustCase[] = [];
  const find = (est: string, output: string) => report.estimates.find((e) => e.estimator === est && e.output === output)!.effects;
  for (const e of report.estimates) {
    if (e.output === 'adjoint') continue;
    const others = report.estimates.filter((o) => o.estimator !== e.estimator && o.output === e.output).map((o) => o.effects);
    const sig = signals(e.effects, find(e.estimator, 'linear'), find(e.estimator, 'exact'), others, context.classes);
    e.effects.forEach((row, k) => {
      const regime = context.regimes[k];
      if (regime === 'last') return;
      row.forEach((v, i) => {
        const norm = Math.max(...e.effects.map((r) => Math.abs(r[i])));
        cases.push({ estimate: e.id, cls: context.classes[i], regime, signal: sig[k][i], error: Math.abs(truth[k][i] - v), norm });
      });
    });
  }
  return cases;
}

/** The grade statistic of trust.ts, recovered from the interval: summed half-width over summed |estimate| (last stage: the full gap to the exact read-out). */
function relativeWidth(t: EstimateTrust, row: number[], k: number, last: boolean): number {
  const w = row.reduce((a, _, i) => a + (t.hi[k][i] - t.lo[k][i]) / (last ? 1 : 2), 0);
  const v = row.reduce((a, x) => a + Math.abs(x), 0);
  return v > 0 ? w / v : w > 0 ? Infinity : 0;
}

/** The budgeted default estimate and what its budget spent, for one pipeline. */
interface Budgeted { estimate: EstimateRecord; record: BudgetRecord }

function score(report: AttributionReport, context: TrustContext, truth: Truth, trust: Map<string, EstimateTrust>, all: Map<string, EstimateScores>, name: string, long: boolean, retrainSeconds: number, budgeted?: Budgeted): void {
  const K = report.run.stages.length;
  const ex = context.classes.flatMap((c, i) => (c === 'example' ? [i] : []));
  const agg = context.classes.flatMap((c, i) => (c === 'aggregate' ? [i] : []));
  const pick = (row: number[], idx: number[]) => idx.map((i) => row[i]);
  const T = truth.leaveOneOut;
  const ceilings = Array.from({ length: K }, (_, k) => {
    const rs: number[] = [];
    for (let a = 0; a < truth.noise.length; a++) for (let b = a + 1; b < truth.noise.length; b++) rs.push(pearson(pick(truth.noise[a][k], ex), pick(truth.noise[b][k], ex)).value);
    return rs.reduce((x, y) => x + y, 0) / rs.length;
  });
  for (const e of budgeted ? [...report.estimates, budgeted.estimate] : report.estimates) {
    if (!all.has(e.id)) all.set(e.id, { stages: [], aggregates: [], coverage: { example: emptyCoverage(), aggregate: emptyCoverage() }, grades: [], costs: [], budget: [] });
    const s = all.get(e.id)!;
    for (let k = 0; k < K; k++) {
      s.stages.push({ pipeline: name, stage: report.run.stages[k].name, position: positionOf(k, K), pearson: pearson(pick(e.effects[k], ex), pick(T[k], ex)).value, ceiling: ceilings[k] });
    }
    for (const i of agg) {
      const est = e.effects.map((r) => r[i]);
      const tru = T.map((r) => r[i]);
      const largest = Math.max(...tru.map(Math.abs));
      const seedSpread = T.map((_, k) => {
        const xs = truth.noise.map((n) => n[k][i]);
        return (Math.max(...xs) - Math.min(...xs)) / largest;
      });
      s.aggregates.push({
        pipeline: name, behaviour: report.behaviours.names[i],
        blamedMatch: argmax(est) === argmax(tru), creditedMatch: argmin(est) === argmin(tru), positions: est.map((_, k) => positionOf(k, K)),
        errors: est.map((v, k) => Math.abs(v - tru[k]) / largest), noise: seedSpread,
      });
    }
    const t = e === budgeted?.estimate ? e.trust : trust.get(e.id);
    if (t) {
      for (let k = 0; k < K; k++) {
        const pos = positionOf(k, K);
        const stageCov = { example: { inside: 0, total: 0 }, aggregate: { inside: 0, total: 0 } };
        context.classes.forEach((c, i) => {
          stageCov[c].total++;
          if (t.lo[k][i] <= T[k][i] && T[k][i] <= t.hi[k][i]) stageCov[c].inside++;
        });
        if (!e.replayed?.[k]) {
          for (const c of ['example', 'aggregate'] as const) s.coverage[c][pos] = sumCov([s.coverage[c][pos], stageCov[c]]);
        }
        // The stage's relative error on its aggregates, against its grade.
        const err = agg.reduce((a, i) => a + Math.abs(e.effects[k][i] - T[k][i]), 0) / Math.max(agg.reduce((a, i) => a + Math.abs(T[k][i]), 0), 1e-12);
        const within = agg.map((i) => Math.abs(e.effects[k][i] - T[k][i]) / Math.max(...T.map((r) => Math.abs(r[i])), 1e-12) <= 0.1);
        const halfWidth = (i: number) => (t.hi[k][i] - t.lo[k][i]) / (k === K - 1 ? 1 : 2);
        const aggregateWidth = Math.max(...agg.map((i) => halfWidth(i) / Math.max(...e.effects.map((r) => Math.abs(r[i])), 1e-12)));
        s.grades.push({ grade: t.grade[k], rel: relativeWidth(t, e.effects[k], k, k === K - 1), aggregateWidth, error: err, aggregateWithin10: within, ...stageCov, position: pos });
      }
    }
    const replaySeconds = e === budgeted?.estimate ? budgeted.record.seconds : 0;
    s.costs.push({ pipeline: name, fraction: (e.cost.seconds + e.cost.scoringSeconds + replaySeconds) / retrainSeconds, long });
    if (e === budgeted?.estimate) {
      const b = budgeted.record;
      s.budget.push({
        pipeline: name, stages: K, replayed: b.replayed.length, stepsReplayed: b.stepsReplayed, fullRetrainingSteps: b.fullRetrainingSteps,
        leaveOneOutSteps: b.stageCosts.reduce((a, c) => a + c.steps, 0), replaySeconds: b.seconds, retrainSeconds,
      });
    }
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
const share = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
const ratio = (c: Coverage) => (c.total ? c.inside / c.total : NaN);
const sumCov = (cs: Coverage[]) => cs.reduce((a, c) => ({ inside: a.inside + c.inside, total: a.total + c.total }), { inside: 0, total: 0 });

function summary(s: EstimateScores) {
  const byPos = Object.fromEntries(POSITIONS.map((p) => {
    const st = s.stages.filter((x) => x.position === p);
    return [p, {
      stages: st.length, pearson: mean(st.map((x) => x.pearson)), ceiling: mean(st.map((x) => x.ceiling)),
      atCeiling: share(st.map((x) => x.pearson >= x.ceiling)),
      aggregateWithin10: share(s.aggregates.flatMap((a) => a.errors.filter((_, k) => a.positions[k] === p).map((err) => err <= 0.1))),
      coverageExample: ratio(s.coverage.example[p]), coverageAggregate: ratio(s.coverage.aggregate[p]),
    }];
  }));
  const errs = s.aggregates.flatMap((a) => a.errors);
  const nonLast = (c: 'example' | 'aggregate') => ratio(sumCov([s.coverage[c].first, s.coverage[c].middle]));
  return {
    byPosition: byPos,
    stagesAtCeiling: share(s.stages.map((x) => x.pearson >= x.ceiling)),
    blamedAndCreditedMatch: share(s.aggregates.map((a) => a.blamedMatch && a.creditedMatch)),
    blamedMatch: share(s.aggregates.map((a) => a.blamedMatch)),
    creditedMatch: share(s.aggregates.map((a) => a.creditedMatch)),
    aggregateWithin10: share(errs.map((x) => x <= 0.1)),
    aggregateErrorMedian: median(errs), aggregateErrorMax: Math.max(...errs),
    seedSpreadMedian: median(s.aggregates.flatMap((a) => a.noise)),
    coverage: {
      example: ratio(sumCov(POSITIONS.map((p) => s.coverage.example[p]))), aggregate: ratio(sumCov(POSITIONS.map((p) => s.coverage.aggregate[p]))),
      exampleNonLast: nonLast('example'), aggregateNonLast: nonLast('aggregate'),
    },
    grades: Object.fromEntries(GRADES.map((g) => [g, gradeSummary(s.grades.filter((x) => x.grade === g))])),
    costMedian: median(s.costs.map((c) => c.fraction)),
    costLongMax: Math.max(...s.costs.filter((c) => c.long).map((c) => c.fraction)),
    budget: s.budget.length ? budgetSummary(s.budget) : null,
  };
}

const GRADES = ['exact', 'high', 'medium', 'low'];

/** Accuracy of the stages given one grade: relative aggregate error, aggregates within 10 % of the largest stage effect, coverage. */
function gradeSummary(cases: GradeCase[]) {
  return {
    stages: cases.length, medianError: median(cases.map((x) => x.error)),
    aggregateWithin10: share(cases.flatMap((x) => x.aggregateWithin10)),
    coverageExample: ratio(sumCov(cases.map((x) => x.example))), coverageAggregate: ratio(sumCov(cases.map((x) => x.aggregate))),
  };
}

function budgetSummary(b: BudgetScore[]) {
  const sum = (f: (x: BudgetScore) => number) => b.reduce((a, x) => a + f(x), 0);
  return {
    stagesReplayed: sum((x) => x.replayed) / sum((x) => x.stages),
    /** Replayed steps over one full retraining (the budget's unit) and over the leave-one-out retraining. */
    stepsOfFullRetrainingMedian: median(b.map((x) => x.stepsReplayed / x.fullRetrainingSteps)),
    stepsOfLeaveOneOutMedian: median(b.map((x) => x.stepsReplayed / x.leaveOneOutSteps)),
    stepsOfLeaveOneOutMax: Math.max(...b.map((x) => x.stepsReplayed / x.leaveOneOutSteps)),
    secondsOfLeaveOneOutMedian: median(b.map((x) => x.replaySeconds / x.retrainSeconds)),
  };
}

function printTables(half: string, all: Map<string, EstimateScores>, pipelines: string[]): void {
  log(`\n=== ${half.toUpperCase()} half: ${pipelines.join(', ')} ===`);
  log('Per-example Pearson with retraining vs the noise ceiling (cross-seed Pearson of the truth, 3 batch orders), by stage position;');
  log('"at" = share of stages at or above their ceiling. Coverage = truth inside the 90% interval (per-example / aggregate behaviours).');
  const head = ['estimate'.padEnd(24), ...POSITIONS.map((p) => `${p}: r / ceil / at / cov`.padStart(30))].join(' ');
  log(head);
  for (const [id, s] of all) {
    const m = summary(s);
    log([id.padEnd(24), ...POSITIONS.map((p) => {
      const b = m.byPosition[p] as { stages: number; pearson: number; ceiling: number; atCeiling: number; coverageExample: number; coverageAggregate: number };
      return `${b.pearson.toFixed(2)} / ${b.ceiling.toFixed(2)} / ${pct(b.atCeiling)} / ${pct(b.coverageExample)},${pct(b.coverageAggregate)}`.padStart(30);
    })].join(' '));
  }
  log('\nAggregate behaviours (meanLoss, groupLoss, worstGroupLoss): most blamed / most credited stage as retraining (both), |error| / the pipeline\'s largest stage effect;');
  log('coverage of non-last stages; grades (stages: median relative aggregate error); cost = estimate seconds / leave-one-out retraining seconds (timed sample of steps at the same load).');
  log(['estimate'.padEnd(24), 'blame&credit'.padStart(12), 'err<=10%'.padStart(9), 'med err'.padStart(8), 'max err'.padStart(8), 'seed spread'.padStart(11), 'cov ex/agg (non-last)'.padStart(22), 'grades high|med|low'.padStart(34), 'cost med'.padStart(9), 'cost long'.padStart(10)].join(' '));
  for (const [id, s] of all) {
    const m = summary(s);
    const g = m.grades as Record<string, { stages: number; medianError: number }>;
    log([
      id.padEnd(24), pct(m.blamedAndCreditedMatch).padStart(12), pct(m.aggregateWithin10).padStart(9), pct(m.aggregateErrorMedian).padStart(8), pct(m.aggregateErrorMax).padStart(8),
      pct(m.seedSpreadMedian).padStart(11), `${pct(m.coverage.exampleNonLast)} / ${pct(m.coverage.aggregateNonLast)}`.padStart(22),
      ['high', 'medium', 'low'].map((x) => `${g[x].stages}:${pct(g[x].medianError)}`).join(' | ').padStart(34),
      pct(m.costMedian).padStart(9), pct(m.costLongMax).padStart(10),
    ].join(' '));
  }
  log(`\nGrades (thresholds on summed half-width / summed |estimate|: high < ${GRADE_THRESHOLDS.highBelow}, medium < ${GRADE_THRESHOLDS.mediumBelow}):`);
  log('per grade: stages, aggregates within 10% of the largest stage effect, 90% coverage per example / aggregate (replayed stages are exact).');
  for (const [id, s] of all) {
    const g = summary(s).grades as Record<string, ReturnType<typeof gradeSummary>>;
    log([id.padEnd(30), ...GRADES.filter((x) => g[x].stages > 0).map((x) => `${x} ${g[x].stages}: ${pct(g[x].aggregateWithin10)} ${pct(g[x].coverageExample)}/${pct(g[x].coverageAggregate)}`.padStart(26))].join(' '));
  }
  for (const id of [DEFAULT_ESTIMATE, BUDGETED]) goals(id, all.get(id), half);
}

function goals(id: string, d: EstimateScores | undefined, half: string): void {
  if (d) {
    const m = summary(d);
    const b = m.budget;
    log(`\n${id === BUDGETED ? `${DEFAULT_ESTIMATE} after the replay budget ${budgetArg}${budgetArg === DEFAULT_BUDGET ? ' (what `attribute` gives by default)' : ''}` : `Default ${DEFAULT_ESTIMATE}, no replay`} against the issue-13 goals (${half} half):`);
    if (b) log(`  stages replayed exactly: ${pct(b.stagesReplayed)}; replayed steps: median ${pct(b.stepsOfFullRetrainingMedian)} of one full retraining, ${pct(b.stepsOfLeaveOneOutMedian)} of leave-one-out retraining (max ${pct(b.stepsOfLeaveOneOutMax)}); replay seconds median ${pct(b.secondsOfLeaveOneOutMedian)} of leave-one-out retraining`);
    log(`  at or above the noise ceiling: ${pct(m.stagesAtCeiling)} of stages (goal >= 90%)`);
    log(`  most blamed and most credited stage as retraining: ${pct(m.blamedAndCreditedMatch)} of (pipeline, aggregate) cases (goal >= 95%; blamed ${pct(m.blamedMatch)}, credited ${pct(m.creditedMatch)})`);
    log(`  aggregate effects within 10% of the largest stage effect: ${pct(m.aggregateWithin10)} (goal 100%; max error ${pct(m.aggregateErrorMax)})`);
    log(`  90% intervals cover the truth${b ? ' (stages still estimated)' : ''}: per-example ${pct(m.coverage.example)}, aggregate ${pct(m.coverage.aggregate)}; non-last stages ${pct(m.coverage.exampleNonLast)} / ${pct(m.coverage.aggregateNonLast)} (goal 85-95%)`);
    log(`  cost${b ? ' (estimate + replays)' : ''}: median ${pct(m.costMedian)} of retraining; largest on pipelines with 1000-step later stages ${pct(m.costLongMax)} (goal <= 5%)`);
  }
}

const wanted = PIPELINES.filter((p) => halfArg === 'all' || p.half === halfArg || (calibrate && p.half === 'tuning'));
log(`fidelity benchmark: ${wanted.length} pipelines, estimators ${estimators.join(', ')}; truth = leave-one-stage-out retraining; noise ceiling from ${NOISE_SEEDS} extra batch-order seeds`);
const reports: { name: string; half: Half; report: AttributionReport; context: TrustContext; truth: Truth; long: boolean; K: number; steps: number; retrainSeconds: number; budgeted?: Budgeted }[] = [];
for (const p of wanted) {
  const t0 = performance.now();
  const { run, truth } = await prepare(p.name);
  const sample = value('curvature-sample');
  const adam = value('curvature-adam') as 'trajectory' | 'stationary' | undefined;
  const report = attribute(run, { estimators, reuse: false, ...(sample ? { curvatureSample: Number(sample) } : {}), ...(adam ? { curvatureAdam: adam } : {}), ...(value('coarse-stride') ? { coarseStride: Number(value('coarse-stride')) } : {}) });
  if (flag('mixed')) addMixed(report);
  const behaviours = runBehaviours(run);
  const context = trustContext(run, behaviours);
  const budgeted = budgetOn ? spendBudget(run, behaviours, report, truth) : undefined;
  const long = run.pipeline.stages.slice(1).some((s) => s.steps >= 1000);
  const retrainSeconds = retrainingSecondsNow(run);
  reports.push({ name: p.name, half: p.half, report, context, truth, long, K: run.pipeline.stages.length, steps: run.pipeline.totalSteps, retrainSeconds, budgeted });
  log(`${p.name} (${p.half}): ${run.pipeline.stages.length} stages, ${run.pipeline.totalSteps} steps, ${context.classes.length} behaviours; retraining ${retrainSeconds.toFixed(1)} s at the current load (${truth.seconds.toFixed(1)} s when cached); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The default estimate after `attribute`'s replay budget is spent, as the CLI does it (spendBudgetSync
 * on the same behaviours). Its replays must equal the cached leave-one-out truth: checked, not assumed.
 */
function spendBudget(run: Run, behaviours: ReturnType<typeof runBehaviours>, report: AttributionReport, truth: Truth): Budgeted | undefined {
  const spent = spendBudgetSync(run, behaviours, report, budgetArg);
  const est = spent.estimates.find((e) => e.id === DEFAULT_ESTIMATE);
  if (!est || !spent.budget) return undefined;
  est.replayed?.forEach((r, k) => {
    if (!r) return;
    const gap = Math.max(...est.effects[k].map((v, i) => Math.abs(v - truth.leaveOneOut[k][i])));
    if (gap > 1e-9) throw new Error(`${run.dir}: the budget's replay of stage ${k} differs from the cached truth by ${gap}`);
  });
  return { estimate: { ...est, id: BUDGETED }, record: spent.budget };
}

/** Research only (--mixed): read-outs linear on the first stage and exact elsewhere (mixed), or exact on the last stage only (lastexact). */
function addMixed(report: AttributionReport): void {
  for (const est of [...new Set(report.estimates.map((e) => e.estimator))]) {
    const lin = report.estimates.find((e) => e.estimator === est && e.output === 'linear');
    const ex = report.estimates.find((e) => e.estimator === est && e.output === 'exact');
    if (!lin || !ex) continue;
    const K = ex.effects.length;
    const variants: [string, (k: number) => boolean][] = [['mixed', (k) => k === 0], ['lastexact', (k) => k < K - 1]];
    for (const [name, linearAt] of variants) {
      const pick = <T,>(k: number, a: T, b: T) => (linearAt(k) ? a : b);
      report.estimates.push({
        ...ex, id: `${est}/${name}`, effects: ex.effects.map((r, k) => pick(k, lin.effects[k], r)),
        trust: { ...ex.trust!, lo: ex.effects.map((_, k) => pick(k, lin.trust!.lo[k], ex.trust!.lo[k])), hi: ex.effects.map((_, k) => pick(k, lin.trust!.hi[k], ex.trust!.hi[k])) },
      });
    }
  }
}

let calibration: Calibration | undefined;
if (calibrate) {
  const cases = reports.filter((r) => r.half === 'tuning').flatMap((r) => trustCases(r.report, r.context, r.truth.leaveOneOut));
  calibration = fitCalibration(cases, 0.9);
  const tuningNames = reports.filter((r) => r.half === 'tuning').map((r) => r.name);
  writeFileSync(CALIBRATION_FILE, `import type { Calibration } from './model.js';\n\n`
    + `// Written by \`npm run bench:fidelity -- --calibrate\` (tuning half only). Do not edit by hand.\n`
    + `export const CALIBRATION_SOURCE = ${JSON.stringify(`the fidelity benchmark's tuning half (${tuningNames.length} pipelines, ${cases.length} stage-behaviour cases)`)};\n`
    + `export const CALIBRATION: Calibration = ${JSON.stringify(calibration, null, 2)};\n`);
  log(`\ncalibration fitted on ${cases.length} tuning cases and written to ${CALIBRATION_FILE}`);
}

const results: Record<string, unknown> = { pipelines: PIPELINES, estimators, noiseSeeds: NOISE_SEEDS, defaultEstimate: DEFAULT_ESTIMATE, budget: budgetOn ? budgetArg : 'none', gradeThresholds: GRADE_THRESHOLDS, halves: {} };
for (const half of ['tuning', 'reporting'] as const) {
  const mine = reports.filter((r) => r.half === half && (halfArg === 'all' || halfArg === half));
  if (!mine.length) continue;
  const all = new Map<string, EstimateScores>();
  for (const r of mine) score(r.report, r.context, r.truth, trustFor(r.report, r.context, calibration), all, r.name, r.long, r.retrainSeconds, r.budgeted);
  if (!json) printTables(half, all, mine.map((r) => r.name));
  (results.halves as Record<string, unknown>)[half] = {
    pipelines: mine.map((r) => r.name),
    estimates: Object.fromEntries([...all].map(([id, s]) => [id, { summary: summary(s), stages: s.stages, aggregates: s.aggregates, costs: s.costs, grades: s.grades, budget: s.budget }])),
  };
}
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
