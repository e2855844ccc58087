import * as T from '../autodiff/index.js';
import { Tensor, type BufferPool, type FloatArray } from '../tensor/index.js';
import { checkLike, checkLr, perturbationOf, slotOf } from './checks.js';
import type { Matrix2, OptimizerState, Optimizer, SgdSpec, StatePerturbation } from './types.js';

// torch.optim.SGD (1.13, _single_tensor_sgd), out of place, beside its Hessian-free linearisation.

/** SGD's hyperparameters with torch's defaults filled in; lr comes per step. */
export interface SgdHyper {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  decoupled: boolean;
}

export function sgdHyper(spec: SgdSpec): SgdHyper {
  return {
    momentum: spec.momentum ?? 0,
    dampening: spec.dampening ?? 0,
    nesterov: spec.nesterov ?? false,
    weightDecay: spec.weightDecay ?? 0,
    decoupled: spec.decoupledWeightDecay ?? false,
  };
}

/**
 * One SGD step over lists of tensors, operation for operation as torch 1.13 does it:
 *   theta *= 1 - eta*lambda                      (decoupled only, before anything else)
 *   g = grad + lambda*theta                      (coupled only)
 *   buf = g                                      (mu != 0, first step: no buffer yet)
 *   buf = mu*buf + (1 - dampening)*g             (mu != 0, later steps)
 *   g = nesterov ? g + mu*buf : buf              (mu != 0)
 *   theta = theta - eta*g
 * Decoupled decay (SGDW; torch 1.13 has no such option) follows torch.optim.AdamW: the gradient is
 * the one taken at the undecayed theta, the decay is applied first, and no lambda*theta enters g.
 * `momentumBuffers` null means none yet: torch applies its first-step rule whenever the buffer is
 * absent, whatever the step count. With mu = 0 the buffers (if any, e.g. carried from a stage with
 * momentum) come back untouched, as torch leaves them.
 */
export function sgdUpdate(
  params: Tensor[],
  grads: Tensor[],
  momentumBuffers: Tensor[] | null,
  lr: number,
  h: SgdHyper,
  pool?: BufferPool,
): { params: Tensor[]; momentumBuffers: Tensor[] | null } {
  const mu = h.momentum;
  if (fusable(params, grads, momentumBuffers)) return sgdUpdateFused(params, grads, momentumBuffers, lr, h, pool);
  const bufs: Tensor[] = [];
  const out = params.map((p0, i) => {
    let p = p0;
    let g = grads[i];
    if (h.weightDecay !== 0) {
      if (h.decoupled) p = T.mul(p, 1 - lr * h.weightDecay);
      else g = T.add(g, T.mul(p, h.weightDecay));
    }
    if (mu !== 0) {
      const buf = momentumBuffers ? T.add(T.mul(momentumBuffers[i], mu), T.mul(g, 1 - h.dampening)) : g;
      bufs.push(buf);
      g = h.nesterov ? T.add(g, T.mul(buf, mu)) : buf;
    }
    return T.add(p, T.mul(g, -lr));
  });
  return { params: out, momentumBuffers: mu !== 0 ? bufs : momentumBuffers };
}

/** float64 and nothing to differentiate: sgdUpdateFused gives the same bits without the graph. */
function fusable(params: Tensor[], grads: Tensor[], bufs: Tensor[] | null): boolean {
  const all = bufs ? [...params, ...grads, ...bufs] : [...params, ...grads];
  return all.every((t) => t.dtype === 'float64') && T.isUndifferentiated(all);
}

/**
 * sgdUpdate in one pass per tensor, for training (no derivative wanted): the same float64
 * operations in the same order, so the result is bit-identical, without the op-by-op temporaries.
 */
function sgdUpdateFused(
  params: Tensor[], grads: Tensor[], momentumBuffers: Tensor[] | null, lr: number, h: SgdHyper, pool?: BufferPool,
): { params: Tensor[]; momentumBuffers: Tensor[] | null } {
  const mu = h.momentum;
  const wd = h.weightDecay;
  const decay = wd !== 0 && h.decoupled ? 1 - lr * wd : 1;
  const coupled = wd !== 0 && !h.decoupled ? wd : 0;
  const damp = 1 - h.dampening;
  const neglr = -lr;
  const bufs: Tensor[] = [];
  const out = params.map((p0, i) => {
    const p = p0.data;
    const g0 = grads[i].data;
    const b0 = momentumBuffers ? momentumBuffers[i].data : null;
    // Every entry of `next` and `buf` is written below, so a recycled array is as good as a fresh one.
    const next = pool ? pool.take(p.length) : new Float64Array(p.length);
    if (mu === 0 && decay === 1 && coupled === 0) {
      // Plain SGD: the branch-free loop.
      for (let j = 0; j < p.length; j++) next[j] = p[j] + g0[j] * neglr;
      return new Tensor(next, p0.shape);
    }
    if (mu === 0) {
      sgdKernel(p, g0, null, next, null, decay, coupled, 0, damp, false, neglr);
      return new Tensor(next, p0.shape);
    }
    const buf = pool ? pool.take(p.length) : new Float64Array(p.length);
    if (b0 && decay === 1 && !h.nesterov) heavyBallKernel(p, g0, b0, next, buf, coupled, mu, damp, neglr);
    else sgdKernel(p, g0, b0, next, buf, decay, coupled, mu, damp, h.nesterov, neglr);
    bufs.push(new Tensor(buf, p0.shape));
    return new Tensor(next, p0.shape);
  });
  return { params: out, momentumBuffers: mu !== 0 ? bufs : momentumBuffers };
}

