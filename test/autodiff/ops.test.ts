import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { Rng, randn, Tensor, fromData } from '../../src/tensor/index.js';
import { fdGrad, fdJvp, relErr } from '../helpers/fd.js';

// Every op: reverse-mode gradient, forward-mode JVP and forward-over-reverse HVP against float64
// central finite differences, and reverse-over-reverse HVP against forward-over-reverse.

interface Case {
  name: string;
  shapes: number[][];
  fn: (xs: Tensor[]) => Tensor;
  /** Maps raw normal samples into the op's well-conditioned domain. */
  domain?: (v: number) => number;
}

const positive = (v: number) => 0.5 + Math.abs(v);
const awayFromZero = (v: number) => (v >= 0 ? 0.2 + v : v - 0.2);
const idx = (...v: number[]) => new Int32Array(v);

const cases: Case[] = [
  { name: 'neg', shapes: [[3, 4]], fn: ([x]) => T.neg(x) },
  { name: 'exp', shapes: [[3, 4]], fn: ([x]) => T.exp(x) },
  { name: 'log', shapes: [[3, 4]], fn: ([x]) => T.log(x), domain: positive },
  { name: 'tanh', shapes: [[3, 4]], fn: ([x]) => T.tanh(x) },
  { name: 'sigmoid', shapes: [[3, 4]], fn: ([x]) => T.sigmoid(x) },
  { name: 'sqrt', shapes: [[3, 4]], fn: ([x]) => T.sqrt(x), domain: positive },
  { name: 'relu', shapes: [[3, 4]], fn: ([x]) => T.relu(x), domain: awayFromZero },
  { name: 'softplus', shapes: [[3, 4]], fn: ([x]) => T.softplus(x) },
  { name: 'abs', shapes: [[3, 4]], fn: ([x]) => T.abs(x), domain: awayFromZero },
  { name: 'pow 3', shapes: [[3, 4]], fn: ([x]) => T.pow(x, 3) },
  { name: 'pow 0.5', shapes: [[3, 4]], fn: ([x]) => T.pow(x, 0.5), domain: positive },
  { name: 'gelu', shapes: [[3, 4]], fn: ([x]) => T.gelu(x) },
  { name: 'erf', shapes: [[3, 4]], fn: ([x]) => T.erf(x) },
  { name: 'gelu erf', shapes: [[3, 4]], fn: ([x]) => T.geluErf(x) },
  { name: 'add broadcast row', shapes: [[3, 4], [4]], fn: ([a, b]) => T.add(a, b) },
  { name: 'sub broadcast 3d', shapes: [[2, 1, 3], [4, 1]], fn: ([a, b]) => T.sub(a, b) },
  { name: 'mul broadcast', shapes: [[2, 3, 4], [3, 1]], fn: ([a, b]) => T.mul(a, b) },
  { name: 'mul scalar number', shapes: [[5]], fn: ([a]) => T.mul(T.add(a, 2), 0.7) },
  { name: 'div broadcast', shapes: [[3, 4], [1, 4]], fn: ([a, b]) => T.div(a, b), domain: positive },
  { name: 'div number by tensor', shapes: [[4]], fn: ([a]) => T.div(3, a), domain: positive },
  { name: 'sum all', shapes: [[3, 4]], fn: ([x]) => T.sum(T.mul(x, x)) },
  { name: 'sum axes [0,2] keep', shapes: [[2, 3, 4]], fn: ([x]) => T.sum(T.mul(x, x), [0, 2], true) },
  { name: 'sum axis 1', shapes: [[2, 3, 4]], fn: ([x]) => T.sum(T.exp(x), 1) },
  { name: 'mean axis -1', shapes: [[3, 5]], fn: ([x]) => T.mean(T.tanh(x), -1) },
  { name: 'max axis 1', shapes: [[3, 5]], fn: ([x]) => T.max(T.mul(x, x), 1) },
  { name: 'reshape', shapes: [[2, 6]], fn: ([x]) => T.reshape(T.exp(x), [3, -1]) },
  { name: 'permute', shapes: [[2, 3, 4]], fn: ([x]) => T.permute(T.tanh(x), [2, 0, 1]) },
  { name: 'transpose', shapes: [[3, 5]], fn: ([x]) => T.mul(T.transpose(x), T.transpose(x)) },
  { name: 'broadcastTo', shapes: [[3, 1]], fn: ([x]) => T.mul(T.broadcastTo(x, [2, 3, 4]), T.broadcastTo(x, [2, 3, 4])) },
  { name: 'sumTo', shapes: [[2, 3, 4]], fn: ([x]) => T.sumTo(T.mul(x, x), [3, 1]) },
  { name: 'take (embedding, repeated ids)', shapes: [[5, 3]], fn: ([w]) => T.exp(T.take(w, idx(3, 4, 5, 3, 4, 5, 0, 1, 2), [3, 3])) },
  { name: 'scatterAdd', shapes: [[4]], fn: ([x]) => T.tanh(T.scatterAdd(x, idx(0, 2, 0, 5), [6])) },
  { name: 'mm', shapes: [[3, 4], [4, 5]], fn: ([a, b]) => T.tanh(T.mm(a, b)) },
  { name: 'mm Aᵀ', shapes: [[4, 3], [4, 5]], fn: ([a, b]) => T.tanh(T.mm(a, b, true, false)) },
  { name: 'mm Bᵀ', shapes: [[3, 4], [5, 4]], fn: ([a, b]) => T.tanh(T.mm(a, b, false, true)) },
  { name: 'mm AᵀBᵀ', shapes: [[4, 3], [5, 4]], fn: ([a, b]) => T.tanh(T.mm(a, b, true, true)) },
  { name: 'mm batched', shapes: [[2, 3, 4], [2, 4, 2]], fn: ([a, b]) => T.tanh(T.mm(a, b)) },
  { name: 'matmul [..,M,K]@[K,N]', shapes: [[2, 3, 4], [4, 5]], fn: ([a, b]) => T.tanh(T.matmul(a, b)) },
  { name: 'matmul [M,K]@[..,K,N]', shapes: [[3, 4], [2, 4, 5]], fn: ([a, b]) => T.tanh(T.matmul(a, b)) },
  { name: 'conv2d stride 1 pad 1 + bias', shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]], fn: ([x, w, b]) => T.tanh(T.conv2d(x, w, b, 1, 1)) },
  { name: 'conv2d stride 2 no pad', shapes: [[1, 2, 7, 6], [2, 2, 3, 2]], fn: ([x, w]) => T.tanh(T.conv2d(x, w, null, 2, 0)) },
  { name: 'conv2d stride [2,1] pad [0,2]', shapes: [[2, 1, 5, 4], [2, 1, 2, 3]], fn: ([x, w]) => T.tanh(T.conv2d(x, w, null, [2, 1], [0, 2])) },
  { name: 'maxPool2d 2x2', shapes: [[2, 2, 4, 4]], fn: ([x]) => T.tanh(T.maxPool2d(x, 2)) },
  { name: 'maxPool2d k3 s2 pad1', shapes: [[1, 2, 5, 5]], fn: ([x]) => T.tanh(T.maxPool2d(x, 3, 2, 1)) },
  { name: 'avgPool2d 2x2', shapes: [[2, 2, 4, 4]], fn: ([x]) => T.tanh(T.avgPool2d(x, 2)) },
  { name: 'avgPool2d k3 s1 pad1', shapes: [[1, 2, 4, 4]], fn: ([x]) => T.tanh(T.avgPool2d(x, 3, 1, 1)) },
  { name: 'logSumExp', shapes: [[3, 5]], fn: ([x]) => T.logSumExp(T.mul(x, 3), -1) },
  { name: 'logSoftmax axis 0', shapes: [[4, 3]], fn: ([x]) => T.logSoftmax(x, 0) },
  { name: 'softmax', shapes: [[2, 3, 4]], fn: ([x]) => T.softmax(x, -1) },
  { name: 'layerNorm + affine', shapes: [[3, 6], [6], [6]], fn: ([x, g, b]) => T.layerNorm(x, g, b) },
];

