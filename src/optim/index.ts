// Public API of the optim module: torch.optim's SGD/Adam/AdamW as pure updates, each beside its
// Hessian-free linearisation, and the stages' learning-rate schedules.
export type {
  AdamSpec,
  FactualStep,
  Matrix2,
  Optimizer,
  OptimizerKind,
  OptimizerSpec,
  OptimizerState,
  SgdSpec,
  StatePerturbation,
} from './types.js';
export { OPTIMIZER_KINDS, validateOptimizerSpec } from './validate.js';
export { createOptimizer } from './optimizer.js';
export { createSgd, mat2Mul, sgdGradientResponse, sgdHessianFreeStep, sgdHyper, sgdTransition, sgdTransitionProduct, sgdUpdate, type SgdHyper } from './sgd.js';
export { adamHessianFreeStep, adamHyper, adamUpdate, createAdam, type AdamHyper, type AdamUpdateOptions } from './adam.js';
export * from './schedule.js';
export { clipGradNorm, clipGradNormJvp, CLIP_EPS, type ClippedGradient } from './clip.js';