// The per-entry loops are top-level functions of their arguments (not closures over the update's
// settings), which V8 compiles several times faster; each does sgdUpdate's float64 operations in
// its order.

/** The general entry update (any decay, coupling, momentum, Nesterov; `buf` null when mu = 0). */
function sgdKernel(
  p: FloatArray, g0: FloatArray, b0: FloatArray | null, next: Float64Array, buf: Float64Array | null,
  decay: number, coupled: number, mu: number, damp: number, nesterov: boolean, neglr: number,
): void {
  for (let j = 0; j < p.length; j++) {
    const pj = decay !== 1 ? p[j] * decay : p[j];
    let g = coupled !== 0 ? g0[j] + p[j] * coupled : g0[j];
    if (buf) {
      const bj = b0 ? b0[j] * mu + g * damp : g;
      buf[j] = bj;
      g = nesterov ? g + bj * mu : bj;
    }
    next[j] = pj + g * neglr;
  }
}

/** Heavy ball with an existing buffer, coupled (or no) weight decay: training's common case. */
function heavyBallKernel(p: FloatArray, g0: FloatArray, b0: FloatArray, next: Float64Array, buf: Float64Array, coupled: number, mu: number, damp: number, neglr: number): void {
  if (coupled !== 0) {
    for (let j = 0; j < p.length; j++) {
      const pj = p[j];
      const bj = b0[j] * mu + (g0[j] + pj * coupled) * damp;
      buf[j] = bj;
      next[j] = pj + bj * neglr;
    }
  } else {
    for (let j = 0; j < p.length; j++) {
      const bj = b0[j] * mu + g0[j] * damp;
      buf[j] = bj;
      next[j] = p[j] + bj * neglr;
    }
  }
}

/**
 * The step's Jacobian on (theta, buf) with H = 0, where the only gradient perturbation left is the
 * coupled term: dg = c*delta (c = lambda if coupled, else 0; w = lambda if decoupled, else 0).
 * `hasBuffer`: the factual buffer exists before the step. Without it torch sets buf = g (undamped),
 * so an incoming epsilon has nothing to act on and M's epsilon column is zero.
 *
 *   mu = 0:          delta' = (1 - eta*w)*delta - eta*c*delta
 *                    eps'   = eps if a buffer exists (torch leaves it untouched), else no buffer
 *   no buffer yet:   eps'   = c*delta
 *     heavy ball:    delta' = (1 - eta*w)*delta - eta*eps'
 *                           = (1 - eta*w - eta*c)*delta
 *     nesterov:      delta' = (1 - eta*w)*delta - eta*(c*delta + mu*eps')
 *                           = (1 - eta*w - eta*c*(1 + mu))*delta
 *   buffer exists:   eps'   = mu*eps + (1 - d)*c*delta
 *     heavy ball:    delta' = (1 - eta*w)*delta - eta*eps'
 *                           = (1 - eta*w - eta*(1 - d)*c)*delta - eta*mu*eps
 *     nesterov:      delta' = (1 - eta*w)*delta - eta*(c*delta + mu*eps')
 *                           = (1 - eta*w - eta*c - eta*mu*(1 - d)*c)*delta - eta*mu^2*eps
 * With d = 0, coupled decay and heavy ball this is method.md's [[1 - eta*lambda, -eta*mu], [lambda, mu]].
 */
function sgdMatrix(h: SgdHyper, hasBuffer: boolean, lr: number): Matrix2 {
  const eta = lr;
  const mu = h.momentum;
  const c = h.decoupled ? 0 : h.weightDecay;
  const w = h.decoupled ? h.weightDecay : 0;
  const keep = 1 - eta * w;
  if (mu === 0) return [[keep - eta * c, 0], [0, hasBuffer ? 1 : 0]];
  if (!hasBuffer) {
    const a = h.nesterov ? keep - eta * c * (1 + mu) : keep - eta * c;
    return [[a, 0], [c, 0]];
  }
  const cd = (1 - h.dampening) * c;
  if (h.nesterov) return [[keep - eta * c - eta * mu * cd, -eta * mu * mu], [cd, mu]];
  return [[keep - eta * cd, -eta * mu], [cd, mu]];
}

/**
 * The 2x2 matrix M with [delta'; eps'] = M [delta; eps] for an SGD step taken with `lr` when the
 * state has already taken `stepIndex` steps (eps: the momentum-buffer perturbation). Step 0 is
 * special: torch's buffer does not exist yet, so M's eps column is zero. With momentum 0 there is
 * no buffer: only M[0][0] (acting on delta) is nonzero. The buffer is assumed to exist exactly when
 * momentum > 0 and stepIndex > 0; hessianFreeStep reads it off the factual state instead, which
 * also covers a buffer carried into a momentum-0 stage (it passes through: eps' = eps).
 */
