import type { Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { BehaviourSet } from '../behaviours.js';
import { taskVector } from '../estimators/taskVector.js';
import { Readouts, type OutputMode } from '../score.js';

// The cheap signals an interval is built from (issue 13, part 2). All of them are read off
// estimates attribute() computes anyway: no replay, no extra model evaluation beyond the
// task-vector reference (one JVP and one forward pass per stage) when that estimator was not run.

/** Per-example behaviours and aggregates are calibrated apart: their errors differ in kind. */
export type BehaviourClass = 'example' | 'aggregate';

/**
 * Interval regimes of a stage. 'last': every shipped estimator's embedding is exact there, so the
 * exact read-out is the truth. 'adam': some later stage runs Adam/AdamW (no curvature model, a
 * frozen second moment). 'sgd': every later stage is in the SGD family.
 */
export type StageRegime = 'last' | 'adam' | 'sgd';

export interface TrustContext {
  regimes: StageRegime[];
  classes: BehaviourClass[];
  stageNames: string[];
  laterSteps: number[];
}

export function trustContext(run: Run, behaviours: BehaviourSet): TrustContext {
  const stages = run.pipeline.stages;
  const K = stages.length;
  return {
    regimes: stages.map((_, k) => (k === K - 1 ? 'last' : stages.slice(k + 1).some((s) => s.optimizer.spec.kind !== 'sgd') ? 'adam' : 'sgd')),
    classes: behaviours.specs.map((s) => ('kind' in s && String(s.kind).startsWith('example') ? 'example' : 'aggregate')),
    stageNames: stages.map((s) => s.name),
    laterSteps: stages.map((_, k) => stages.slice(k + 1).reduce((a, s) => a + s.steps, 0)),
  };
}

/** Signals for one (stage k, behaviour i) of one estimate. */
export interface Signal {
  /** |linear - exact| read-out of the same embedding: how curved f is along e_k. */
  disagreement: number;
  /** Largest |this - other| over the other estimates in the same output mode. */
  spread: number;
  /** |estimate|. */
  magnitude: number;
  /** Root mean square of the stage's estimates over behaviours of the same class. */
  scale: number;
}

export function signals(value: number[][], linear: number[][], exact: number[][], others: number[][][], classes: BehaviourClass[]): Signal[][] {
  return value.map((row, k) => {
    const rms = (c: BehaviourClass) => {
      let s = 0;
      let n = 0;
      row.forEach((v, i) => {
        if (classes[i] === c) {
          s += v * v;
          n++;
        }
      });
      return n ? Math.sqrt(s / n) : 0;
    };
    const scale = { example: rms('example'), aggregate: rms('aggregate') };
    return row.map((v, i) => ({
      disagreement: Math.abs(linear[k][i] - exact[k][i]),
      spread: others.reduce((m, o) => Math.max(m, Math.abs(v - o[k][i])), 0),
      magnitude: Math.abs(v),
      scale: scale[classes[i]],
    }));
  });
}

/**
 * The task-vector read-outs, the reference every spread includes (cheap: K JVPs and K forwards,
 * fewer when `readouts` already holds some of them).
 */
export function referenceReadouts(run: Run, behaviours: BehaviourSet, finalParams: Tensor[], readouts = new Readouts(behaviours, finalParams)): Record<OutputMode, number[][]> {
  const emb = taskVector.embed(run).embeddings;
  return { linear: readouts.effects('linear', emb), exact: readouts.effects('exact', emb) };
}
