import { Option, type Command } from 'commander';
import type { DemoSummary } from '../cases/index.js';
// The registry only: the demo's pipeline, report and chart code load when the command runs, so
// every other command starts without them.
import { CASES, DEFAULT_CASE } from '../cases/registry.js';
import { intAtLeast } from './options.js';
import { trainingProgress } from './progress.js';
import { conclusionText, wrapText } from './tables.js';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export function formatSummary(s: DemoSummary): string {
  const lines: string[] = [];
  lines.push('', `Case: ${s.title}`);
  lines.push(wrapText('Effect of a stage = behaviour of the final model minus behaviour had the stage never run (> 0: the stage raised it).'));
  lines.push(conclusionText(s.conclusion));
  lines.push(wrapText(`Agreement with retraining over all behaviours (pooled Pearson; cost as a share of retraining): ${s.agreement.map((a) => `${a.id} ${a.pooledPearson.toFixed(3)} (${pct(a.costFraction)})`).join(', ')}.`));
  if (s.intervention && !s.conclusion.intervention) lines.push(`Intervention: ${s.intervention.description} (stage "${s.intervention.stage}").`);
  if (s.topExamplesNote) lines.push(`(No per-example view: ${s.topExamplesNote})`);
  lines.push(`Report: ${s.reportPath}`);
  const sec = (v: number) => `${v.toFixed(0)} s`;
  const fix = s.intervention ? `, fixing the stage and the top examples ${sec(s.seconds.fix)}` : '';
  lines.push(wrapText(`Took ${sec(s.seconds.total)} (training ${sec(s.seconds.train)}, estimates ${sec(s.seconds.attribute)}, retraining checks ${sec(s.seconds.validate)}${fix}, report ${sec(s.seconds.report)}).`));
  return lines.join('\n');
}

export function registerDemo(program: Command): void {
  program.command('demo')
    .description(`train a case study, name the stage behind its failure, check against retraining, fix it, and write a report (cases: ${CASES.map((c) => c.name).join(', ')})`)
    .option('-c, --case <name>', 'which case study', DEFAULT_CASE)
    .option('-q, --quick', 'a smoke run with a fraction of the steps: 1-6 s per case (measured)')
    .addOption(new Option('--out <dir>', 'output directory').default(undefined, './stagecredit-demo/<case>, or <case>-quick with --quick'))
    .option('--workers <n>', 'worker threads for the retraining checks', intAtLeast(1), 1)
    .option('--list', 'list the case studies and exit')
    .action(async (flags: { case: string; quick?: boolean; out?: string; workers: number; list?: boolean }) => {
      if (flags.list) {
        for (const c of CASES) console.log(`${c.name.padEnd(16)} ${c.title}${c.unavailable?.() ? `  [unavailable: ${c.unavailable()}]` : ''}`);
        return;
      }
      const { runDemo } = await import('../cases/demo.js');
      const progress = trainingProgress();
      const summary = await runDemo({
        case: flags.case, quick: flags.quick, out: flags.out, workers: flags.workers,
        onTrainProgress: progress.update,
        onPhase: (m) => {
          progress.stop();
          process.stderr.write(`stagecredit: ${m}\n`);
        },
      });
      console.log(formatSummary(summary));
    });
}
