import * as T from '../autodiff/index.js';
import type { Tensor } from '../tensor/index.js';
import type { BehaviourSet } from './behaviours.js';
import { subLists } from './vectors.js';

/** How an embedding becomes an effect on a behaviour (method.md §3). */
export type OutputMode = 'linear' | 'exact';

/**
 * The behaviour vector's tangent map at theta_T: the forward pass is recorded once, and each stage
 * embedding's linear read-out is one push of e_k through it (bit for bit one jvp in direction e_k).
 */
function linearization(behaviours: BehaviourSet, finalParams: Tensor[]): T.Linearized<Tensor> {
  return T.linearize((p) => behaviours.evaluate(p), finalParams);
}

/** Linear read-out of one stage embedding: the JVP of the whole behaviour vector in direction e_k. */
function linearOne(lin: T.Linearized<Tensor>, e: Tensor[]): Float64Array {
  return Float64Array.from(lin.apply(e).data);
}

/** Exact read-out of one stage embedding: f(theta_T) - f(theta_T - e_k), one forward pass. */
function exactOne(behaviours: BehaviourSet, finalParams: Tensor[], factual: Float64Array, e: Tensor[]): Float64Array {
  const cf = behaviours.values(subLists(finalParams, e));
  return factual.map((v, i) => v - cf[i]);
}

/**
 * Linear output: tau_k(f_i) ≈ <grad f_i(theta_T), e_k> for every behaviour i at once, as one JVP
 * of the behaviour vector in direction e_k (no per-behaviour gradients).
 */
export function linearEffects(behaviours: BehaviourSet, finalParams: Tensor[], embeddings: Tensor[][]): Float64Array[] {
  if (embeddings.length === 0) return [];
  const lin = linearization(behaviours, finalParams);
  return embeddings.map((e) => linearOne(lin, e));
}

/** Exact output: tau_k(f_i) ≈ f_i(theta_T) - f_i(theta_T - e_k): one forward pass per stage. */
export function exactEffects(behaviours: BehaviourSet, finalParams: Tensor[], embeddings: Tensor[][]): Float64Array[] {
  const factual = behaviours.values(finalParams);
  return embeddings.map((e) => exactOne(behaviours, finalParams, factual, e));
}

export function effects(mode: OutputMode, behaviours: BehaviourSet, finalParams: Tensor[], embeddings: Tensor[][]): Float64Array[] {
  return mode === 'linear' ? linearEffects(behaviours, finalParams, embeddings) : exactEffects(behaviours, finalParams, embeddings);
}

/** Bitwise equality of two parameter lists (a memcmp per tensor). */
function sameTensors(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((t, i) => {
    const x = t.data;
    const y = b[i].data;
    if (x === y) return true;
    if (x.constructor !== y.constructor || x.length !== y.length) return false;
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  });
}

/**
 * Both read-outs for several estimators' embeddings of one run, with no work done twice:
 * f(theta_T) is evaluated once and shared, and a stage embedding bitwise identical to one already
 * read out (every shipped estimator but the task vector has the same exact last-stage embedding)
 * reuses that read-out. Each read-out is a deterministic function of (behaviours, theta_T, e_k),
 * so the values are bit for bit those of `effects`.
 */
export class Readouts {
  private factualValues: Float64Array | null = null;
  private tangentMap: T.Linearized<Tensor> | null = null;
  private readonly seen: { e: Tensor[]; mode: OutputMode; value: Float64Array }[] = [];

  constructor(private readonly behaviours: BehaviourSet, private readonly finalParams: Tensor[]) {}

  /** f(theta_T) per behaviour (computed on first use). */
  factual(): Float64Array {
    // A linearization already holds f(theta_T) (the same ops on the same values, so the same bits).
    return (this.factualValues ??= this.tangentMap ? Float64Array.from(this.tangentMap.out.data) : this.behaviours.values(this.finalParams));
  }

  /** effects(mode, ...) for these embeddings, as fresh number arrays per stage. */
  effects(mode: OutputMode, embeddings: Tensor[][]): number[][] {
    return embeddings.map((e) => Array.from(this.one(mode, e)));
  }

  private one(mode: OutputMode, e: Tensor[]): Float64Array {
    const known = this.seen.find((s) => s.mode === mode && sameTensors(s.e, e));
    if (known) return known.value;
    const value = mode === 'linear' ? linearOne((this.tangentMap ??= linearization(this.behaviours, this.finalParams)), e) : exactOne(this.behaviours, this.finalParams, this.factual(), e);
    this.seen.push({ e, mode, value });
    return value;
  }
}
