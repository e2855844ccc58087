import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { loadManifest, RunStore, train, type RunStatus, type TrainResult } from '../pipeline/index.js';
import { intAtLeast } from './options.js';
import { trainingProgress } from './progress.js';

// `stagecredit train PIPELINE.json --out RUN_DIR`: trains (or resumes) a run with progress on
// stderr, then prints a per-stage summary table on stdout.

interface TrainFlags {
  out: string;
  checkpointEvery?: number;
}

export function registerTrain(program: Command): void {
  program.command('train')
    .description('train a pipeline into a run directory (an interrupted run there is resumed)')
    .argument('<pipeline>', 'pipeline manifest (JSON)')
    .requiredOption('--out <dir>', 'run directory (required): created, or resumed if it holds the same pipeline')
    .addOption(new Option('--checkpoint-every <n>', 'also checkpoint every N steps inside stages, overriding the manifest (0: stage boundaries only)')
      .argParser(intAtLeast(0)).default(undefined, 'the manifest\'s checkpointEvery, else 0'))
    .action((pipeline: string, flags: TrainFlags) => {
      trainCommand(pipeline, flags);
    });
}

const loss = (v: number | null) => (v === null ? '–' : v.toFixed(4));
const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

/** Per stage: steps, final train loss (mean of its last 10% of steps), evaluation, seconds. */
export function trainSummaryTable(status: RunStatus): string {
  const t = new Table({
    head: ['stage', 'steps', 'train loss', 'eval loss', 'eval acc', 'seconds'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const s of status.stages) t.push([s.name, s.endStep - s.startStep, loss(s.trainLoss), loss(s.evalLoss), pct(s.evalAccuracy), s.seconds.toFixed(2)]);
  t.push(['total', status.totalSteps, '', '', '', status.stages.reduce((a, s) => a + s.seconds, 0).toFixed(2)]);
  return t.toString();
}

export function trainCommand(pipelinePath: string, flags: TrainFlags): TrainResult {
  const loaded = loadManifest(pipelinePath);
  // A resumed run's throughput counts only the steps trained by this invocation.
  const store = new RunStore(flags.out);
  const startStep = store.exists() ? store.readStatus().stepsDone : 0;
  const progress = trainingProgress(process.stderr);
  let seconds = 0;
  let result: TrainResult;
  try {
    result = train(loaded, {
      out: flags.out,
      checkpointEvery: flags.checkpointEvery,
      onProgress: progress.update,
      onStageEnd: (s) => (seconds += s.seconds),
    });
  } finally {
    progress.stop();
  }
  const { status } = result;
  if (result.alreadyComplete) process.stderr.write(`${flags.out} already holds the complete run; nothing to train\n`);
  else if (result.resumedFrom) process.stderr.write(`resumed from ${result.resumedFrom}\n`);
  const [steps, secs] = result.alreadyComplete ? [status.totalSteps, status.trainSeconds] : [status.totalSteps - startStep, seconds];
  const rate = secs > 0 ? `${(steps / secs).toFixed(1)} steps/s` : 'n/a';
  process.stdout.write(`${trainSummaryTable(status)}\nthroughput: ${rate} (${steps} steps in ${secs.toFixed(2)} s of training)\nrun: ${flags.out}\n`);
  return result;
}
