import * as T from '../../autodiff/index.js';
import { sgdGradientResponse, sgdTransition } from '../../optim/index.js';
import { batchLoss, gatherBatch, type Run } from '../../pipeline/index.js';
import { allocate, fromData, type Tensor } from '../../tensor/index.js';
import { lincomb, zerosLike } from '../vectors.js';
import { propagateAdamFrozen } from './hessianFree.js';
import { sweepStages, type FactualEntry, type Perturbation } from './sweep.js';
import type { Cost, EstimatorOptions, StageEstimator } from './types.js';

/** a*x + b*y + c*z elementwise (y may be null: zero). */
function lincomb3(a: number, x: Tensor, b: number, y: Tensor | null, c: number, z: Tensor): Tensor {
  const out = allocate(x.dtype, x.size);
  const xd = x.data;
  const zd = z.data;
  if (y) {
    const yd = y.data;
    for (let i = 0; i < out.length; i++) out[i] = a * xd[i] + b * yd[i] + c * zd[i];
  } else {
    for (let i = 0; i < out.length; i++) out[i] = a * xd[i] + c * zd[i];
  }
  return fromData(out, x.shape);
}

/**
 * Stage-stationary curvature (beyond the paper, in the spirit of SOURCE): no factual replay.
 * Each later stage is cut into a few segments; at each segment start one HVP, taken on a fixed
 * sample of the stage's data at the point on the straight line between the stage's boundary
 * checkpoints, gives the gradient perturbation h = H delta, held fixed through the segment while
 * the optimizer's own 2x2 dynamics run every step. Cost: `segments` HVPs per later stage and
 * perturbation, independent of the number of steps.
 */
export function propagateStageCurvature(opts: Required<Pick<EstimatorOptions, 'curvatureSegments' | 'curvatureSample'>>) {
  return (run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void => {
    const stage = run.pipeline.stages[j];
    const spec = stage.optimizer.spec;
    if (spec.kind !== 'sgd') {
      propagateAdamFrozen(run, j, entry, perts, cost);
      return;
    }
    const { model, dtype } = run.pipeline;
    const idx = stage.trainable;
    const sample = gatherBatch(stage.data, stage.batches.indices.subarray(0, Math.min(opts.curvatureSample, stage.batches.indices.length)), dtype, stage.sampleWeights);
    const start = entry.params;
    const end = run.boundary(j + 1).params;
    const S = stage.steps;
    const m = Math.max(1, Math.min(opts.curvatureSegments, S));
    const mu = spec.momentum ?? 0;
    for (let a = 0; a < m; a++) {
      const s0 = Math.floor((a * S) / m);
      const s1 = Math.floor(((a + 1) * S) / m);
      const frac = (s0 + s1) / 2 / S;
      const at = idx.map((i) => lincomb(1 - frac, start[i], frac, end[i]));
      const loss = (tr: Tensor[]) => {
        const full = start.slice();
        idx.forEach((p, q) => (full[p] = tr[q]));
        return batchLoss(model, full, sample, stage.loss);
      };
      for (const pert of perts) {
        const h = T.hvp(loss, at, idx.map((i) => pert.delta[i]));
        cost.hvps++;
        let eps: Tensor[] | null = pert.epsilon.momentum ?? null;
        for (let s = s0; s < s1; s++) {
          const k = entry.state.step + s;
          const M = sgdTransition(spec, k, stage.lrs[s]);
          const r = sgdGradientResponse(spec, k, stage.lrs[s]);
          const row1: [number, number] = mu === 0 ? [0, 1] : M[1];
          const next: Tensor[] = [];
          idx.forEach((p, q) => {
            const d = pert.delta[p];
            const e = eps?.[q] ?? null;
            pert.delta[p] = lincomb3(M[0][0], d, M[0][1], e, r[0], h[q]);
            next[q] = mu === 0 ? (e ?? zerosLike(d)) : lincomb3(row1[0], d, row1[1], e, r[1], h[q]);
          });
          eps = mu > 0 || eps ? next : null;
        }
        pert.epsilon = eps ? { momentum: eps } : {};
      }
    }
  };
}

export const stageCurvature: StageEstimator = {
  name: 'stage-curvature',
  rung: 'cheaper curvature (beyond the paper)',
  description: 'E2 dynamics plus a few HVPs per later stage at interpolated checkpoints (no replay of the trajectory)',
  embed(run, opts) {
    const o = { curvatureSegments: opts?.curvatureSegments ?? 4, curvatureSample: opts?.curvatureSample ?? 256 };
    const { embeddings, cost } = sweepStages(run, propagateStageCurvature(o), opts?.onProgress);
    return {
      estimator: 'stage-curvature',
      embeddings,
      assumptions: {
        hessian: 'stage-stationary', dynamics: true,
        optimizerTerms: ['learning-rate schedule', 'momentum (dampening, Nesterov)', 'weight decay (coupled, decoupled)', 'optimizer state reset/carry'],
        notes: [`${o.curvatureSegments} HVP(s) per later stage on ${o.curvatureSample} examples, at points interpolated between boundary checkpoints`],
      },
      cost,
    };
  },
};
