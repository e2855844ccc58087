import { join } from 'node:path';
import { writeFilesAtomic } from '../io/index.js';
import { withRunLock } from '../pipeline/index.js';
import { collectResults } from './collect.js';
import { renderReport } from './render.js';
import type { ResultsExtras } from './results.js';

/** Writes report.html and results.json into the run directory (each atomically); returns their paths. */
export function writeReport(runDir: string, extras?: ResultsExtras): { html: string; json: string } {
  const results = collectResults(runDir, extras);
  const page = renderReport(results);
  const json = join(runDir, 'results.json');
  const html = join(runDir, 'report.html');
  // Under the run's lock, and both or neither: results.json never describes a report.html that failed.
  withRunLock(runDir, 'report', () => writeFilesAtomic([{ path: html, data: page }, { path: json, data: `${JSON.stringify(results, null, 2)}\n` }]));
  return { html, json };
}
