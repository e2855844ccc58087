export { add, sub, mul, div, neg, square, greater } from './arith.js';
export { exp, log, tanh, sigmoid, sqrt, relu, softplus, abs, pow, gelu } from './unary.js';
export { sum, mean, max, maxDetached, argmaxIndices } from './reduce.js';
export { reshape, flatten, permute, transpose, broadcastTo, sumTo, take, scatterAdd, stopGradient } from './shape.js';
export { mm, matmul } from './linalg.js';
export { conv2d, maxPool2d, avgPool2d, im2col, col2im, type Pair } from './conv.js';
export { erf, erfScalar, geluErf } from './erf.js';
export { logSumExp, logSoftmax, softmax, layerNorm } from './composite.js';
export type { TensorLike } from './util.js';
