import { coarseReplayEstimator } from './coarseReplay.js';
import { hessianAware } from './hessianAware.js';
import { hessianFree } from './hessianFree.js';
import { replayHead } from './replayHead.js';
import { stageCurvature } from './stageCurvature.js';
import { taskVector } from './taskVector.js';
import type { StageEstimator } from './types.js';

export * from './types.js';
export { sweepStages, skipPerturbation, factualEntry, type Perturbation, type FactualEntry, type StagePropagator } from './sweep.js';
export { taskVector } from './taskVector.js';
export { hessianFree, propagateHessianFree, propagateSgdHessianFree, propagateAdamFrozen } from './hessianFree.js';
export { hessianAware, propagateExact } from './hessianAware.js';
export { stageCurvature, propagateStageCurvature, type StageCurvatureOptions } from './stageCurvature.js';
export { coarseReplayEstimator, COARSE_STRIDE } from './coarseReplay.js';
export { replayHead, propagateReplayHead, headSteps, HEAD_FRACTION } from './replayHead.js';
export { lanczos, tridiagMul, type KrylovBasis } from './lanczos.js';
export { adjointEffects } from './adjoint.js';
export { perExampleEffects, type ExampleAttribution } from './perExample.js';

/** Every embedding estimator, cheapest first (method.md §3's ladder). */
export const ESTIMATORS: readonly StageEstimator[] = [taskVector, hessianFree, stageCurvature, replayHead, coarseReplayEstimator, hessianAware];

export function getEstimator(name: string): StageEstimator {
  const e = ESTIMATORS.find((x) => x.name === name);
  if (!e) throw new Error(`unknown estimator "${name}" (known: ${ESTIMATORS.map((x) => x.name).join(', ')}, and adjoint)`);
  return e;
}
