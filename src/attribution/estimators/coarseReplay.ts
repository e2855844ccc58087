import type { OptimizerState } from '../../optim/index.js';
import { stageBatch, stageEntryState, trainingStep, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { subLists } from '../vectors.js';
import { emptyCost, type Cost, type StageEstimator } from './types.js';

/** Every COARSE_STRIDE-th step of each later stage is taken, with the learning rates of the steps it stands for summed. */
export const COARSE_STRIDE = 10;

/**
 * The final parameters of a coarse replay from boundary `from` (skipping stage `from` when
 * `skipFirst`, as replaySkipping does): every m-th step of each later stage on its factual batch,
 * with the summed learning rate of the m steps it stands for.
 */
function coarseReplay(run: Run, from: number, skipFirst: boolean, m: number, cost: Cost): Tensor[] {
  const { model, dtype, stages } = run.pipeline;
  const ck = run.boundary(from);
  let params = ck.params;
  let previous: OptimizerState | null = ck.optimizer;
  for (let k = from; k < stages.length; k++) {
    const stage = stages[k];
    const state0 = stageEntryState(stage, params, previous);
    if (k === from && skipFirst) {
      previous = state0;
      continue;
    }
    const n = Math.ceil(stage.steps / m);
    const lrs = Float64Array.from({ length: n }, (_, i) => stage.lrs.subarray(i * m, (i + 1) * m).reduce((a, b) => a + b, 0));
    const coarse = { ...stage, lrs, steps: n };
    let state = state0;
    for (let i = 0; i < n; i++) {
      const r = trainingStep(model, coarse, params, state, i, stageBatch(stage, i * m, dtype));
      params = r.params;
      state = r.state;
      cost.gradients++;
      cost.stepsReplayed++;
    }
    previous = state;
  }
  return params;
}

/**
 * Coarse replays differenced (beyond the paper): e_k = C(theta_{T_k}) - C(theta_{T_k-1}, stage k
 * skipped), where C replays the later stages coarsely. Both replays make the same coarsening
 * error, which largely cancels in the difference; the skip itself is taken without
 * linearisation. Cost: 2 / COARSE_STRIDE of the leave-one-out replays. The last stage is exact.
 */
export const coarseReplayEstimator: StageEstimator = {
  name: 'coarse-replay',
  rung: 'coarse nonlinear replay (beyond the paper)',
  description: `replays every ${COARSE_STRIDE}th step of the later stages (summed learning rates) from the factual boundary and from the counterfactual start, and differences them`,
  embed(run, opts) {
    const t0 = performance.now();
    const m = opts?.coarseStride ?? COARSE_STRIDE;
    const K = run.pipeline.stages.length;
    const cost = emptyCost();
    const embeddings = Array.from({ length: K }, (_, k) => {
      if (k === K - 1) return subLists(run.boundary(K).params, run.boundary(K - 1).params);
      opts?.onProgress?.(`coarse replays without stage "${run.pipeline.stages[k].name}"`, k / K);
      return subLists(coarseReplay(run, k + 1, false, m, cost), coarseReplay(run, k, true, m, cost));
    });
    cost.seconds = (performance.now() - t0) / 1000;
    return {
      estimator: 'coarse-replay',
      embeddings,
      assumptions: {
        hessian: 'ignored', dynamics: true,
        optimizerTerms: ['all (real optimizer steps, every ' + m + 'th, learning rates summed)'],
        notes: [`coarse replays with stride ${m}, differenced between the factual boundary and the counterfactual start so that the coarsening error cancels to first order`],
      },
      cost,
    };
  },
};