function sample(shapes: number[][], rng: Rng, domain?: (v: number) => number): Tensor[] {
  return shapes.map((s) => {
    const t = randn(s, rng);
    return domain ? fromData(t.data.map(domain) as Float64Array, s) : t;
  });
}

const TOL = 1e-6;

for (const c of cases) {
  test(`${c.name}: grad, jvp and hvp agree with finite differences`, () => {
    for (const seed of [1, 2]) {
      const rng = new Rng(seed * 1000 + c.name.length);
      const xs = sample(c.shapes, rng, c.domain);
      const out = c.fn(xs);
      const w = randn(out.shape, rng);
      const v = xs.map((x) => randn(x.shape, rng));
      // Scalar objective with a nonzero Hessian even for linear ops.
      const f = (p: Tensor[]) => {
        const y = c.fn(p);
        return T.add(T.sum(T.mul(y, w)), T.mul(T.sum(T.mul(y, y)), 0.5));
      };
      const g = T.grad(f)(xs);
      const gFd = fdGrad((p) => f(p).item(), xs);
      assert.ok(relErr(g.map((t) => t.data), gFd) <= TOL, `grad seed ${seed}: ${relErr(g.map((t) => t.data), gFd)}`);

      const jv = T.jvp((p) => c.fn(p), xs, v).tangent;
      const jFd = fdJvp((p) => [c.fn(p)], xs, v);
      assert.ok(relErr([jv.data], jFd) <= TOL, `jvp seed ${seed}: ${relErr([jv.data], jFd)}`);

      const hv = T.hvp(f, xs, v);
      const hFd = fdJvp((p) => T.grad(f)(p), xs, v);
      assert.ok(relErr(hv.map((t) => t.data), hFd) <= TOL, `hvp seed ${seed}: ${relErr(hv.map((t) => t.data), hFd)}`);

      // Reverse-over-reverse: grad of <grad f, v>. Must match forward-over-reverse to rounding.
      const hvRR = T.grad((p) => T.grad(f)(p).reduce((s, gi, i) => T.add(s, T.sum(T.mul(gi, v[i]))), T.sum(T.mul(p[0], 0))))(xs);
      assert.ok(relErr(hvRR.map((t) => t.data), hv.map((t) => t.data)) <= 1e-12, `rev-over-rev seed ${seed}`);
    }
  });
}

