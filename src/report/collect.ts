import { existsSync } from 'node:fs';
import { readJsonFile } from '../io/index.js';
import { join } from 'node:path';
import type { AttributionReport } from '../attribution/attribute.js';
import type { ValidationReport } from '../attribution/validate.js';
import { validationMismatch } from '../attribution/derivedFiles.js';
import { computedFromOf, digestJson, runFingerprint, RunStore, unfinishedMessage } from '../pipeline/index.js';
import { readExtrasFile, validateExtras } from './extras.js';
import { decide } from '../attribution/conclusions.js';
import type { Results, ResultsExtras } from './results.js';
import { runInfo } from './runInfo.js';

export const EXTRAS_FILE = 'results-extras.json';

function readJson(path: string): unknown {
  try {
    return readJsonFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message.replace(`${path}: `, '')})`);
  }
}

function checkFormat(value: unknown, format: string, path: string, rerun: string): void {
  const v = value as { format?: unknown; version?: unknown } | null;
  if (v?.format !== format || v.version !== 1) {
    throw new Error(`${path} is not a ${format} version 1 file; recreate it with \`${rerun}\``);
  }
  // The fields read below, so a damaged file is named rather than failing with a TypeError.
  const o = value as { run?: { stages?: unknown }; behaviours?: { names?: unknown }; estimates?: unknown };
  const stages = o.run?.stages;
  if (!Array.isArray(stages) || !stages.every((s) => s !== null && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string')
    || !Array.isArray(o.behaviours?.names) || !Array.isArray(o.estimates)) {
    throw new Error(`${path}: run.stages, behaviours.names or estimates is missing or malformed; recreate it with \`${rerun}\``);
  }
}

/**
 * Gathers everything report.html shows: the run (run.json, manifest.json), the estimates
 * (attribution.json, required), the retraining check (validation.json, optional) and a case
 * study's additions (results-extras.json, then `extras`, which win key by key). The headline
 * and every verdict are decided by conclusions.ts (a case study only names its behaviour and estimate).
 */
export function collectResults(runDir: string, extras: ResultsExtras = {}): Results {
  const store = new RunStore(runDir);
  const status = store.readStatus();
  if (status.status !== 'complete') throw new Error(unfinishedMessage(runDir, status));
  const run = runInfo(status, store.readManifestJson(status), store.manifestPath);
  const fingerprint = runFingerprint(status);

  const attributionPath = join(runDir, 'attribution.json');
  if (!existsSync(attributionPath)) {
    throw new Error(`${runDir} has no attribution.json; run \`stagecredit attribute ${runDir}\` first (and \`stagecredit validate ${runDir}\` to check it against retraining)`);
  }
  const attribution = readJson(attributionPath) as AttributionReport;
  checkFormat(attribution, 'stagecredit-attribution', attributionPath, `stagecredit attribute ${runDir}`);
  const stageNames = run.stages.map((s) => s.name).join(', ');
  if (attribution.run.stages.map((s) => s.name).join(', ') !== stageNames) {
    throw new Error(`${attributionPath} was computed for other stages than this run's (${stageNames}); rerun \`stagecredit attribute ${runDir}\``);
  }
  const from = computedFromOf(attribution);
  if (from && from.run !== fingerprint) {
    throw new Error(`${attributionPath} was computed from another run than the one in ${runDir} now (the run was retrained or its files changed since); rerun \`stagecredit attribute ${runDir}\``);
  }
  if (!Array.isArray(attribution.estimates) || attribution.estimates.length === 0) throw new Error(`${attributionPath} holds no estimates; rerun \`stagecredit attribute ${runDir}\``);

  const validationPath = join(runDir, 'validation.json');
  let validation: ValidationReport | null = null;
  if (existsSync(validationPath)) {
    validation = readJson(validationPath) as ValidationReport;
    checkFormat(validation, 'stagecredit-validation', validationPath, `stagecredit validate ${runDir}`);
    const vFrom = computedFromOf(validation);
    if (vFrom && vFrom.run !== fingerprint) {
      throw new Error(`${validationPath} was computed from another run than the one in ${runDir} now; rerun \`stagecredit validate ${runDir}\``);
    }
    const mismatch = validationMismatch(runDir, attribution, validation);
    if (mismatch) throw new Error(mismatch);
  }

  const given = validateExtras(extras, 'the extras argument');
  const merged: ResultsExtras = { ...readExtrasFile(join(runDir, EXTRAS_FILE)) };
  for (const key of ['headline', 'topExamples', 'intervention'] as const) {
    if (given[key] !== undefined) Object.assign(merged, { [key]: given[key] });
  }
  const top = merged.topExamples;
  if (top && top.stage >= run.stages.length) throw new Error(`report extras: topExamples.stage ${top.stage} is out of range 0..${run.stages.length - 1}`);

  const request = { behaviour: merged.headline?.behaviour, estimate: merged.headline?.estimate };
  const { effects, headline, ...verdicts } = decide(attribution, validation, { ...request, intervention: merged.intervention ?? null });
  return {
    format: 'stagecredit-results',
    version: 1,
    run,
    attribution,
    validation,
    headline,
    headlineEffects: effects,
    conclusion: verdicts,
    topExamples: merged.topExamples ?? null,
    intervention: merged.intervention ?? null,
    computedFrom: { run: fingerprint, attribution: digestJson(attribution), validation: validation ? digestJson(validation) : null },
  };
}
