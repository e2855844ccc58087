import './methods.js';
export * from './ops/index.js';
export { backward, type BackwardOptions } from './backward.js';
export { linearize, jvpMany, type Linearized } from './linearize.js';
export { grad, valueAndGrad, vjp, jvp, hvp, gradAndHvp, perExampleGrads, type TensorFn, type ValueAndGrad, type JvpResult } from './transforms.js';
export { isUndifferentiated, noGrad, type Rules } from './engine.js';
