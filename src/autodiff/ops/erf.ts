import { unaryKernel } from '../../tensor/kernels/elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, type Rules } from '../engine.js';
import { add, mul } from './arith.js';
import { exp } from './unary.js';

// The error function and the exact GELU built on it (torch's default nn.GELU(), approximate='none').
// JavaScript has no Math.erf, so erfScalar computes it to a few ulps in float64.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) in float64. |x| < 3: erf(x) = 2/sqrt(pi) e^{-x^2} sum_n (2x^2)^n x / (1*3*...*(2n+1)),
 * a series of positive terms (no cancellation, unlike the alternating Taylor series).
 * |x| >= 3: erf = 1 - erfc with erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * a continued fraction that converges fast there; erfc < 2.3e-5, so the subtraction loses nothing.
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    const x2 = a * a;
    let term = a;
    let sum = a;
    for (let n = 1; n < 500 && term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  } else if (a < 6.5) {
    let f = a;
    for (let n = 80; n >= 1; n--) f = a + n / 2 / f;
    r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
  } else {
    r = 1; // erfc(6.5) < 1e-19: below half an ulp of 1
  }
  return x < 0 ? -r : r;
}

// d erf(x)/dx = 2/sqrt(pi) e^{-x^2}, written in differentiable ops so every order composes.
const erfDerivative = (x: Tensor) => mul(exp(mul(mul(x, x), -1)), TWO_OVER_SQRT_PI);

const erfRules: Rules<undefined> = {
  name: 'erf',
  vjp: (g, [x]) => [mul(g, erfDerivative(x))],
  jvp: ([dx], [x]) => mul(dx!, erfDerivative(x)),
};
export function erf(x: Tensor): Tensor {
  return record(erfRules, [x], new Tensor(unaryKernel(x.data, erfScalar), x.shape), undefined);
}

/** Exact GELU, x * 0.5 * (1 + erf(x / sqrt(2))), in the order torch's kernel computes it. */
export function geluErf(x: Tensor): Tensor {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}
