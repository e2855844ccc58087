import { Option, type Command } from 'commander';
import { attribute, validate, writeAttribution, writeValidation } from '../attribution/index.js';
import { openRun } from '../pipeline/index.js';
import { recordedReplayText } from './recorded.js';
import { addAttributionOptions, attributionOptions, intAtLeast, type RawAttributionFlags } from './options.js';
import { perStageAgreementTable, pooledAgreementTable } from './agreementTables.js';
import { countProgress } from './progress.js';
import { conclusionOfValidation, conclusionText, noiseTable, shapleyTable, validationTable } from './tables.js';

export function registerValidate(program: Command): void {
  addAttributionOptions(program.command('validate')
    .description('retrain without each stage and score every estimate against the truth; writes RUN_DIR/validation.json')
    .argument('<run-dir>', 'a finished run directory'))
    .option('--subsets', 'also retrain on all 2^K stage subsets: Shapley values and interactions (K <= 8)')
    .option('--workers <n>', 'worker threads for the replays', intAtLeast(1), 1)
    .addOption(new Option('--seeds <n>', 'also retrain with N other batch-order seeds (explicit batch orders: N seeded permutations of them): how noisy is the truth itself?')
      .argParser(intAtLeast(1)).default(undefined, 'none'))
    .option('--wide', 'print agreement as one stage x estimate grid (one wide column per estimate) instead of tables that fit 100 columns')
    .action(async (dir: string, flags: RawAttributionFlags & { subsets?: boolean; workers: number; seeds?: number; wide?: boolean }) => {
      const run = openRun(dir, { lock: 'validate' });
      const opts = attributionOptions(flags);
      // The estimates checked are written too, so attribution.json and validation.json always agree.
      const attribution = attribute(run, { ...opts, onProgress: (m) => process.stderr.write(`  ${m}\n`) });
      writeAttribution(run, attribution);
      const report = await validate(run, {
        ...opts, attribution, subsets: flags.subsets, workers: flags.workers, seeds: flags.seeds,
        onReplay: countProgress('retraining', 'replays'),
        onSeed: (s, n) => process.stderr.write(`  batch-order seed ${s}/${n}: training the whole pipeline again, then its replays\n`),
      });
      const path = writeValidation(run, report);
      console.log(`agreement with retraining (${report.behaviours.names.length} behaviours; r = Pearson, ρ = Spearman, per stage):`);
      if (flags.wide) console.log(validationTable(report));
      else console.log(`${perStageAgreementTable(report)}\n${pooledAgreementTable(report)}`);
      const noise = noiseTable(report);
      if (noise) console.log(`\nthe truth across ${report.noise!.seeds.length} batch-order seeds:\n${noise}`);
      const sh = shapleyTable(report);
      if (sh) console.log(`\nexact stage effects from all ${2 ** report.run.stages.length} subsets:\n${sh}`);
      if (report.recordedReplay) console.log(`\n${recordedReplayText(run.status.recordedBy!, report.recordedReplay)}`);
      console.log(`\n${conclusionText(conclusionOfValidation(report))}`);
      console.log(`wrote ${path} (and the estimates it checked to attribution.json)`);
    });
}
