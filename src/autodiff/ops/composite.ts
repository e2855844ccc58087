import { Tensor } from '../../tensor/tensor.js';
import { add, div, mul, sub } from './arith.js';
import { maxDetached, mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { exp, log, sqrt } from './unary.js';
import { normAxes } from '../../tensor/shape.js';

// Composites are built from primitives, so every derivative order comes for free.

/** log(sum(exp(x))) along an axis. The shift by the max is a constant: the derivative is exact whatever it is. */
export function logSumExp(x: Tensor, axis = -1, keepDims = false): Tensor {
  const [ax] = normAxes('logSumExp', axis, x.rank);
  const m = maxDetached(x, ax);
  const out = add(log(sum(exp(sub(x, m)), ax, true)), m);
  return keepDims ? out : reshape(out, x.shape.filter((_, i) => i !== ax));
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logSumExp(x, axis, true));
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}

/** Layer normalisation over the last axis (biased variance, as torch.nn.LayerNorm). */
export function layerNorm(x: Tensor, gamma?: Tensor | null, beta?: Tensor | null, eps = 1e-5): Tensor {
  const mu = mean(x, -1, true);
  const xc = sub(x, mu);
  const variance = mean(mul(xc, xc), -1, true);
  let y = div(xc, sqrt(add(variance, eps)));
  if (gamma) y = mul(y, gamma);
  if (beta) y = add(y, beta);
  return y;
}
