// Divergence beyond NaN: a loss that is finite but has blown far above where training was (SGD at
// a huge learning rate reaching 1e33 while every step "succeeds") stops training. The reference
// level is the larger of the stage's first loss and an exponential running mean of its losses;
// a loss more than `factor` times that level (and above `minLoss`) is divergence. The level is
// per stage, so a run resumed at a stage boundary judges every step exactly as before.

export interface DivergenceSettings {
  /** Stop when the loss exceeds factor x max(first loss, running mean); default 100. */
  factor: number;
  /** Losses at or below this are never divergence (tiny runs near 0 loss fluctuate); default 10. */
  minLoss: number;
  /** Weight of the newest loss in the running mean; default 0.1. */
  smoothing: number;
  /** false: only NaN/Inf stop training. */
  enabled: boolean;
}

export const DEFAULT_DIVERGENCE: DivergenceSettings = { factor: 100, minLoss: 10, smoothing: 0.1, enabled: true };

export class LossMonitor {
  private first: number | null = null;
  private running: number | null = null;

  constructor(readonly settings: DivergenceSettings = DEFAULT_DIVERGENCE) {}

  /** Forgets the level (a new stage starts). */
  reset(): void {
    this.first = this.running = null;
  }

  /** null if the loss is acceptable, else why it is divergence; accepted losses update the level. */
  check(loss: number): string | null {
    if (!Number.isFinite(loss)) return `the loss is ${loss}`;
    const { factor, minLoss, smoothing, enabled } = this.settings;
    if (this.first === null || this.running === null) {
      this.first = this.running = loss;
      return null;
    }
    const level = Math.max(Math.abs(this.first), Math.abs(this.running));
    if (enabled && loss > minLoss && loss > factor * level) {
      return `the loss ${loss.toPrecision(4)} is over ${factor}x its running level ${level.toPrecision(4)} (set "divergence" in the manifest or --divergence-factor to change this)`;
    }
    this.running = (1 - smoothing) * this.running + smoothing * loss;
    return null;
  }
}
