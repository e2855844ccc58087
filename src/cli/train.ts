import Table from 'cli-table3';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadManifest, RunStore, trainInterruptible, type RunStatus, type TrainResult } from '../pipeline/index.js';
import { intAtLeast } from './options.js';
import { trainingProgress } from './progress.js';

// `stagecredit train PIPELINE.json --out RUN_DIR`: trains (or resumes) a run with progress on
// stderr, then prints a per-stage summary table on stdout.

interface TrainFlags {
  out: string;
  checkpointEvery?: number;
  allowLarge?: boolean;
  divergenceFactor?: number;
  divergenceCheck?: boolean;
}

export function registerTrain(program: Command): void {
  program.command('train')
    .description('train a pipeline into a run directory (an interrupted run there is resumed)')
    .argument('<pipeline>', 'pipeline manifest (JSON)')
    .requiredOption('--out <dir>', 'run directory (required): created, or resumed if it holds the same pipeline')
    .addOption(new Option('--checkpoint-every <n>', 'also checkpoint every N steps inside stages, overriding the manifest (0: stage boundaries only)')
      .argParser(intAtLeast(0)).default(undefined, 'the manifest\'s checkpointEvery, else 0'))
    .option('--allow-large', 'skip the resource limits (model, batch, data and batch-order size against this machine\'s memory)')
    .addOption(new Option('--divergence-factor <x>', 'stop when the loss exceeds X times its running level in the stage')
      .argParser((v: string) => {
        const x = Number(v);
        if (!Number.isFinite(x) || x <= 1) throw new InvalidArgumentError('expected a number > 1');
        return x;
      }).default(undefined, 'the manifest\'s divergence.factor, else 100'))
    .addOption(new Option('--no-divergence-check', 'stop only on NaN/Inf losses, never on a finite loss spike').default(true, 'the check runs'))
    .action(async (pipeline: string, flags: TrainFlags) => {
      await trainCommand(pipeline, flags);
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

export async function trainCommand(pipelinePath: string, flags: TrainFlags): Promise<TrainResult> {
  const loaded = loadManifest(pipelinePath);
  // A resumed run's throughput counts only the steps trained by this invocation.
  const store = new RunStore(flags.out);
  const startStep = store.exists() ? safeStepsDone(store) : 0;
  const progress = trainingProgress(process.stderr);
  let seconds = 0;
  let result: TrainResult;
  try {
    // Interruptible: Ctrl-C / SIGTERM stop between two steps and mark the run interrupted.
    result = await trainInterruptible(loaded, {
      out: flags.out,
      checkpointEvery: flags.checkpointEvery,
      allowLarge: flags.allowLarge,
      divergence: { ...(flags.divergenceFactor !== undefined ? { factor: flags.divergenceFactor } : {}), ...(flags.divergenceCheck === false ? { enabled: false } : {}) },
      onNotice: (m) => process.stderr.write(`${m}\n`),
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

/** Steps already trained, for the throughput line; a damaged run.json is reported by train itself. */
function safeStepsDone(store: RunStore): number {
  try {
    return store.readStatus().stepsDone;
  } catch {
    return 0;
  }
}
