import type { Command } from 'commander';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `stagecredit report RUN_DIR`: writes report.html and results.json into the run directory. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write RUN_DIR/report.html (one self-contained page, works offline) and RUN_DIR/results.json\n'
      + 'from the run, attribution.json (required) and validation.json / results-extras.json (when present)')
    .argument('<run-dir>', 'a finished run directory, after `stagecredit attribute` (and optionally `stagecredit validate`)')
    .option('--open-path', 'print a file:// URL to open in a browser instead of the plain path')
    .action(async (runDir: string, opts: { openPath?: boolean }) => {
      // Loaded on use, so other commands do not pay for the report module (and Chart.js).
      const { writeReport } = await import('../report/index.js');
      const { html } = writeReport(runDir);
      const abs = resolve(html);
      console.log(opts.openPath ? pathToFileURL(abs).href : abs);
    });
}
