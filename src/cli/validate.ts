import type { Command } from 'commander';
import { attribute, validate, writeAttribution, writeValidation } from '../attribution/index.js';
import { openRun } from '../pipeline/index.js';
import { addAttributionOptions, attributionOptions, intAtLeast, type RawAttributionFlags } from './options.js';
import { noiseTable, shapleyTable, validationTable } from './tables.js';

export function registerValidate(program: Command): void {
  addAttributionOptions(program.command('validate')
    .description('retrain without each stage and score every estimate against the truth; writes RUN_DIR/validation.json')
    .argument('<run-dir>', 'a finished run directory'))
    .option('--subsets', 'also retrain on all 2^K stage subsets: Shapley values and interactions (K <= 8)')
    .option('--workers <n>', 'worker threads for the replays', intAtLeast(1), 1)
    .option('--seeds <n>', 'also retrain with N other batch-order seeds: how noisy is the truth itself?', intAtLeast(1))
    .action(async (dir: string, flags: RawAttributionFlags & { subsets?: boolean; workers: number; seeds?: number }) => {
      const run = openRun(dir, { lock: 'validate' });
      const opts = attributionOptions(flags);
      // The estimates checked are written too, so attribution.json and validation.json always agree.
      const attribution = attribute(run, { ...opts, onProgress: (m) => process.stderr.write(`  ${m}\n`) });
      writeAttribution(run, attribution);
      const report = await validate(run, {
        ...opts, attribution, subsets: flags.subsets, workers: flags.workers, seeds: flags.seeds,
        onReplay: (done, total) => process.stderr.write(`\r  retraining: ${done}/${total} replays${done === total ? '\n' : ''}`),
      });
      const path = writeValidation(run, report);
      console.log(`agreement with retraining (${report.behaviours.names.length} behaviours; r = Pearson, ρ = Spearman, per stage):`);
      console.log(validationTable(report));
      const noise = noiseTable(report);
      if (noise) console.log(`\nthe truth across ${report.noise!.seeds.length} batch-order seeds:\n${noise}`);
      const sh = shapleyTable(report);
      if (sh) console.log(`\nexact stage effects from all ${2 ** report.run.stages.length} subsets:\n${sh}`);
      console.log(`wrote ${path} (and the estimates it checked to attribution.json)`);
    });
}
