import { mat2Mul, sgdGradientResponse, sgdTransition, type Matrix2 } from '../../optim/index.js';
import { gatherBatch, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { lincomb } from '../vectors.js';
import { gaussNewtonOperator } from './gaussNewton.js';
import { propagateAdamStationary } from './adamCurvature.js';
import { propagateAdamFrozen } from './hessianFree.js';
import { expandIn, lanczos, splitOnBasis, tridiagMul } from './lanczos.js';
import { sweepStages, type FactualEntry, type Perturbation } from './sweep.js';
import { DYNAMICS_TERMS, type Cost, type EstimatorOptions, type StageEstimator } from './types.js';

export interface StageCurvatureOptions {
  /** Segments per later stage, each with its own Hessian (default 1). */
  curvatureSegments: number;
  /** Examples the curvature is taken on (default 128: on the fidelity benchmark's tuning half 512 was no more accurate at 3-4x the cost). */
  curvatureSample: number;
  /** Krylov dimension: HVPs per segment and perturbation (default 4: accuracy barely moves beyond it, measured). */
  curvatureRank: number;
  /**
   * Adam/AdamW later stages: 'trajectory' = H_t = 0 with the factual second moment, recomputed
   * step by step (as hessian-free); 'stationary' = Gauss-Newton curvature and the stage-end
   * second moment, both frozen over the stage (adamCurvature.ts), no trajectory.
   */
  adam?: 'trajectory' | 'stationary';
}


/**
 * Stage-stationary curvature (beyond the paper, in the spirit of SOURCE, Bae et al. 2024): within a
 * segment of a later stage the curvature is taken as constant: the Gauss-Newton matrix H at the
 * point interpolated between the segment's boundary checkpoints, on a fixed sample of the stage's
 * data. (The exact Hessian of a non-convex loss has negative directions that a constant-curvature
 * model would amplify exponentially over a stage; the Gauss-Newton matrix is positive
 * semi-definite, and equals the Hessian for a linear model.) m Lanczos steps seeded
 * with the perturbation give Q and T = Q^T H Q; inside span(Q) the perturbation then follows the
 * exact constant-curvature dynamics step by step (the optimizer's 2x2 plus the gradient response
 * r_t T c), and outside it the Hessian-free dynamics. No replay of the trajectory: m HVPs per
 * segment and perturbation, whatever the number of steps.
 */
/**
 * The Gauss-Newton operator of stage j's loss over its trainable parameters, on the first
 * `sample` examples of its batch order, at the point a fraction `frac` of the way from the stage's
 * entry checkpoint to its exit checkpoint.
 */
export function stageGaussNewton(run: Run, j: number, entry: FactualEntry, sample: number, frac: number): (v: Tensor[]) => Tensor[] {
  const { model, dtype } = run.pipeline;
  const stage = run.pipeline.stages[j];
  const idx = stage.trainable;
  const batch = gatherBatch(stage.data, stage.batches.indices.subarray(0, Math.min(sample, stage.batches.indices.length)), dtype, stage.sampleWeights);
  const start = entry.params;
  const end = run.boundary(j + 1).params;
  const at = idx.map((i) => lincomb(1 - frac, start[i], frac, end[i]));
  const full = (tr: Tensor[]) => {
    const ps = start.slice();
    idx.forEach((p, q) => (ps[p] = tr[q]));
    return ps;
  };
  return gaussNewtonOperator(model, full, at, batch, stage.loss);
}

export function propagateStageCurvature(o: StageCurvatureOptions) {
  return (run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void => {
    const stage = run.pipeline.stages[j];
    const spec = stage.optimizer.spec;
    if (spec.kind !== 'sgd') {
      if (o.adam === 'stationary') propagateAdamStationary(o)(run, j, entry, perts, cost);
      else propagateAdamFrozen(run, j, entry, perts, cost);
      return;
    }
    const idx = stage.trainable;
    const S = stage.steps;
    const segments = Math.max(1, Math.min(o.curvatureSegments, S));
    const mu = spec.momentum ?? 0;
    for (let a = 0; a < segments; a++) {
      const s0 = Math.floor((a * S) / segments);
      const s1 = Math.floor(((a + 1) * S) / segments);
      const ggn = stageGaussNewton(run, j, entry, o.curvatureSample, (s0 + s1) / 2 / S);
      const hvp = (v: Tensor[]) => {
        cost.hvps++;
        return ggn(v);
      };
      // The optimizer's own per-step maps over the segment (they do not depend on the perturbation).
      const steps = Array.from({ length: s1 - s0 }, (_, i) => {
        const k = entry.state.step + s0 + i;
        const M: Matrix2 = sgdTransition(spec, k, stage.lrs[s0 + i]);
        if (mu === 0) M[1] = [0, 1]; // torch leaves a carried buffer untouched without momentum
        return { s: s0 + i, M, r: sgdGradientResponse(spec, k, stage.lrs[s0 + i]) };
      });
      for (const pert of perts) {
        if (s1 <= pert.startStep) continue;
        const delta = idx.map((i) => pert.delta[i]);
        const eps = pert.epsilon.momentum ?? null;
        const { Q, alpha, beta } = lanczos(hvp, delta, o.curvatureRank);
        const m = Q.length;
        // Components outside span(Q) feel no curvature: they follow the 2x2 product P alone.
        const dSplit = splitOnBasis(Q, delta);
        const eSplit = eps ? splitOnBasis(Q, eps) : null;
        let c = dSplit.coords;
        let e = eSplit?.coords ?? new Float64Array(m);
        const dPerp = dSplit.perp;
        const ePerp = eSplit?.perp ?? null;
        let P: Matrix2 = [[1, 0], [0, 1]];
        for (const { s, M, r } of steps) {
          if (s < pert.startStep) continue;
          // Inside span(Q): the gradient perturbation is H delta = Q T c.
          const Tc = tridiagMul(alpha, beta, c);
          const c2 = new Float64Array(m);
          const e2 = new Float64Array(m);
          for (let i = 0; i < m; i++) {
            c2[i] = M[0][0] * c[i] + M[0][1] * e[i] + r[0] * Tc[i];
            e2[i] = M[1][0] * c[i] + M[1][1] * e[i] + r[1] * Tc[i];
          }
          c = c2;
          e = e2;
          P = mat2Mul(M, P);
        }
        const inQ = expandIn(Q, c, delta);
        const newDelta = dPerp.map((t, k) => lincomb(1, inQ[k], 1, lincomb(P[0][0], t, P[0][1], ePerp?.[k] ?? null)));
        idx.forEach((p, q) => (pert.delta[p] = newDelta[q]));
        if (mu > 0 || eps) {
          const eQ = expandIn(Q, e, delta);
          pert.epsilon = { momentum: dPerp.map((t, k) => lincomb(1, eQ[k], 1, lincomb(P[1][0], t, P[1][1], ePerp?.[k] ?? null))) };
        } else {
          pert.epsilon = {};
        }
      }
    }
  };
}

/** The options with their defaults filled in. */
export function stageCurvatureOptions(opts?: EstimatorOptions): StageCurvatureOptions {
  return {
    curvatureSegments: opts?.curvatureSegments ?? 1,
    curvatureSample: opts?.curvatureSample ?? 128,
    curvatureRank: opts?.curvatureRank ?? 4,
    adam: opts?.curvatureAdam ?? 'trajectory',
  };
}

export const stageCurvature: StageEstimator = {
  name: 'stage-curvature',
  rung: 'cheaper curvature (beyond the paper)',
  description: 'E2 dynamics plus a stage-stationary Hessian in a small Krylov subspace (a few HVPs per later stage, no trajectory replay)',
  embed(run, opts?: EstimatorOptions) {
    const o = stageCurvatureOptions(opts);
    const { embeddings, cost } = sweepStages(run, propagateStageCurvature(o), opts?.onProgress);
    // Say which later stages had no curvature model: Adam/AdamW stages are propagated H_t = 0.
    const later = run.pipeline.stages.slice(1);
    const adam = later.filter((s) => s.optimizer.spec.kind !== 'sgd').map((s) => `"${s.name}"`);
    const sgd = later.length - adam.length;
    const notes: string[] = [];
    if (run.pipeline.stages.some((s) => s.spec.clipGradNorm)) notes.push('gradient clipping (clip_grad_norm_) is not applied to the curvature term: clipped later SGD stages are treated as unclipped');
    if (sgd > 0) notes.push(`${adam.length ? 'SGD-family later stages: ' : ''}Gauss-Newton curvature, constant over ${o.curvatureSegments} segment(s) per later stage, on ${o.curvatureSample} examples, at points interpolated between boundary checkpoints; rank-${o.curvatureRank} Krylov subspace per perturbation`);
    if (adam.length) {
      notes.push(o.adam === 'stationary'
        ? `Adam/AdamW later stage(s) ${adam.join(', ')}: Gauss-Newton curvature at the stage midpoint with the preconditioner frozen at the stage's end (rank-${o.curvatureRank} Krylov subspace, ${o.curvatureSample} examples); second moment unperturbed`
        : `Adam/AdamW later stage(s) ${adam.join(', ')}: no curvature model (H_t = 0 there), the factual second moment frozen per step; the factual trajectory is recomputed unless only decoupled decay acts (as hessian-free)`);
    }
    return {
      estimator: 'stage-curvature',
      embeddings,
      assumptions: {
        hessian: sgd > 0 || o.adam === 'stationary' ? 'stage-stationary' : 'none (H_t = 0)', dynamics: true,
        optimizerTerms: [...DYNAMICS_TERMS],
        notes,
      },
      cost,
    };
  },
};
