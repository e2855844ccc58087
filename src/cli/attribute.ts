import { InvalidArgumentError, type Command } from 'commander';
import { attribute, runBehaviours, writeAttribution } from '../attribution/index.js';
import { DEFAULT_BUDGET, parseBudget, spendBudget, type BudgetRecord } from '../attribution/budget.js';
import { decide } from '../attribution/conclusions.js';
import { validationMismatch } from '../attribution/derivedFiles.js';
import { openRun } from '../pipeline/index.js';
import { addAttributionOptions, attributionOptions, intAtLeast, type RawAttributionFlags } from './options.js';
import { attributionTable, conclusionText } from './tables.js';

function budgetFlag(value: string): string {
  try {
    parseBudget(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--budget "[^"]*": /, ''));
  }
  return value;
}

function budgetLine(b: BudgetRecord): string {
  const share = (steps: number) => `${steps} steps, ${(100 * steps / Math.max(1, b.fullRetrainingSteps)).toFixed(1)}% of one full retraining`;
  const bought = b.replayed.length ? `replayed ${b.replayed.map((s) => `"${s}"`).join(', ')} exactly (${share(b.stepsReplayed)}, ${b.seconds.toFixed(1)} s)` : 'replayed nothing';
  const missed = b.stageCosts.filter((c) => !b.replayed.includes(c.stage)).map((c) => `"${c.stage}" ${c.steps}`);
  return `budget ${b.requested} = ${b.budgetSteps < 0 ? 'no replay' : share(b.budgetSteps)}: ${bought}`
    + (missed.length ? `; estimated the rest (replay cost in steps: ${missed.join(', ')})` : '');
}

export function registerAttribute(program: Command): void {
  addAttributionOptions(program.command('attribute')
    .description('estimate every stage\'s effect on the behaviours, replaying exactly the stages the budget covers; writes RUN_DIR/attribution.json')
    .argument('<run-dir>', 'a finished run directory (from `stagecredit train`)'))
    .option('--budget <b>', 'exact replays allowed: a fraction of one full retraining (0.5), a time (30s, 5m), '
      + 'the smaller of both ("0.25,120s"), or "none"; replays the last stage (free), then the blamed stage, '
      + 'the credited one, the widest intervals', budgetFlag, DEFAULT_BUDGET)
    .option('--workers <n>', 'worker threads for the budget\'s replays', intAtLeast(1), 1)
    .action(async (dir: string, flags: RawAttributionFlags & { budget: string; workers: number }) => {
      const run = openRun(dir, { lock: 'attribute' });
      const opts = attributionOptions(flags);
      const say = (m: string) => process.stderr.write(`  ${m}\n`);
      const estimated = attribute(run, { ...opts, onProgress: say });
      const report = await spendBudget(run, runBehaviours(run, opts.behaviours), estimated, flags.budget, { workers: flags.workers, factual: Float64Array.from(estimated.factual), onProgress: say });
      const path = writeAttribution(run, report);
      const conclusion = decide(report, null);
      console.log(`${report.behaviours.names.length} behaviour(s), ${report.run.stages.length} stages. ${budgetLine(report.budget!)}.`);
      console.log(conclusionText(conclusion));
      const level = report.estimates.find((e) => e.trust)?.trust?.level;
      console.log(`\nevery estimate on the same behaviour (± half the ${level ? `${Math.round(100 * level)}% ` : ''}interval, grade):`);
      console.log(attributionTable(report, conclusion));
      console.log(`wrote ${path}`);
      const stale = validationMismatch(dir, report);
      if (stale) process.stderr.write(`note: ${stale}\n`);
    });
}
