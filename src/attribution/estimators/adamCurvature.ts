import * as T from '../../autodiff/index.js';
import { adamHyper, mat2Mul, type Matrix2 } from '../../optim/index.js';
import type { Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { lincomb } from '../vectors.js';
import { propagateAdamFrozen } from './hessianFree.js';
import { expandIn, lanczos, splitOnBasis, tridiagMul } from './lanczos.js';
import { stageGaussNewton, type StageCurvatureOptions } from './stageCurvature.js';
import type { FactualEntry, Perturbation } from './sweep.js';
import type { Cost } from './types.js';

const scaleBy = (xs: Tensor[], d: Tensor[]) => xs.map((x, q) => T.mul(x, d[q]));

/**
 * Stage-stationary curvature for an Adam/AdamW later stage (beyond the paper): the preconditioner
 * D = sqrt(v_hat) + eps is frozen at its value in the stage's exit checkpoint, the curvature is the
 * Gauss-Newton matrix H at the stage's midpoint. Linearised, with the second moment unperturbed:
 *   dm <- b1 dm + (1 - b1) (H + c) dtheta,   dtheta <- keep dtheta - lr_t / (1 - b1^t) D^-1 dm
 * (c: coupled decay, keep: 1 - lr_t lambda for AdamW). In u = D^(1/2) dtheta, n = D^(-1/2) dm the
 * operator becomes the symmetric A = D^(-1/2) (H + c) D^(-1/2), so a Krylov subspace of A seeded
 * with u carries the curvature exactly as stage-curvature does for SGD; outside it A is taken as
 * zero. No trajectory replay: rank-many products per perturbation.
 * Falls back to the frozen-trajectory map when the exit checkpoint holds no second moment.
 */
export function propagateAdamStationary(o: StageCurvatureOptions) {
  return (run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void => {
    const stage = run.pipeline.stages[j];
    const spec = stage.optimizer.spec;
    const exit = run.boundary(j + 1).optimizer;
    const v = exit?.slots.expAvgSq;
    if (spec.kind === 'sgd' || !exit || !v) {
      propagateAdamFrozen(run, j, entry, perts, cost);
      return;
    }
    const h = adamHyper(spec);
    const c = h.decoupled ? 0 : h.weightDecay;
    const bc2 = Math.sqrt(1 - h.beta2 ** exit.step);
    const D = v.map((t) => T.add(T.div(T.sqrt(t), bc2), h.eps));
    const sqrtD = D.map((t) => T.sqrt(t));
    const invSqrtD = sqrtD.map((t) => T.div(1, t));
    const ggn = stageGaussNewton(run, j, entry, o.curvatureSample, 0.5);
    const A = (x: Tensor[]) => {
      cost.hvps++;
      const y = scaleBy(ggn(scaleBy(x, invSqrtD)), invSqrtD);
      return c === 0 ? y : y.map((t, q) => T.add(t, T.mul(x[q], T.div(c, D[q]))));
    };
    const idx = stage.trainable;
    const steps = Array.from({ length: stage.steps }, (_, s) => {
      const t = entry.state.step + s + 1;
      return { s, keep: h.decoupled ? 1 - stage.lrs[s] * h.weightDecay : 1, size: stage.lrs[s] / (1 - h.beta1 ** t) };
    });
    for (const pert of perts) {
      const u = scaleBy(idx.map((i) => pert.delta[i]), sqrtD);
      const dm = pert.epsilon.expAvg;
      const n = dm ? scaleBy(dm, invSqrtD) : null;
      const { Q, alpha, beta } = lanczos(A, u, o.curvatureRank);
      const m = Q.length;
      const uSplit = splitOnBasis(Q, u);
      const nSplit = n ? splitOnBasis(Q, n) : null;
      let cu = uSplit.coords;
      let cn = nSplit?.coords ?? new Float64Array(m);
      const uPerp = uSplit.perp;
      const nPerp = nSplit?.perp ?? null;
      // Outside span(Q), A = 0: (u, n) <- [[keep, -size b1], [0, b1]] (u, n) per step.
      let P: Matrix2 = [[1, 0], [0, 1]];
      for (const { s, keep, size } of steps) {
        if (s < pert.startStep) continue;
        const Au = tridiagMul(alpha, beta, cu);
        const cn2 = new Float64Array(m);
        const cu2 = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          cn2[i] = h.beta1 * cn[i] + (1 - h.beta1) * Au[i];
          cu2[i] = keep * cu[i] - size * cn2[i];
        }
        cu = cu2;
        cn = cn2;
        P = mat2Mul([[keep, -size * h.beta1], [0, h.beta1]], P);
      }
      const uIn = expandIn(Q, cu, u);
      const nIn = expandIn(Q, cn, u);
      const uT = uPerp.map((t, k) => lincomb(1, uIn[k], 1, lincomb(P[0][0], t, P[0][1], nPerp?.[k] ?? null)));
      // P's lower-left entry stays 0 (u never feeds n outside span(Q)), so n_T has no u_perp term.
      const nT = nIn.map((t, k) => lincomb(1, t, P[1][1], nPerp?.[k] ?? null));
      const dTheta = scaleBy(uT, invSqrtD);
      idx.forEach((p, q) => (pert.delta[p] = dTheta[q]));
      pert.epsilon = { expAvg: scaleBy(nT, sqrtD) };
    }
  };
}
