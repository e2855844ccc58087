import * as T from '../../autodiff/index.js';
import type { OptimizerState } from '../../optim/index.js';
import { stageBatch, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { dotLists } from '../vectors.js';
import { flatPerturbation, flatStep, unflatten } from './stepFunction.js';
import { factualEntry, skipPerturbation } from './sweep.js';
import { emptyCost, type Cost } from './types.js';

/**
 * E3-adjoint (method.md §3): for one scalar behaviour f, a single backward sweep with the
 * transposed step Jacobians J_t^T from grad f(theta_T) gives lambda at every stage boundary, and
 * then tau_k ≈ -<lambda_{T_{k+1}}, (delta, eps)_k> for all K stages at once. It equals forward E3
 * to rounding and costs one VJP of a step (a Hessian-sized pass) per later step, whatever K is.
 * The factual trajectory is recomputed stage by stage, keeping only every ~sqrt(S)-th state.
 */
export function adjointEffects(run: Run, behaviour: (params: Tensor[]) => Tensor, onProgress?: (message: string, fraction: number) => void): { effects: Float64Array; cost: Cost } {
  const t0 = performance.now();
  const cost = emptyCost();
  const { pipeline } = run;
  const { model, dtype } = pipeline;
  const K = pipeline.stages.length;
  const final = run.finalParams();
  let lamTheta = T.grad((p) => {
    const v = behaviour(p);
    if (v.size !== 1) throw new Error(`adjoint: the behaviour must be a scalar, got ${v.size} values; use the forward estimators for many behaviours`);
    return T.reshape(v, []);
  })(final);
  cost.gradients++;
  let lamEps: Record<string, Tensor[]> = {};
  const effects = new Float64Array(K);
  const last = skipPerturbation(run, K - 1);
  effects[K - 1] = -dotLists(lamTheta, last.delta);
  for (let j = K - 1; j >= 1; j--) {
    onProgress?.(`adjoint sweep through stage "${pipeline.stages[j].name}"`, (K - 1 - j) / Math.max(K - 1, 1));
    const stage = pipeline.stages[j];
    const entry = factualEntry(run, j);
    const S = stage.steps;
    const L = Math.max(1, Math.ceil(Math.sqrt(S)));
    const P = entry.params.length;
    const nq = stage.trainable.length;
    // Forward: keep the state at every L-th step.
    const anchors: { params: Tensor[]; state: OptimizerState }[] = [];
    let x = { params: entry.params, state: entry.state };
    for (let s = 0; s < S; s++) {
      if (s % L === 0) anchors.push(x);
      const step = flatStep(model, stage, x.params, x.state, s, stageBatch(stage, s, dtype));
      T.noGrad(() => step.fn(step.primal));
      x = step.next();
      cost.gradients++;
      cost.stepsReplayed++;
    }
    // Backward, segment by segment from the end: recompute the segment's states, then pull back.
    // lambda at step 1 is kept for a perturbation that starts there (see skipPerturbation).
    let atStep1: { theta: Tensor[]; eps: Record<string, Tensor[]> } | null = null;
    for (let a = anchors.length - 1; a >= 0; a--) {
      const s0 = a * L;
      const s1 = Math.min(S, s0 + L);
      const states = [anchors[a]];
      for (let s = s0; s < s1 - 1; s++) {
        const step = flatStep(model, stage, states.at(-1)!.params, states.at(-1)!.state, s, stageBatch(stage, s, dtype));
        T.noGrad(() => step.fn(step.primal));
        states.push(step.next());
        cost.gradients++;
      }
      for (let s = s1 - 1; s >= s0; s--) {
        if (s === 0) atStep1 = { theta: lamTheta, eps: lamEps };
        const xs = states[s - s0];
        const step = flatStep(model, stage, xs.params, xs.state, s, stageBatch(stage, s, dtype));
        const { out, pullback } = T.vjp(step.fn, step.primal);
        const cot = flatPerturbation(lamTheta, lamEps, step.outSlots(), [...out.slice(0, P), ...out.slice(P)], P, nq);
        const back = unflatten(pullback(cot), step.inSlots, P, nq);
        lamTheta = back.delta;
        lamEps = back.eps;
        cost.hvps++;
      }
    }
    // A stage that resets its optimizer starts from fresh slots: nothing flows into the previous stage's.
    if (!stage.carryState) lamEps = {};
    const pert = skipPerturbation(run, j - 1);
    const lam = pert.startStep === 1 && atStep1 ? atStep1 : { theta: lamTheta, eps: lamEps };
    let inner = dotLists(lam.theta, pert.delta);
    for (const [slot, eps] of Object.entries(pert.epsilon)) if (lam.eps[slot]) inner += dotLists(lam.eps[slot], eps);
    effects[j - 1] = -inner;
  }
  cost.seconds = (performance.now() - t0) / 1000;
  return { effects, cost };
}
