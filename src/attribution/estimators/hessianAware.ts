import * as T from '../../autodiff/index.js';
import { stageBatch, type Run } from '../../pipeline/index.js';
import { flatPerturbation, flatStep, unflatten } from './stepFunction.js';
import { sweepStages, type FactualEntry, type Perturbation } from './sweep.js';
import { DYNAMICS_TERMS, type Cost, type StageEstimator } from './types.js';

/**
 * E3: every later step moves (delta, eps) by its exact Jacobian, J_t (delta, eps), computed as the
 * JVP of the real training step (forward over reverse: one HVP-sized pass) at the factual state,
 * which is recomputed from the stage's entry checkpoint. Exact when the loss is quadratic.
 */
export function propagateExact(run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void {
  const stage = run.pipeline.stages[j];
  const { model, dtype } = run.pipeline;
  const P = entry.params.length;
  const nq = stage.trainable.length;
  let { params, state } = entry;
  for (let s = 0; s < stage.steps; s++) {
    const batch = stageBatch(stage, s, dtype);
    const step = flatStep(model, stage, params, state, s, batch);
    if (perts.length === 0) T.noGrad(() => step.fn(step.primal));
    for (const pert of perts) {
      if (s < pert.startStep) continue;
      const { tangent } = T.jvp(step.fn, step.primal, flatPerturbation(pert.delta, pert.epsilon, step.inSlots, step.primal, P, nq));
      const out = unflatten(tangent, step.outSlots(), P, nq);
      pert.delta = out.delta;
      pert.epsilon = out.eps;
      cost.jvps++;
    }
    ({ params, state } = step.next());
    cost.stepsReplayed++;
  }
}

export const hessianAware: StageEstimator = {
  name: 'hessian-aware',
  rung: 'E3',
  description: 'propagates each stage update through every later step with its exact Jacobian (one JVP per step and stage)',
  embed(run, opts) {
    const { embeddings, cost } = sweepStages(run, propagateExact, opts?.onProgress);
    return {
      estimator: 'hessian-aware',
      embeddings,
      assumptions: {
        hessian: 'exact', dynamics: true,
        optimizerTerms: [...DYNAMICS_TERMS, 'Adam moments'],
        notes: ['first order in the perturbation; factual trajectory recomputed from boundary checkpoints'],
      },
      cost,
    };
  },
};
