import type { BufferPool, Tensor } from '../tensor/index.js';

// Optimizer contracts shared by sgd.ts and adam.ts. Names follow method.md: theta (parameters),
// eta (lr), mu (momentum), lambda (weight decay), delta / epsilon (perturbations of theta / slots).

export interface SgdSpec {
  kind: 'sgd';
  lr: number;
  /** mu; 0 (the default) keeps no momentum buffer. */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** lambda; coupled (added to the gradient, torch.optim.SGD) unless decoupledWeightDecay. */
  weightDecay?: number;
  /** SGDW: theta *= 1 - eta*lambda before the update, as torch.optim.AdamW decays. */
  decoupledWeightDecay?: boolean;
}

export interface AdamSpec {
  /** adam: coupled L2 (torch.optim.Adam); adamw: decoupled decay (torch.optim.AdamW). */
  kind: 'adam' | 'adamw';
  lr: number;
  /** Default [0.9, 0.999], as torch. */
  betas?: [number, number];
  /** Default 1e-8, as torch. */
  eps?: number;
  /** Default as torch: 0 for adam, 1e-2 for adamw. */
  weightDecay?: number;
}

export type OptimizerSpec = SgdSpec | AdamSpec;
export type OptimizerKind = OptimizerSpec['kind'];

/**
 * Everything an optimizer carries between steps besides theta. `step` counts the steps taken;
 * `slots` holds one tensor per parameter under each name (sgd: momentum; adam/adamw: expAvg,
 * expAvgSq) and is empty before the first step, as torch creates its state lazily.
 */
export interface OptimizerState {
  step: number;
  slots: Record<string, Tensor[]>;
}

/** A perturbation of (theta, slots): delta for params, epsilon per slot. A missing slot is zero. */
export interface StatePerturbation {
  params: Tensor[];
  slots: Record<string, Tensor[]>;
}

/** The factual step's inputs: theta_t and the gradient at it. Adam's linearisation needs them. */
export interface FactualStep {
  params: Tensor[];
  grads: Tensor[];
}

/** Row-major 2x2: [delta'; epsilon'] = M [delta; epsilon]. */
export type Matrix2 = [[number, number], [number, number]];

export interface Optimizer {
  readonly spec: OptimizerSpec;
  init(params: Tensor[]): OptimizerState;
  /**
   * One update. Pure, written in differentiable ops, so T.jvp of it (with the gradient computed
   * inside by T.grad) is the exact JVP of a training step. `lr` is this step's scheduled rate
   * (the spec's lr is only the base). `pool`: arrays the caller has finished with, which the fused
   * (undifferentiated float64) update writes its new parameters and slots into instead of allocating.
   */
  step(params: Tensor[], grads: Tensor[], state: OptimizerState, lr: number, pool?: BufferPool): { params: Tensor[]; state: OptimizerState };
  /**
   * Hessian-free linearisation (H_t = 0, method.md §3 E2): maps a perturbation of the state before
   * this step to the perturbation after it. `factualState` is the factual state before the step.
   * SGD family: the same 2x2 scalar matrix (sgdTransition) for every coordinate; `factual` unused.
   * Adam/AdamW: the frozen-preconditioner form (beyond the paper), per coordinate; it needs
   * `factual` (theta_t and the gradient) to rebuild this step's second moment.
   */
  hessianFreeStep(d: StatePerturbation, factualState: OptimizerState, lr: number, factual?: FactualStep): StatePerturbation;
}
