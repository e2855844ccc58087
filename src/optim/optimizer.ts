import { createAdam } from './adam.js';
import { createSgd } from './sgd.js';
import type { Optimizer, OptimizerSpec } from './types.js';
import { validateOptimizerSpec } from './validate.js';

/** The optimizer a spec describes; the spec is validated first (errors name `optimizer.field`). */
export function createOptimizer(spec: OptimizerSpec): Optimizer {
  const s = validateOptimizerSpec(spec, 'optimizer');
  return s.kind === 'sgd' ? createSgd(s) : createAdam(s);
}