export function sgdTransition(spec: SgdSpec, stepIndex: number, lr: number): Matrix2 {
  if (!Number.isSafeInteger(stepIndex) || stepIndex < 0) {
    throw new Error(`sgdTransition: stepIndex must be an integer >= 0 (got ${String(stepIndex)})`);
  }
  checkLr('sgdTransition', lr);
  const h = sgdHyper(spec);
  return sgdMatrix(h, h.momentum !== 0 && stepIndex > 0, lr);
}

/**
 * How a gradient perturbation h enters one SGD step: [delta'; eps'] += r * h, coordinatewise.
 * The step is affine in (theta, buffer, g), so with sgdTransition this is its whole
 * linearisation: M acts on the state, r on the gradient. From the update rule (d = dampening):
 *   no momentum:   theta' = theta - eta*g                      -> r = [-eta, 0]
 *   first step:    buf' = g; heavy ball theta' -= eta*buf'     -> r = [-eta, 1]
 *                  nesterov theta' -= eta*(g + mu*buf')        -> r = [-eta*(1 + mu), 1]
 *   later steps:   buf' = mu*buf + (1 - d)*g                    -> r = [-eta*(1 - d), 1 - d]
 *                  nesterov theta' -= eta*(g + mu*buf')         -> r = [-eta*(1 + mu*(1 - d)), 1 - d]
 * Weight decay does not change r: it acts on theta, which M already covers.
 */
export function sgdGradientResponse(spec: SgdSpec, stepIndex: number, lr: number, hasBuffer?: boolean): [number, number] {
  checkLr('sgdGradientResponse', lr);
  const h = sgdHyper(spec);
  const mu = h.momentum;
  const eta = lr;
  if (mu === 0) return [-eta, 0];
  if (!(hasBuffer ?? stepIndex > 0)) return [h.nesterov ? -eta * (1 + mu) : -eta, 1];
  const cd = 1 - h.dampening;
  return [h.nesterov ? -eta * (1 + mu * cd) : -eta * cd, cd];
}

/** a*b for 2x2 matrices (b applied first). */
export function mat2Mul(a: Matrix2, b: Matrix2): Matrix2 {
  return [
    [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
    [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
  ];
}

/**
 * The product M_{n-1} ... M_0 over n consecutive steps with rates `lrs`, the first taken at
 * `firstStepIndex`: [delta_end; eps_end] = P [delta_start; eps_start]. E2's (alpha, beta) are its
 * first row.
 */
export function sgdTransitionProduct(spec: SgdSpec, firstStepIndex: number, lrs: ArrayLike<number>): Matrix2 {
  let p: Matrix2 = [[1, 0], [0, 1]];
  for (let i = 0; i < lrs.length; i++) p = mat2Mul(sgdTransition(spec, firstStepIndex + i, lrs[i]), p);
  return p;
}

function apply2(m: Matrix2, row: 0 | 1, delta: Tensor, eps: Tensor | null): Tensor {
  const [a, b] = m[row];
  const x = T.mul(delta, a);
  return eps && b !== 0 ? T.add(x, T.mul(eps, b)) : x;
}

/** The 2x2 map applied coordinatewise to a perturbation of (theta, momentum buffer). */
export function sgdHessianFreeStep(h: SgdHyper, d: StatePerturbation, factualState: OptimizerState, lr: number): StatePerturbation {
  const where = 'sgd hessianFreeStep';
  checkLr(where, lr);
  const hasBuffer = slotOf(where, factualState, 'momentum', d.params, false) !== null;
  const m = sgdMatrix(h, hasBuffer, lr);
  const eps = perturbationOf(where, d.slots, 'momentum', d.params);
  const params = d.params.map((delta, i) => apply2(m, 0, delta, eps && eps[i]));
  if (h.momentum === 0 && !hasBuffer) return { params, slots: {} };
  return { params, slots: { momentum: d.params.map((delta, i) => apply2(m, 1, delta, eps && eps[i])) } };
}

export function createSgd(spec: SgdSpec): Optimizer {
  const h = sgdHyper(spec);
  return {
    spec,
    init: () => ({ step: 0, slots: {} }),
    step(params, grads, state, lr, pool) {
      const where = 'sgd step';
      checkLr(where, lr);
      checkLike(where, 'grads', params, grads);
      const buffers = slotOf(where, state, 'momentum', params, false);
      const r = sgdUpdate(params, grads, buffers, lr, h, pool);
      const slots: Record<string, Tensor[]> = r.momentumBuffers ? { momentum: r.momentumBuffers } : {};
      return { params: r.params, state: { step: state.step + 1, slots } };
    },
    // The gradient does not enter SGD's Hessian-free map, so the factual step's inputs are unused.
    hessianFreeStep: (d, factualState, lr) => sgdHessianFreeStep(h, d, factualState, lr),
  };
}
