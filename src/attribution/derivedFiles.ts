// attribution.json and validation.json belong together: validation.json scores one particular
// set of estimates. When `attribute` replaces attribution.json, the old validation.json no longer
// checks what is on disk; these helpers detect that and say exactly which command restores
// agreement (rerun validate, or reproduce the estimates validation checked).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '../io/index.js';
import { computedFromOf, digestJson } from '../pipeline/index.js';
import type { AttributionReport } from './attribute.js';
import { formatBehaviourSpec, type BehaviourSpec } from './behaviourSpec.js';

/** The `attribute` flags that reproduce the estimates a validation checked (best effort). */
export function attributeFlagsFor(report: { estimates?: unknown; behaviours?: unknown }): string {
  const estimates = Array.isArray(report.estimates) ? (report.estimates as { estimator?: unknown; output?: unknown }[]) : [];
  const names = [...new Set(estimates.map((e) => e.estimator).filter((n): n is string => typeof n === 'string' && n !== 'adjoint'))];
  const outputs = [...new Set(estimates.map((e) => e.output).filter((o): o is string => o === 'linear' || o === 'exact'))];
  const specs = (report.behaviours as { specs?: unknown } | undefined)?.specs;
  const parts: string[] = [];
  if (names.length) parts.push(`-e ${names.join(',')}`);
  if (outputs.length && outputs.length < 2) parts.push(`-o ${outputs.join(',')}`);
  if (estimates.some((e) => e.estimator === 'adjoint')) parts.push('--adjoint');
  if (Array.isArray(specs) && specs.length) parts.push(`-b ${(specs as BehaviourSpec[]).map((s) => `'${formatBehaviourSpec(s)}'`).join(' ')}`);
  return parts.join(' ');
}

/**
 * null when validation.json (if any) checked exactly `attribution`; else what is stale and the
 * commands that make the two agree again.
 */
export function validationMismatch(runDir: string, attribution: AttributionReport | unknown, validation?: unknown): string | null {
  const path = join(runDir, 'validation.json');
  let v = validation;
  if (v === undefined) {
    if (!existsSync(path)) return null;
    try {
      v = readJsonFile(path);
    } catch {
      return null; // reported by whoever reads it next
    }
  }
  const from = computedFromOf(v);
  const att = attribution as AttributionReport;
  const sameByDigest = from?.attribution !== undefined ? from.attribution === digestJson(attribution) : null;
  const vv = v as { behaviours?: { names?: unknown }; run?: { stages?: { name?: unknown }[] } };
  const sameShape = Array.isArray(vv.behaviours?.names) && (vv.behaviours.names as unknown[]).join('\n') === att.behaviours.names.join('\n')
    && Array.isArray(vv.run?.stages) && vv.run.stages.map((s) => s.name).join(', ') === att.run.stages.map((s) => s.name).join(', ');
  if (sameByDigest ?? sameShape) return null;
  const flags = attributeFlagsFor(v as object);
  return `${path} does not match attribution.json: it checked other estimates (\`stagecredit attribute\` has replaced them since); `
    + `rerun \`stagecredit validate ${runDir}${flagsFor(att)}\` to check the current ones, `
    + `or restore the estimates it checked with \`stagecredit attribute ${runDir}${flags ? ` ${flags}` : ''}\``;
}

function flagsFor(att: AttributionReport): string {
  const f = attributeFlagsFor(att);
  return f ? ` ${f}` : '';
}