test('grad of grad of a scalar function (third derivative via nesting)', () => {
  const x = fromData(new Float64Array([0.7]), []);
  const f = ([t]: Tensor[]) => T.mul(t, T.tanh(t)); // the case tfjs gets wrong (notes: 1.269 vs 0.732)
  const d2 = T.grad((p) => T.grad(f)(p)[0])([x])[0].item();
  const th = Math.tanh(0.7);
  const sech2 = 1 - th * th;
  assert.ok(Math.abs(d2 - (2 * sech2 - 2 * 0.7 * sech2 * th)) < 1e-14, `d2 = ${d2}`);
  const d3 = T.grad((p) => T.grad((q) => T.grad(f)(q)[0])(p)[0])([x])[0].item();
  const d3Fd = (T.grad((p) => T.grad(f)(p)[0])([fromData(new Float64Array([0.7 + 1e-5]), [])])[0].item()
    - T.grad((p) => T.grad(f)(p)[0])([fromData(new Float64Array([0.7 - 1e-5]), [])])[0].item()) / 2e-5;
  assert.ok(Math.abs(d3 - d3Fd) < 1e-6, `d3 ${d3} vs ${d3Fd}`);
});

test('grad of a jvp (reverse-over-forward) matches forward-over-reverse', () => {
  const rng = new Rng(7);
  const [a, b] = [randn([3, 4], rng), randn([4, 2], rng)];
  const v = [randn([3, 4], rng), randn([4, 2], rng)];
  const f = (p: Tensor[]) => T.sum(T.tanh(T.matmul(p[0], p[1])));
  const viaJvp = T.grad((p) => T.jvp(f, p, v).tangent)([a, b]);
  const viaHvp = T.hvp(f, [a, b], v);
  assert.ok(relErr(viaJvp.map((t) => t.data), viaHvp.map((t) => t.data)) < 1e-12);
});

