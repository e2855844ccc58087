import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attribute, runBehaviours, validate, writeAttribution, writeValidation, type AttributionReport, type ValidationReport } from '../attribution/index.js';
import { writeJsonAtomic } from '../io/index.js';
import { openRun, parseManifest, train, type ProgressEvent, type Run } from '../pipeline/index.js';
import { EXTRAS_FILE } from '../report/collect.js';
import { writeReport } from '../report/index.js';
import type { ResultsExtras } from '../report/results.js';
import { decide, extreme, type Conclusion, type StageFigure } from '../attribution/conclusions.js';
import { runIntervention, type InterventionResult } from './intervention.js';
import { quickManifest } from './quick.js';
import { casesDir, DEFAULT_CASE, getCase, type CaseStudy } from './registry.js';
import { topExamples } from './topExamples.js';

export interface DemoOptions {
  case?: string;
  quick?: boolean;
  /** Output directory (default ./stagecredit-demo/<case>[-quick]). */
  out?: string;
  workers?: number;
  onTrainProgress?: (e: ProgressEvent) => void;
  onPhase?: (message: string) => void;
}

export interface DemoSummary {
  case: string;
  title: string;
  runDir: string;
  reportPath: string;
  behaviour: string;
  estimate: string;
  /** Stage with the largest estimated increase of the behaviour (null if none raised it). */
  blamedStage: string | null;
  /** Estimated (with interval and grade) and true effect of every stage on the headline behaviour. */
  perStage: StageFigure[];
  /** Every conclusion, as the report and results.json state it (conclusions.ts). */
  conclusion: Conclusion;
  /** Whether retraining blames the same stage as the estimate. */
  blameMatchesTruth: boolean;
  /** Pooled Pearson correlation with retraining, per estimate. */
  agreement: { id: string; pooledPearson: number; costFraction: number }[];
  intervention: InterventionResult | null;
  topExamplesNote: string | null;
  seconds: { train: number; attribute: number; validate: number; fix: number; report: number; total: number };
}

/** Retraining blames the stage the estimate blames (or, like it, none). */
function blameMatches(c: Conclusion): boolean {
  const check = c.retraining.find((r) => r.role === 'blame');
  if (check) return check.truthStage === check.stage;
  const e = c.effects;
  return c.blamed === null && extreme(e.perStage.map((s) => s.truth), e.better, 'blame') < 0;
}

/** Trains a case study's pipeline, attributes, validates against retraining, fixes the blamed stage, reports. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  const t0 = performance.now();
  const cs: CaseStudy = getCase(opts.case ?? DEFAULT_CASE);
  const why = cs.unavailable?.();
  if (why) throw new Error(`case "${cs.name}" cannot run here: ${why}`);
  const phase = opts.onPhase ?? (() => {});
  const out = resolve(opts.out ?? join('stagecredit-demo', `${cs.name}${opts.quick ? '-quick' : ''}`));
  mkdirSync(out, { recursive: true });
  const raw = JSON.parse(readFileSync(join(casesDir(), cs.manifest), 'utf8')) as unknown;
  const manifestJson = opts.quick ? quickManifest(raw) : raw;
  writeJsonAtomic(join(out, 'pipeline.json'), manifestJson);
  const runDir = join(out, 'run');

  phase(`training "${cs.title}"${opts.quick ? ' (quick)' : ''}`);
  let t = performance.now();
  train({ manifest: parseManifest(manifestJson, join(out, 'pipeline.json')), baseDir: casesDir(), path: join(out, 'pipeline.json') }, { out: runDir, onProgress: opts.onTrainProgress });
  const trainSeconds = (performance.now() - t) / 1000;
  const run: Run = openRun(runDir);

  phase('estimating stage effects without retraining');
  t = performance.now();
  const attribution: AttributionReport = attribute(run, { estimators: cs.estimators });
  writeAttribution(run, attribution);
  const attributeSeconds = (performance.now() - t) / 1000;

  phase('retraining without each stage to check the estimates');
  t = performance.now();
  const validation: ValidationReport = await validate(run, { attribution, subsets: run.pipeline.stages.length <= 4, workers: opts.workers });
  writeValidation(run, validation);
  const validateSeconds = (performance.now() - t) / 1000;

  const bi = attribution.behaviours.names.indexOf(cs.headlineBehaviour);
  if (bi < 0) throw new Error(`case ${cs.name}: behaviour "${cs.headlineBehaviour}" not computed (have ${attribution.behaviours.names.slice(0, 8).join(', ')}…)`);
  // The stage to fix is the one the conclusion blames; the final conclusion also judges the fix.
  const request = { behaviour: cs.headlineBehaviour, estimate: cs.headlineEstimate };
  const blamed = decide(attribution, validation, request).blamed;

  t = performance.now();
  let intervention: InterventionResult | null = null;
  let note: string | null = null;
  let extras: ResultsExtras = { headline: request };
  if (blamed !== null) {
    phase(`fixing stage "${attribution.run.stages[blamed].name}" and retraining`);
    intervention = runIntervention(run, cs, blamed);
    const top = topExamples(run, blamed, runBehaviours(run), bi);
    note = top.note;
    extras = { ...extras, topExamples: top.top };
  }
  const fixSeconds = (performance.now() - t) / 1000;
  const conclusion = decide(attribution, validation, { ...request, intervention });
  extras = { ...extras, intervention };
  writeJsonAtomic(join(runDir, EXTRAS_FILE), extras);
  phase('writing the report');
  t = performance.now();
  const { html } = writeReport(runDir);
  const reportSeconds = (performance.now() - t) / 1000;

  return {
    case: cs.name, title: cs.title, runDir, reportPath: html, behaviour: cs.headlineBehaviour, estimate: conclusion.effects.estimate,
    blamedStage: conclusion.headline.blamedStage, perStage: conclusion.effects.perStage, conclusion,
    blameMatchesTruth: blameMatches(conclusion),
    agreement: validation.estimates.map((e) => ({ id: e.id, pooledPearson: e.agreement.pooled.pearson, costFraction: e.costFraction })),
    intervention, topExamplesNote: note,
    seconds: { train: trainSeconds, attribute: attributeSeconds, validate: validateSeconds, fix: fixSeconds, report: reportSeconds, total: (performance.now() - t0) / 1000 },
  };
}
