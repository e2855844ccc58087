import * as T from '../autodiff/index.js';
import { Tensor, zeros, type BufferPool } from '../tensor/index.js';
import { checkLike, checkLr, perturbationOf, slotOf, zerosLike } from './checks.js';
import type { AdamSpec, FactualStep, OptimizerState, Optimizer, StatePerturbation } from './types.js';

// torch.optim.Adam / AdamW (1.13, _single_tensor_adam / _single_tensor_adamw), out of place,
// beside a Hessian-free linearisation with a frozen preconditioner (beyond the paper).

/** Adam's hyperparameters with torch's defaults filled in; lr comes per step. */
export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: theta *= 1 - eta*lambda first; Adam: g += lambda*theta (L2). */
  decoupled: boolean;
}

export function adamHyper(spec: AdamSpec): AdamHyper {
  const decoupled = spec.kind === 'adamw';
  const [beta1, beta2] = spec.betas ?? [0.9, 0.999];
  // torch.optim.AdamW defaults weight_decay to 1e-2, torch.optim.Adam to 0.
  return { beta1, beta2, eps: spec.eps ?? 1e-8, weightDecay: spec.weightDecay ?? (decoupled ? 1e-2 : 0), decoupled };
}

export interface AdamUpdateOptions {
  /**
   * Treat the new second moment v_{t+1} as a constant (stop-gradient): same values, but no
   * derivative flows through it, neither into theta's update nor into the returned slot. T.jvp
   * of the update then is the frozen-preconditioner linearisation that adamHessianFreeStep computes.
   */
  freezeSecondMoment?: boolean;
}

// The pieces below are shared by the update and its linearisation, so the factual preconditioner
// the linearisation uses is bit-identical to the one the step used.

function effectiveGrad(g: Tensor, p: Tensor, h: AdamHyper): Tensor {
  return h.weightDecay !== 0 && !h.decoupled ? T.add(g, T.mul(p, h.weightDecay)) : g;
}

/** v_{t+1} = beta2*v + (1 - beta2)*g*g, as torch's exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2). */
function secondMoment(v: Tensor | null, g: Tensor, h: AdamHyper): Tensor {
  const fresh = T.mul(T.mul(g, 1 - h.beta2), g);
  return v ? T.add(T.mul(v, h.beta2), fresh) : fresh;
}

interface BiasCorrection {
  /** eta / (1 - beta1^t) */
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  bc2Sqrt: number;
}

function biasCorrection(t: number, lr: number, h: AdamHyper): BiasCorrection {
  return { stepSize: lr / (1 - h.beta1 ** t), bc2Sqrt: Math.sqrt(1 - h.beta2 ** t) };
}

/** D = sqrt(v_{t+1})/sqrt(1 - beta2^t) + eps: Adam's per-coordinate preconditioner is 1/D. */
function denominator(v: Tensor, bc: BiasCorrection, h: AdamHyper): Tensor {
  return T.add(T.div(T.sqrt(v), bc.bc2Sqrt), h.eps);
}

/**
 * One Adam/AdamW step over lists of tensors, operation for operation as torch 1.13 does it, with
 * t = the step count after this step (1 at the first step):
 *   theta *= 1 - eta*lambda                 (adamw)
 *   g = grad + lambda*theta                 (adam)
 *   m = beta1*m + (1 - beta1)*g
 *   v = beta2*v + ((1 - beta2)*g)*g
 *   theta = theta + (-(eta/(1 - beta1^t))*m) / (sqrt(v)/sqrt(1 - beta2^t) + eps)
 * `expAvg`/`expAvgSq` null: no state yet (torch starts both at zero).
 */
export function adamUpdate(
  params: Tensor[],
  grads: Tensor[],
  expAvg: Tensor[] | null,
  expAvgSq: Tensor[] | null,
  t: number,
  lr: number,
  h: AdamHyper,
  opts: AdamUpdateOptions = {},
  pool?: BufferPool,
): { params: Tensor[]; expAvg: Tensor[]; expAvgSq: Tensor[] } {
  const bc = biasCorrection(t, lr, h);
  const all = [...params, ...grads, ...(expAvg ?? []), ...(expAvgSq ?? [])];
  if (all.every((x) => x.dtype === 'float64') && T.isUndifferentiated(all)) return adamUpdateFused(params, grads, expAvg, expAvgSq, lr, bc, h, pool);
  const ms: Tensor[] = [];
  const vs: Tensor[] = [];
  const out = params.map((p0, i) => {
    const g = effectiveGrad(grads[i], p0, h);
    const p = h.decoupled && h.weightDecay !== 0 ? T.mul(p0, 1 - lr * h.weightDecay) : p0;
    const fresh = T.mul(g, 1 - h.beta1);
    const m = expAvg ? T.add(T.mul(expAvg[i], h.beta1), fresh) : fresh;
    let v = secondMoment(expAvgSq && expAvgSq[i], g, h);
    if (opts.freezeSecondMoment) v = T.stopGradient(v);
    ms.push(m);
    vs.push(v);
    // torch's addcdiv_(m, denom, value=-stepSize): theta + (value*m)/denom.
    return T.add(p, T.div(T.mul(m, -bc.stepSize), denominator(v, bc, h)));
  });
  return { params: out, expAvg: ms, expAvgSq: vs };
}

/**
 * adamUpdate in one pass per tensor, for training (no derivative wanted, so freezeSecondMoment
 * changes nothing): the same float64 operations in the same order, so bit-identical results.
 */