test('float32 tensors run the same ops and stay float32', () => {
  const rng = new Rng(3);
  const x = randn([4, 3], rng, 1, 'float32');
  const w = randn([3, 2], rng, 1, 'float32');
  const g = T.grad((p) => T.sum(T.tanh(T.matmul(p[0], p[1]))))([x, w]);
  assert.equal(g[0].dtype, 'float32');
  const g64 = T.grad((p) => T.sum(T.tanh(T.matmul(p[0], p[1]))))([
    fromData(Float64Array.from(x.data), x.shape), fromData(Float64Array.from(w.data), w.shape)]);
  assert.ok(relErr([g[1].data], [g64[1].data]) < 1e-5);
});

test('relu and max-pool follow PyTorch at non-differentiable points', () => {
  const x = fromData(new Float64Array([-1, 0, 2]), [3]);
  assert.deepEqual(T.grad((p) => T.sum(T.relu(p[0])))([x])[0].toArray(), [0, 0, 1]);
  // Ties in a pooling window: the first maximum (row-major) gets the whole gradient.
  const img = fromData(new Float64Array([1, 3, 3, 0]), [1, 1, 2, 2]);
  assert.deepEqual(T.grad((p) => T.sum(T.maxPool2d(p[0], 2)))([img])[0].toArray(), [0, 1, 0, 0]);
  const row = fromData(new Float64Array([2, 5, 5]), [1, 3]);
  assert.deepEqual(T.grad((p) => T.sum(T.max(p[0], 1)))([row])[0].toArray(), [0, 1, 0]);
});

test('sqrt at 0 has derivative 0 (an Adam second moment that never saw a gradient), elsewhere 0.5/sqrt(x)', () => {
  const x = fromData(new Float64Array([0, 4]), [2]);
  assert.deepEqual(T.grad((p) => T.sum(T.sqrt(p[0])))([x])[0].toArray(), [0, 0.25]);
  const t = T.jvp((p) => T.sqrt(p[0]), [x], [fromData(new Float64Array([0, 1]), [2])]).tangent.toArray();
  assert.deepEqual(t, [0, 0.25]);
  // Second order stays finite too: d/dx of 0.5/sqrt(x) at 0 is taken as 0.
  const g2 = T.grad((p) => T.sum(T.grad((q) => T.sum(T.sqrt(q[0])))(p)[0]))([x])[0].toArray();
  assert.ok(g2.every(Number.isFinite), `second derivative ${g2}`);
  assert.ok(Math.abs(g2[1] - (-0.25 / 4 / 2)) < 1e-15, `${g2[1]}`);
});

test('bad input throws errors that name the op and the shapes', () => {
  const a = randn([2, 3], new Rng(1));
  const b = randn([4], new Rng(2));
  assert.throws(() => T.add(a, b), /^ShapeError: add: shapes \[2, 3\] and \[4\] cannot be broadcast together$/);
  assert.throws(() => T.matmul(a, randn([2, 2], new Rng(1))), /matmul: inner dimensions differ: \[2, 3\] @ \[2, 2\] \(3 vs 2\)/);
  assert.throws(() => T.mul(a, randn([2, 3], new Rng(1), 1, 'float32')), /mul: dtype mismatch, float64 \[2, 3\] vs float32 \[2, 3\]/);
  assert.throws(() => T.grad((p) => T.mul(p[0], 2))([a]), /grad: the function must return a scalar, got shape \[2, 3\]/);
  assert.throws(() => T.reshape(a, [4, 2]), /reshape: cannot reshape \[2, 3\] \(size 6\) to \[4, 2\]/);
  assert.throws(() => T.conv2d(randn([1, 2, 5, 5], new Rng(1)), randn([3, 1, 3, 3], new Rng(1))), /conv2d: input \[1, 2, 5, 5\] does not match weight \[3, 1, 3, 3\]/);
  assert.throws(() => T.jvp((p) => p[0], [a], [b]), /jvp: tangent 0 has shape \[4\], primal has \[2, 3\]/);
  assert.throws(() => T.sum(a, 2), /sum: axis 2 out of range for rank 2/);
});

test('backward treats a vector output with a seed as a vector-Jacobian product', () => {
  const rng = new Rng(11);
  const x = randn([3], rng);
  const { out, pullback } = T.vjp((p) => T.mul(p[0], p[0]), [x]);
  const seed = randn(out.shape, rng);
  const [g] = pullback(seed);
  g.data.forEach((gv, i) => assert.ok(Math.abs(gv - 2 * x.data[i] * seed.data[i]) < 1e-15));
});
