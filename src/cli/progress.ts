import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../pipeline/index.js';

/**
 * Training progress on stderr: a bar with stage, step, loss, steps/s and ETA on a terminal, or a
 * plain line every ~2 s otherwise (CI logs, pipes).
 */
export function trainingProgress(stream: NodeJS.WriteStream = process.stderr): { update: (e: ProgressEvent) => void; stop: () => void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream,
      format: '  {stage} |{bar}| {value}/{total} steps | loss {loss} | {rate} steps/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (e) => {
        const payload = { stage: `${e.stageName} (${e.stageIndex + 1})`, loss: e.loss.toFixed(4), rate: e.stepsPerSecond.toFixed(1) };
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
  let last = 0;
  return {
    update: (e) => {
      const now = Date.now();
      if (now - last < 2000 && e.globalStep !== e.totalSteps) return;
      last = now;
      stream.write(`  step ${e.globalStep}/${e.totalSteps} (${e.stageName}: ${e.stageStep}/${e.stageSteps}) loss ${e.loss.toFixed(4)} ${e.stepsPerSecond.toFixed(1)} steps/s\n`);
    },
    stop: () => {},
  };
}
