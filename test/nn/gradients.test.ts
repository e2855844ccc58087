import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { bceWithLogits, createModel, crossEntropy, margin, mse, correctClassProbability, type ModelConfig } from '../../src/nn/index.js';
import { Rng, randn, type Tensor } from '../../src/tensor/index.js';
import { fdGrad, fdJvp, relErr } from '../helpers/fd.js';

// Gradients and HVPs of each model's CE loss against float64 central finite differences.

const TOL = 1e-6;

interface Case {
  name: string;
  config: ModelConfig;
  batch: number;
}

const cases: Case[] = [
  { name: 'mlp tanh', config: { kind: 'mlp', inputDim: 4, hidden: [5, 3], numClasses: 3, activation: 'tanh' }, batch: 4 },
  { name: 'mlp gelu', config: { kind: 'mlp', inputDim: 3, hidden: [4], numClasses: 3, activation: 'gelu' }, batch: 3 },
  { name: 'cnn max pool (tanh)', config: { kind: 'cnn', inputShape: [1, 6, 6], channels: [2, 2], pool: 'max', hidden: [3], numClasses: 3, activation: 'tanh' }, batch: 2 },
  { name: 'cnn avg pool (softplus)', config: { kind: 'cnn', inputShape: [2, 4, 4], channels: [2], pool: 'avg', numClasses: 2, activation: 'softplus' }, batch: 2 },
  { name: 'transformer', config: { kind: 'transformer', seqLen: 3, tokenDim: 2, dModel: 4, heads: 2, mlpRatio: 2, numClasses: 3 }, batch: 3 },
];

function setup(c: Case, seed: number) {
  const model = createModel(c.config);
  const rng = new Rng(seed);
  const params = model.init(rng).map((p) => T.mul(p, 1.5));
  const x = randn([c.batch, ...model.inputShape], rng);
  const labels = Int32Array.from({ length: c.batch }, (_, i) => i % model.numClasses);
  const loss = (ps: Tensor[]) => crossEntropy(model.forward(ps, x), labels);
  return { model, params, loss, rng };
}

for (const [i, c] of cases.entries()) {
  test(`${c.name}: CE gradient and HVP match central finite differences`, (t) => {
    const { model, params, loss, rng } = setup(c, 100 + i);
    const g = T.grad(loss)(params);
    const fd = fdGrad((ps) => loss(ps).item(), params);
    const ge = relErr(g.map((t) => t.data), fd);
    assert.ok(ge <= TOL, `${c.name}: gradient relErr ${ge}`);

    const v = model.params.map((s) => randn(s.shape, rng));
    const h = T.hvp(loss, params, v);
    const fdh = fdJvp((ps) => T.grad(loss)(ps), params, v);
    const he = relErr(h.map((t) => t.data), fdh);
    assert.ok(he <= TOL, `${c.name}: HVP relErr ${he}`);
    t.diagnostic(`${paramCountOf(params)} params: gradient relErr ${ge.toExponential(1)}, HVP relErr ${he.toExponential(1)}`);
  });
}

const paramCountOf = (ps: Tensor[]) => ps.reduce((n, p) => n + p.size, 0);

test('loss functions and behaviours: gradients and HVPs vs finite differences', () => {
  const rng = new Rng(5);
  const z = randn([4, 3], rng, 2);
  const labels = new Int32Array([0, 2, 1, 2]);
  const target = randn([4, 3], rng);
  const prob = randUnit([4, 3], rng);
  const w = new Float64Array([0.5, 2, 1, 0]);
  const u = randn([4], rng);
  const fns: [string, (x: Tensor) => Tensor][] = [
    ['crossEntropy weighted sum', (x) => crossEntropy(x, labels, 'sum', w)],
    ['crossEntropy none', (x) => T.sum(T.mul(crossEntropy(x, labels, 'none'), u))],
    ['mse', (x) => mse(T.tanh(x), target)],
    ['bceWithLogits', (x) => bceWithLogits(x, prob, 'sum')],
    ['margin', (x) => T.sum(T.mul(margin(T.tanh(x), labels), u))],
    ['correctClassProbability', (x) => T.sum(T.mul(correctClassProbability(x, labels), u))],
  ];
  for (const [name, f] of fns) {
    const loss = ([x]: Tensor[]) => f(x);
    const ge = relErr(T.grad(loss)([z]).map((t) => t.data), fdGrad((ps) => loss(ps).item(), [z]));
    assert.ok(ge <= TOL, `${name}: gradient relErr ${ge}`);
    const v = [randn([4, 3], rng)];
    const he = relErr(T.hvp(loss, [z], v).map((t) => t.data), fdJvp((ps) => T.grad(loss)(ps), [z], v), 1e-8);
    assert.ok(he <= TOL, `${name}: HVP relErr ${he}`);
  }
});

function randUnit(shape: number[], rng: Rng): Tensor {
  return T.sigmoid(randn(shape, rng));
}
