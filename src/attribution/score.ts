import * as T from '../autodiff/index.js';
import type { Tensor } from '../tensor/index.js';
import type { BehaviourSet } from './behaviours.js';
import { subLists } from './vectors.js';

/** How an embedding becomes an effect on a behaviour (method.md §3). */
export type OutputMode = 'linear' | 'exact';

/**
 * Linear output: tau_k(f_i) ≈ <grad f_i(theta_T), e_k> for every behaviour i at once, as one JVP
 * of the behaviour vector in direction e_k (no per-behaviour gradients).
 */
export function linearEffects(behaviours: BehaviourSet, finalParams: Tensor[], embeddings: Tensor[][]): Float64Array[] {
  return embeddings.map((e) => Float64Array.from(T.jvp((p) => behaviours.evaluate(p), finalParams, e).tangent.data));
}

/** Exact output: tau_k(f_i) ≈ f_i(theta_T) - f_i(theta_T - e_k): one forward pass per stage. */
export function exactEffects(behaviours: BehaviourSet, finalParams: Tensor[], embeddings: Tensor[][]): Float64Array[] {
  const factual = behaviours.values(finalParams);
  return embeddings.map((e) => {
    const cf = behaviours.values(subLists(finalParams, e));
    return factual.map((v, i) => v - cf[i]);
  });
}

export function effects(mode: OutputMode, behaviours: BehaviourSet, finalParams: Tensor[], embeddings: Tensor[][]): Float64Array[] {
  return mode === 'linear' ? linearEffects(behaviours, finalParams, embeddings) : exactEffects(behaviours, finalParams, embeddings);
}