function adamUpdateFused(
  params: Tensor[], grads: Tensor[], expAvg: Tensor[] | null, expAvgSq: Tensor[] | null,
  lr: number, bc: BiasCorrection, h: AdamHyper, pool?: BufferPool,
): { params: Tensor[]; expAvg: Tensor[]; expAvgSq: Tensor[] } {
  const wd = h.weightDecay;
  const coupled = wd !== 0 && !h.decoupled ? wd : 0;
  const decay = wd !== 0 && h.decoupled ? 1 - lr * wd : 1;
  const { beta1, beta2, eps } = h;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const negStep = -bc.stepSize;
  const ms: Tensor[] = [];
  const vs: Tensor[] = [];
  const out = params.map((p0, i) => {
    const p = p0.data;
    const g0 = grads[i].data;
    const m0 = expAvg ? expAvg[i].data : null;
    const v0 = expAvgSq ? expAvgSq[i].data : null;
    const n = p.length;
    // Every entry is written below, so recycled arrays are as good as fresh ones.
    const take = (): Float64Array => (pool ? pool.take(n) : new Float64Array(n));
    const next = take();
    const m = take();
    const v = take();
    for (let j = 0; j < n; j++) {
      const g = coupled !== 0 ? g0[j] + p[j] * coupled : g0[j];
      const pj = decay !== 1 ? p[j] * decay : p[j];
      const fresh = g * c1;
      const mj = m0 ? m0[j] * beta1 + fresh : fresh;
      const vFresh = g * c2 * g;
      const vj = v0 ? v0[j] * beta2 + vFresh : vFresh;
      m[j] = mj;
      v[j] = vj;
      next[j] = pj + (mj * negStep) / (Math.sqrt(vj) / bc.bc2Sqrt + eps);
    }
    ms.push(new Tensor(m, p0.shape));
    vs.push(new Tensor(v, p0.shape));
    return new Tensor(next, p0.shape);
  });
  return { params: out, expAvg: ms, expAvgSq: vs };
}

/**
 * Frozen-preconditioner linearisation (beyond the paper, whose E2 covers SGD only). With H = 0
 * the gradient perturbation is dg = c*delta (c = lambda for adam, 0 for adamw; w = lambda for
 * adamw, 0 for adam), and the preconditioner 1/D of this step is held at its factual value:
 *   eps_m' = beta1*eps_m + (1 - beta1)*c*delta
 *   delta' = (1 - eta*w)*delta - (eta/(1 - beta1^t)) * eps_m' / D
 *   eps_v' = 0
 * i.e. per coordinate the 2x2 [[1 - eta*w - s*(1 - beta1)*c/D, -s*beta1/D], [(1 - beta1)*c, beta1]]
 * on (delta, eps_m), with s = eta/(1 - beta1^t).
 * The exact JVP (still H = 0) also moves v: eps_v' = beta2*eps_v + 2*(1 - beta2)*g*dg, and adds
 * s*m'*eps_v'/(2*D^2*sqrt(v')*sqrt(1 - beta2^t)) to delta'. For adamw under H = 0, dg = 0, so the
 * two agree whenever the incoming eps_v is zero; for adam they differ through the lambda*delta term.
 * D needs this step's factual v_{t+1}, hence theta_t and the gradient (`factual`).
 */
export function adamHessianFreeStep(
  h: AdamHyper,
  d: StatePerturbation,
  factualState: OptimizerState,
  lr: number,
  factual: FactualStep | undefined,
): StatePerturbation {
  const where = 'adam hessianFreeStep';
  checkLr(where, lr);
  if (!factual) {
    throw new Error(`${where}: needs the factual step's params and grads (the frozen preconditioner is this step's v)`);
  }
  checkLike(where, 'factual.params', d.params, factual.params);
  checkLike(where, 'factual.grads', d.params, factual.grads);
  const expAvgSq = slotOf(where, factualState, 'expAvgSq', d.params, true);
  const epsM = perturbationOf(where, d.slots, 'expAvg', d.params);
  const bc = biasCorrection(factualState.step + 1, lr, h);
  const c = h.decoupled ? 0 : h.weightDecay;
  const keep = h.decoupled ? 1 - lr * h.weightDecay : 1;
  const dParams: Tensor[] = [];
  const dExpAvg: Tensor[] = [];
  d.params.forEach((delta, i) => {
    const g = effectiveGrad(factual.grads[i], factual.params[i], h);
    const D = denominator(secondMoment(expAvgSq && expAvgSq[i], g, h), bc, h);
    let em = c !== 0 ? T.mul(delta, (1 - h.beta1) * c) : null;
    if (epsM) em = em ? T.add(T.mul(epsM[i], h.beta1), em) : T.mul(epsM[i], h.beta1);
    const decayed = keep !== 1 ? T.mul(delta, keep) : delta;
    dParams.push(em ? T.sub(decayed, T.div(T.mul(em, bc.stepSize), D)) : decayed);
    dExpAvg.push(em ?? zeros(delta.shape, delta.dtype));
  });
  return { params: dParams, slots: { expAvg: dExpAvg, expAvgSq: zerosLike(d.params) } };
}

export function createAdam(spec: AdamSpec): Optimizer {
  const h = adamHyper(spec);
  return {
    spec,
    init: () => ({ step: 0, slots: {} }),
    step(params, grads, state, lr, pool) {
      const where = `${spec.kind} step`;
      checkLr(where, lr);
      checkLike(where, 'grads', params, grads);
      const m = slotOf(where, state, 'expAvg', params, true);
      const v = slotOf(where, state, 'expAvgSq', params, true);
      const r = adamUpdate(params, grads, m, v, state.step + 1, lr, h, {}, pool);
      return { params: r.params, state: { step: state.step + 1, slots: { expAvg: r.expAvg, expAvgSq: r.expAvgSq } } };
    },
    hessianFreeStep: (d, factualState, lr, factual) => adamHessianFreeStep(h, d, factualState, lr, factual),
  };
}
