import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/index.js';
import { collectResults } from './collect.js';
import { renderReport } from './render.js';
import type { ResultsExtras } from './results.js';

/** Writes report.html and results.json into the run directory (each atomically); returns their paths. */
export function writeReport(runDir: string, extras?: ResultsExtras): { html: string; json: string } {
  const results = collectResults(runDir, extras);
  const page = renderReport(results);
  const json = join(runDir, 'results.json');
  const html = join(runDir, 'report.html');
  writeJsonAtomic(json, results);
  writeFileAtomic(html, page);
  return { html, json };
}
