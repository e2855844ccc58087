import type { OptimizerState } from '../../optim/index.js';
import { trainingStep, type Batch, type ResolvedStage } from '../../pipeline/index.js';
import type { Model } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import { zerosLike } from '../vectors.js';

// A training step as a function of one flat list [theta..., slot tensors (sorted by slot name)...],
// so T.jvp and T.vjp can differentiate it with respect to the whole optimizer state.

export interface FlatStep {
  /** The step: flat state in, flat state out. */
  fn: (xs: Tensor[]) => Tensor[];
  primal: Tensor[];
  inSlots: string[];
  /** Slot names of the output state (known after the first call). */
  outSlots: () => string[];
  /** The factual state after the step (after the first call). */
  next: () => { params: Tensor[]; state: OptimizerState };
}

export function flatStep(model: Model, stage: ResolvedStage, params: Tensor[], state: OptimizerState, s: number, batch: Batch): FlatStep {
  const P = params.length;
  const inSlots = Object.keys(state.slots).sort();
  const nq = stage.trainable.length;
  let outSlots: string[] = [];
  let next: { params: Tensor[]; state: OptimizerState } | null = null;
  const fn = (xs: Tensor[]) => {
    const slots: Record<string, Tensor[]> = {};
    inSlots.forEach((name, i) => (slots[name] = xs.slice(P + i * nq, P + (i + 1) * nq)));
    const r = trainingStep(model, stage, xs.slice(0, P), { step: state.step, slots }, s, batch);
    outSlots = Object.keys(r.state.slots).sort();
    next = { params: r.params, state: r.state };
    return [...r.params, ...outSlots.flatMap((n) => r.state.slots[n])];
  };
  return {
    fn,
    primal: [...params, ...inSlots.flatMap((n) => state.slots[n])],
    inSlots,
    outSlots: () => outSlots,
    next: () => next!,
  };
}

/** The flat tangent/cotangent for (delta, eps) in a step's input layout (absent slots are zero). */
export function flatPerturbation(delta: Tensor[], eps: Record<string, Tensor[]>, slots: string[], like: Tensor[], P: number, nq: number): Tensor[] {
  return [...delta, ...slots.flatMap((n, i) => like.slice(P + i * nq, P + (i + 1) * nq).map((t, q) => eps[n]?.[q] ?? zerosLike(t)))];
}

/** Splits a flat list back into (delta, eps by slot). */
export function unflatten(xs: Tensor[], slots: string[], P: number, nq: number): { delta: Tensor[]; eps: Record<string, Tensor[]> } {
  const eps: Record<string, Tensor[]> = {};
  slots.forEach((n, i) => (eps[n] = xs.slice(P + i * nq, P + (i + 1) * nq)));
  return { delta: xs.slice(0, P), eps };
}
