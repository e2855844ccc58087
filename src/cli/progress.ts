import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../pipeline/index.js';

/**
 * Training progress on stderr: a bar with stage, step, loss, steps/s and ETA on a terminal, or a
 * plain line every ~2 s otherwise (CI logs, pipes). Two rates are shown because they differ a lot
 * between stages (a head-only stage steps several times faster): the current stage's, and the
 * overall rate since the first report.
 */
export function trainingProgress(stream: NodeJS.WriteStream | Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr, now: () => number = Date.now): { update: (e: ProgressEvent) => void; stop: () => void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: stream as NodeJS.WriteStream,
      format: '  {stage} |{bar}| {value}/{total} steps | loss {loss} | {rate} steps/s ({overall} overall) | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    const overall = overallRate(now);
    return {
      update: (e) => {
        const payload = { stage: `${e.stageName} (${e.stageIndex + 1})`, loss: e.loss.toFixed(4), rate: e.stepsPerSecond.toFixed(1), overall: overall(e) };
        if (!started) {
          bar.start(e.totalSteps, e.globalStep, payload);
          started = true;
        } else {
          bar.update(e.globalStep, payload);
        }
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = -Infinity;
  const overall = overallRate(now);
  return {
    update: (e) => {
      const rate = overall(e);
      const t = now();
      if (t - last < 2000 && e.globalStep !== e.totalSteps) return;
      last = t;
      stream.write(`  step ${e.globalStep}/${e.totalSteps} (${e.stageName}: ${e.stageStep}/${e.stageSteps}) loss ${e.loss.toFixed(4)}, ${e.stepsPerSecond.toFixed(1)} steps/s in this stage, ${rate} overall\n`);
    },
    stop: () => {},
  };
}

/** Steps per second from the first progress report to the latest ('–' until there are two). */
function overallRate(now: () => number = Date.now): (e: ProgressEvent) => string {
  let first: { step: number; at: number } | null = null;
  return (e) => {
    const at = now();
    if (!first) first = { step: e.globalStep, at };
    return at > first.at && e.globalStep > first.step ? ((e.globalStep - first.step) * 1000 / (at - first.at)).toFixed(1) : '–';
  };
}

const seconds = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
};

/**
 * Progress of a counted job on stderr, e.g. "  retraining: 3/8 replays, 12 s elapsed, ETA 20 s":
 * rewritten in place on a terminal, a line every ~2 s otherwise. The ETA assumes the remaining
 * items take as long as the finished ones did on average. Reports arrive as each item finishes;
 * a count that starts over (done <= the last one) is a new job, timed from the previous report.
 */
export function countProgress(what: string, unit: string, stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr, now: () => number = Date.now): (done: number, total: number) => void {
  let start = now();
  let lastReport = start;
  let lastLine = -Infinity;
  let lastDone = Infinity;
  return (done, total) => {
    const t = now();
    if (done <= lastDone) start = lastDone === Infinity ? start : lastReport;
    lastDone = done;
    lastReport = t;
    const elapsed = t - start;
    const eta = done < total && done > 0 ? `, ETA ${seconds((elapsed / done) * (total - done))}` : '';
    const line = `  ${what}: ${done}/${total} ${unit}, ${seconds(elapsed)} elapsed${eta}`;
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K${done === total ? '\n' : ''}`);
    } else if (done === total || t - lastLine >= 2000) {
      lastLine = t;
      stream.write(`${line}\n`);
    }
  };
}
