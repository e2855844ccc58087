import type { Run } from '../../pipeline/index.js';
import { subLists } from '../vectors.js';
import { emptyCost, type StageEstimator } from './types.js';

/**
 * E0 / E1 (method.md §3): e_k = Delta_k = theta_{T_k} - theta_{T_{k-1}}, the stage's own update,
 * as if later stages had not moved it. With exact output this is the task vector E0,
 * f(theta_T) - f(theta_T - Delta_k); with linear output it is E1, <grad f(theta_T), Delta_k>.
 * Exact for the last stage.
 */
export const taskVector: StageEstimator = {
  name: 'task-vector',
  rung: 'E0 (exact output) / E1 (linear output)',
  description: "each stage's own parameter update, ignoring what later stages do to it",
  embed(run: Run) {
    const t0 = performance.now();
    const K = run.pipeline.stages.length;
    const embeddings = Array.from({ length: K }, (_, k) => subLists(run.boundary(k + 1).params, run.boundary(k).params));
    const cost = emptyCost();
    cost.seconds = (performance.now() - t0) / 1000;
    return {
      estimator: 'task-vector',
      embeddings,
      assumptions: { hessian: 'ignored', dynamics: false, optimizerTerms: [], notes: ['later stages are assumed not to change the stage update'] },
      cost,
    };
  },
};
