import { adamHyper, sgdTransitionProduct, type SgdSpec } from '../../optim/index.js';
import { stageBatch, trainingStep, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { lincomb } from '../vectors.js';
import { sweepStages, type FactualEntry, type Perturbation } from './sweep.js';
import { DYNAMICS_TERMS, type Cost, type StageEstimator } from './types.js';

/**
 * SGD family with H_t = 0: every step acts on (delta, eps) of each trainable coordinate as the
 * same 2x2 matrix, so a whole stage is one 2x2 product (alpha, beta, ...) per parameter tensor.
 * This is where schedules, momentum and weight decay enter, at no model evaluation at all.
 */
export function propagateSgdHessianFree(spec: SgdSpec, firstStepIndex: number, lrs: Float64Array, trainable: number[], perts: Perturbation[]): void {
  const mu = spec.momentum ?? 0;
  for (const pert of perts) {
    const P = sgdTransitionProduct(spec, firstStepIndex + pert.startStep, lrs.subarray(pert.startStep));
    const eps = pert.epsilon.momentum ?? null;
    // Without momentum torch leaves an existing (carried) buffer untouched: it passes through.
    const row1: [number, number] = mu === 0 ? [0, 1] : P[1];
    const next: Tensor[] = [];
    trainable.forEach((p, q) => {
      const d = pert.delta[p];
      const e = eps?.[q] ?? null;
      pert.delta[p] = lincomb(P[0][0], d, P[0][1], e);
      next[q] = lincomb(row1[0], d, row1[1], e);
    });
    pert.epsilon = mu > 0 || eps ? { momentum: next } : {};
  }
}

/**
 * Adam/AdamW with H_t = 0 and the factual second moment frozen (beyond the paper): a per-coordinate
 * linear map per step, which needs the factual trajectory (theta_t and g_t), recomputed here from
 * the stage's entry checkpoint. Exception, taken without the trajectory: with no coupled weight
 * decay (AdamW, or Adam without decay) and no first-moment perturbation (a reset stage), H_t = 0
 * leaves the first moment unperturbed, so each step only multiplies delta by 1 - lr_t * lambda
 * (the decoupled decay): the same answer at no model evaluation.
 */
export function propagateAdamFrozen(run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void {
  const stage = run.pipeline.stages[j];
  const { model, dtype } = run.pipeline;
  const rest = perts.filter((p) => !propagateAdamDecayOnly(stage, p));
  if (!rest.length) return;
  let { params, state } = entry;
  for (let s = 0; s < stage.steps; s++) {
    const r = trainingStep(model, stage, params, state, s, stageBatch(stage, s, dtype));
    cost.gradients++;
    cost.stepsReplayed++;
    const factual = { params: stage.trainable.map((i) => params[i]), grads: r.grads };
    for (const pert of rest) {
      if (s < pert.startStep) continue;
      const d = stage.optimizer.hessianFreeStep({ params: stage.trainable.map((i) => pert.delta[i]), slots: pert.epsilon }, state, stage.lrs[s], factual);
      stage.trainable.forEach((p, q) => (pert.delta[p] = d.params[q]));
      pert.epsilon = d.slots;
    }
    params = r.params;
    state = r.state;
  }
}

/** The trajectory-free case of propagateAdamFrozen; false (and nothing done) when it does not apply. */
function propagateAdamDecayOnly(stage: Run['pipeline']['stages'][number], pert: Perturbation): boolean {
  const spec = stage.optimizer.spec;
  if (spec.kind === 'sgd') return false;
  const h = adamHyper(spec);
  const firstMoment = pert.epsilon.expAvg;
  if ((!h.decoupled && h.weightDecay !== 0) || (firstMoment && firstMoment.some((t) => t.data.some((x) => x !== 0)))) return false;
  let keep = 1;
  if (h.decoupled) for (let s = pert.startStep; s < stage.steps; s++) keep *= 1 - stage.lrs[s] * h.weightDecay;
  stage.trainable.forEach((p) => (pert.delta[p] = lincomb(keep, pert.delta[p], 0, null)));
  pert.epsilon = {};
  return true;
}

export function propagateHessianFree(run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void {
  const stage = run.pipeline.stages[j];
  const spec = stage.optimizer.spec;
  if (spec.kind === 'sgd') propagateSgdHessianFree(spec, entry.state.step, stage.lrs, stage.trainable, perts);
  else propagateAdamFrozen(run, j, entry, perts, cost);
}

/** E2, "the paper's estimator": dynamics-aware, Hessian-free (method.md §3). */
export const hessianFree: StageEstimator = {
  name: 'hessian-free',
  rung: 'E2',
  description: 'propagates each stage update through later optimizer steps with H_t = 0 (schedules, momentum, weight decay)',
  embed(run, opts) {
    const { embeddings, cost } = sweepStages(run, propagateHessianFree, opts?.onProgress);
    const adam = run.pipeline.stages.some((s, j) => j > 0 && s.optimizer.spec.kind !== 'sgd');
    return {
      estimator: 'hessian-free',
      embeddings,
      assumptions: {
        hessian: 'none (H_t = 0)', dynamics: true,
        optimizerTerms: [...DYNAMICS_TERMS],
        notes: [
          ...(adam ? ['Adam/AdamW stages: frozen factual second moment (beyond the paper); factual trajectory recomputed unless only decoupled decay acts on the perturbation'] : []),
          // clip_grad_norm_ acts on the raw gradient, which H_t = 0 holds fixed: clipping adds no term.
          ...(run.pipeline.stages.some((s) => s.spec.clipGradNorm) ? ['gradient clipping: with H_t = 0 the gradient does not move, so clipped steps contribute no clipping term (exact under the H_t = 0 assumption)'] : []),
        ],
      },
      cost,
    };
  },
};
