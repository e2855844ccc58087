import type { BoundaryAgreement, RecordedBy } from '../pipeline/index.js';

/** How well stagecredit's replay reproduces a run recorded outside it (e.g. from PyTorch). */
export function recordedReplayText(by: RecordedBy, rows: BoundaryAgreement[]): string {
  const worst = Math.max(...rows.map((r) => Math.max(r.maxAbsDiff, r.optimizerMaxAbsDiff)));
  const lines = rows.map((r) => `  boundary ${r.boundary} (after "${r.stage}"): max |theta_replayed - theta_recorded| = ${r.maxAbsDiff.toExponential(1)}, optimizer state ${r.optimizerMaxAbsDiff.toExponential(1)}`);
  const verdict = by.replay === 'estimates only'
    ? `the recorder marked this run "estimates only" (${by.reasons.join('; ')}): replays approximate it`
    : worst <= 1e-10 ? 'the replays reproduce the recorded checkpoints (<= 1e-10)' : `the replays DO NOT reproduce the recorded checkpoints (worst difference ${worst.toExponential(1)}); retraining-based checks are unreliable for this run`;
  return `replay of the run recorded by ${by.tool}${by.torch ? ` (torch ${by.torch})` : ''}: ${verdict}\n${lines.join('\n')}`;
}
