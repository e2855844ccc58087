import type { StageSpec } from '../pipeline/index.js';
import type { OptimizerSpec, ScheduleSpec } from '../optim/index.js';
import { fmtHyper } from './format.js';

// One readable line per stage's optimizer, e.g. "SGD lr 0.1 momentum 0.9 wd 5e-4, cosine".

function optimizerText(o: OptimizerSpec): string {
  if (o.kind === 'sgd') {
    const parts = [`SGD lr ${fmtHyper(o.lr)}`];
    if (o.momentum) parts.push(`momentum ${fmtHyper(o.momentum)}${o.nesterov ? ' (Nesterov)' : ''}`);
    if (o.dampening) parts.push(`dampening ${fmtHyper(o.dampening)}`);
    if (o.weightDecay) parts.push(`${o.decoupledWeightDecay ? 'decoupled wd' : 'wd'} ${fmtHyper(o.weightDecay)}`);
    return parts.join(' ');
  }
  const parts = [`${o.kind === 'adamw' ? 'AdamW' : 'Adam'} lr ${fmtHyper(o.lr)}`];
  if (o.betas && (o.betas[0] !== 0.9 || o.betas[1] !== 0.999)) parts.push(`betas ${fmtHyper(o.betas[0])}/${fmtHyper(o.betas[1])}`);
  // torch's defaults: AdamW decays by 1e-2 unless told otherwise, Adam not at all.
  const wd = o.weightDecay ?? (o.kind === 'adamw' ? 1e-2 : 0);
  if (wd) parts.push(`wd ${fmtHyper(wd)}`);
  return parts.join(' ');
}

function scheduleText(s: ScheduleSpec): string {
  switch (s.kind) {
    case 'constant': return 'constant lr';
    case 'step': return `lr x${fmtHyper(s.gamma)} every ${s.stepSize} steps`;
    case 'linear': return `linear lr x${fmtHyper(s.startFactor ?? 1 / 3)} to x${fmtHyper(s.endFactor ?? 1)} over ${s.totalIters ?? 5} steps`;
    case 'cosine': return 'cosine';
    case 'warmupCosine': return `${s.warmupSteps}-step warm-up, cosine`;
    case 'explicit': return 'explicit per-step lr';
  }
}

export function optimizerSummary(stage: Pick<StageSpec, 'optimizer' | 'schedule' | 'optimizerState'>): string {
  const carry = stage.optimizerState === 'carry' ? ', state carried over' : '';
  return `${optimizerText(stage.optimizer)}, ${scheduleText(stage.schedule)}${carry}`;
}
