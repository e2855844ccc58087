import type { Dataset } from '../data/index.js';
import type { OptimizerState } from '../optim/index.js';
import { BufferPool, type Tensor } from '../tensor/index.js';
import type { Run } from './run.js';
import { stageBatch, stageEntryState, stepRetired, trainingStep } from './trainingStep.js';

export interface ReplayOptions {
  /** Start from this boundary even if it is earlier than the first skipped stage (for checks). */
  from?: number;
  onStep?: (stageIndex: number, stageStep: number) => void;
  /**
   * "Replace stage k's data" counterfactuals (method.md §2): stage k runs its factual batch indices
   * and schedule on another data set of the same size (e.g. the same examples with a spurious
   * feature decorrelated). Replaced stages are recomputed like skipped ones.
   */
  replaceData?: ReadonlyMap<number, Dataset>;
}

/**
 * theta_T^(-S): the final parameters had the stages in `skip` never run (method.md §2). Stages
 * before the first skipped one are not recomputed: the replay starts from the stored boundary
 * checkpoint. Later stages reuse their factual batches and learning rates. A skipped stage
 * leaves the parameters and its entry optimizer state untouched, so a following stage that
 * carries state receives what the skipped stage would have started from.
 */
export function replaySkipping(run: Run, skip: Iterable<number>, opts: ReplayOptions = {}): Tensor[] {
  const { pipeline } = run;
  const K = pipeline.stages.length;
  const skipped = new Set(skip);
  for (const k of skipped) if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`replay: stage ${k} is out of range 0..${K - 1}`);
  const replaced = opts.replaceData ?? new Map<number, Dataset>();
  for (const [k, ds] of replaced) {
    const stage = pipeline.stages[k];
    if (!stage) throw new Error(`replay: stage ${k} is out of range 0..${K - 1}`);
    if (ds.n !== stage.data.n) throw new Error(`replay: replacement data for stage "${stage.name}" has ${ds.n} examples, the stage's data has ${stage.data.n} (the factual batch indices must fit)`);
  }
  const first = Math.min(opts.from ?? K, ...skipped, ...replaced.keys());
  const ck = run.boundary(first);
  let params = ck.params;
  let previous: OptimizerState | null = ck.optimizer;
  // Only the latest (params, state) is kept, so each step's retired arrays are recycled.
  const pool = new BufferPool();
  for (let k = first; k < K; k++) {
    const factualStage = pipeline.stages[k];
    const swap = replaced.get(k);
    const stage = swap ? { ...factualStage, data: swap } : factualStage;
    const state0 = stageEntryState(stage, params, previous);
    if (skipped.has(k)) {
      previous = state0;
      continue;
    }
    let state = state0;
    for (let s = 0; s < stage.steps; s++) {
      const r = trainingStep(pipeline.model, stage, params, state, s, stageBatch(stage, s, pipeline.dtype), pool);
      pool.release(stepRetired({ params, state }, r));
      params = r.params;
      state = r.state;
      opts.onStep?.(k, s);
    }
    previous = state;
  }
  return params;
}
