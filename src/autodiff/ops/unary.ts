import { allocate, type FloatArray } from '../../tensor/dtype.js';
import { unaryKernel } from '../../tensor/kernels/elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { isUndifferentiated, record, type Rules } from '../engine.js';
import { add, div, greater, mul, sub } from './arith.js';

/** out[i] = f(x[i]) written out for one f, so V8 inlines it (a shared loop calling f cannot). */
type Loop = (x: FloatArray, out: FloatArray) => void;

function unary(rules: Rules<undefined>, x: Tensor, f: (v: number) => number, loop?: Loop): Tensor {
  if (!loop) return record(rules, [x], new Tensor(unaryKernel(x.data, f), x.shape), undefined);
  const out = allocate(x.dtype, x.size);
  loop(x.data, out);
  return record(rules, [x], new Tensor(out, x.shape), undefined);
}

/**
 * g * d(x, y) in one pass, with the same float64 operations as the op-by-op `derivative`, for a
 * backward pass that is not itself differentiated (no graph, no tangents): one array instead of
 * two or three temporaries.
 */
type FusedVjp = (g: Float64Array, x: Float64Array, y: Float64Array, out: Float64Array) => void;

/** A unary op whose derivative is a function of its input and output: dy = d(x, y) * dx. */
function defineUnary(name: string, f: (v: number) => number, derivative: (x: Tensor, y: Tensor) => Tensor, fused?: FusedVjp, loop?: Loop): (x: Tensor) => Tensor {
  const rules: Rules<undefined> = {
    name,
    vjp: (g, [x], y) => {
      if (fused && g.data instanceof Float64Array && x.data instanceof Float64Array && y.data instanceof Float64Array
        && g.size === y.size && isUndifferentiated([g, x, y])) {
        const out = new Float64Array(g.size);
        fused(g.data, x.data, y.data, out);
        return [new Tensor(out, y.shape)];
      }
      return [mul(g, derivative(x, y))];
    },
    jvp: ([dx], [x], y) => mul(dx!, derivative(x, y)),
  };
  return (x: Tensor) => unary(rules, x, f, loop);
}

export const exp = defineUnary('exp', Math.exp, (_, y) => y, undefined, (x, out) => {
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(x[i]);
});
export const log = defineUnary('log', Math.log, (x) => div(1, x), undefined, (x, out) => {
  for (let i = 0; i < out.length; i++) out[i] = Math.log(x[i]);
});
export const tanh = defineUnary('tanh', Math.tanh, (_, y) => sub(1, mul(y, y)), (g, _, y, out) => {
  for (let i = 0; i < out.length; i++) out[i] = g[i] * (1 - y[i] * y[i]);
}, (x, out) => {
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i]);
});
export const sigmoid = defineUnary('sigmoid', sigmoidScalar, (_, y) => mul(y, sub(1, y)), (g, _, y, out) => {
  for (let i = 0; i < out.length; i++) out[i] = g[i] * (y[i] * (1 - y[i]));
});
// At y = 0 the derivative is infinite; we take 0 there (as relu takes 0 at its kink). sqrt(v) of an
// Adam second moment that never saw a non-zero gradient is exactly such a point, and its tangent is
// 0 too, so the exact JVP would be 0 * inf = NaN where the limit along the trajectory is 0.
export const sqrt = defineUnary('sqrt', Math.sqrt, (_, y) => {
  const positive = greater(y, 0);
  return mul(div(0.5, add(y, sub(1, positive))), positive);
});
// PyTorch's convention: the derivative of relu at 0 is 0.
export const relu = defineUnary('relu', (v) => (v > 0 ? v : 0), (x) => greater(x, 0), (g, x, _, out) => {
  for (let i = 0; i < out.length; i++) out[i] = g[i] * (x[i] > 0 ? 1 : 0);
}, (x, out) => {
  for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
});
/** log(1 + e^x), computed without overflow; its derivative is sigmoid(x). */
export const softplus = defineUnary('softplus', (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))), (x) => sigmoid(x));
export const abs = defineUnary('abs', Math.abs, (x) => sub(greater(x, 0), greater(0, x)));

function sigmoidScalar(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** x ** p for a constant exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  if (p === 1) return x;
  if (p === 2) return mul(x, x);
  const rules: Rules<undefined> = {
    name: 'pow',
    vjp: (g, [u]) => [mul(g, mul(pow(u, p - 1), p))],
    jvp: ([du], [u]) => mul(du!, mul(pow(u, p - 1), p)),
  };
  return unary(rules, x, (v) => Math.pow(v, p));
}

/** The tanh approximation of GELU (PyTorch's gelu(approximate='tanh')). */
export function gelu(x: Tensor): Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), c);
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}
