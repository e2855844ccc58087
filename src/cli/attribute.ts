import type { Command } from 'commander';
import { attribute, DEFAULT_ESTIMATE, writeAttribution } from '../attribution/index.js';
import { validationMismatch } from '../attribution/derivedFiles.js';
import { openRun } from '../pipeline/index.js';
import { addAttributionOptions, attributionOptions, type RawAttributionFlags } from './options.js';
import { attributionTable, headline } from './tables.js';

export function registerAttribute(program: Command): void {
  addAttributionOptions(program.command('attribute')
    .description('estimate every stage\'s effect on the behaviours without retraining; writes RUN_DIR/attribution.json')
    .argument('<run-dir>', 'a finished run directory (from `stagecredit train`)'))
    .action((dir: string, flags: RawAttributionFlags) => {
      const run = openRun(dir, { lock: 'attribute' });
      const opts = attributionOptions(flags);
      const report = attribute(run, { ...opts, onProgress: (m) => process.stderr.write(`  ${m}\n`) });
      const path = writeAttribution(run, report);
      console.log(`${report.behaviours.names.length} behaviour(s), ${report.run.stages.length} stages; mean effect per stage (sign: f(theta_T) - f(theta_T without the stage); > 0 raised it):`);
      console.log(attributionTable(report));
      console.log(headline(report, report.estimates.some((e) => e.id === DEFAULT_ESTIMATE) ? DEFAULT_ESTIMATE : report.estimates[0]?.id ?? ''));
      console.log(`wrote ${path}`);
      const stale = validationMismatch(dir, report);
      if (stale) process.stderr.write(`note: ${stale}\n`);
    });
}
