import assert from 'node:assert/strict';
import * as T from '../../src/autodiff/index.js';
import { bceWithLogits, correctClassProbability, createModel, crossEntropy, margin, mse, type ModelConfig } from '../../src/nn/index.js';
import { Rng, randn, type Tensor } from '../../src/tensor/index.js';
import { relErr } from '../helpers/fd.js';
import { oracleTest, runTorch, torchAvailable } from '../helpers/torchOracle.js';

// The same models in torch (test/oracle/nn.py, float64, our weights): logits, CE loss, gradient
// and an HVP must agree to 1e-10 relative, and torch's named_parameters() must list exactly our
// parameter names and shapes in our order.

const TOL = 1e-10;

interface Case {
  name: string;
  config: ModelConfig;
  batch: number;
  seed: number;
}

const cases: Case[] = [
  { name: 'logistic', config: { kind: 'logistic', inputDim: 6, numClasses: 3 }, batch: 5, seed: 1 },
  { name: 'mlp relu', config: { kind: 'mlp', inputDim: 6, hidden: [8, 7], numClasses: 4, activation: 'relu' }, batch: 5, seed: 2 },
  { name: 'mlp tanh', config: { kind: 'mlp', inputDim: 6, hidden: [8], numClasses: 4, activation: 'tanh' }, batch: 5, seed: 3 },
  { name: 'mlp gelu', config: { kind: 'mlp', inputDim: 5, hidden: [6], numClasses: 3, activation: 'gelu' }, batch: 4, seed: 4 },
  { name: 'mlp gelu-tanh', config: { kind: 'mlp', inputDim: 5, hidden: [6], numClasses: 3, activation: 'gelu-tanh' }, batch: 4, seed: 9 },
  { name: 'cnn max pool relu', config: { kind: 'cnn', inputShape: [2, 8, 7], channels: [3, 4], numClasses: 3, pool: 'max', hidden: [5] }, batch: 3, seed: 5 },
  { name: 'cnn avg pool tanh', config: { kind: 'cnn', inputShape: [1, 6, 6], channels: [3], numClasses: 4, pool: 'avg', activation: 'tanh' }, batch: 3, seed: 6 },
  { name: 'cnn kernel 5', config: { kind: 'cnn', inputShape: [1, 5, 5], channels: [2], kernel: 5, numClasses: 2, activation: 'sigmoid' }, batch: 2, seed: 7 },
  { name: 'transformer', config: { kind: 'transformer', seqLen: 4, tokenDim: 3, dModel: 8, heads: 2, mlpRatio: 2, numClasses: 3 }, batch: 3, seed: 8 },
];

interface Prepared {
  c: Case;
  params: Tensor[];
  x: Tensor;
  labels: Int32Array;
  v: Tensor[];
}

function prepare(c: Case): Prepared {
  const model = createModel(c.config);
  const rng = new Rng(c.seed);
  // Scaled-up weights so the nonlinearities are exercised beyond their linear range.
  const params = model.init(rng).map((p) => T.mul(p, 2));
  const x = randn([c.batch, ...model.inputShape], rng);
  const labels = Int32Array.from({ length: c.batch }, (_, i) => (i * 7 + c.seed) % model.numClasses);
  const v = model.params.map((s) => randn(s.shape, rng));
  return { c, params, x, labels, v };
}

interface TorchResult {
  names: string[];
  shapes: number[][];
  logits: number[][];
  loss: number;
  grad: number[][];
  hvp: number[][];
}

let results: Map<string, TorchResult> | undefined;
const prepared = cases.map(prepare);

/** One python run for every case: importing torch dominates the cost. */
function torchResults(): Map<string, TorchResult> {
  if (results) return results;
  const input = {
    cases: prepared.map(({ c, params, x, labels, v }) => ({
      config: createModel(c.config).config,
      params: params.map((p) => p.data),
      x: x.data,
      xShape: x.shape,
      labels: Array.from(labels),
      v: v.map((t) => t.data),
    })),
  };
  const out = runTorch('nn.py', input) as TorchResult[];
  results = new Map(prepared.map((p, i) => [p.c.name, out[i]]));
  return results;
}

const maxErrors: string[] = [];

for (const p of prepared) {
  oracleTest(`torch oracle: ${p.c.name} (names, logits, CE loss, gradient, HVP)`, () => {
    const model = createModel(p.c.config);
    const r = torchResults().get(p.c.name)!;
    assert.deepEqual(r.names, model.params.map((s) => s.name));
    assert.deepEqual(r.shapes, model.params.map((s) => s.shape));

    const f = (ps: Tensor[]) => crossEntropy(model.forward(ps, p.x), p.labels);
    const logits = model.forward(p.params, p.x);
    const { grads, hvp } = T.gradAndHvp(f, p.params, p.v);
    const errs = {
      logits: relErr([logits.data], [r.logits.flat()]),
      loss: Math.abs(f(p.params).item() - r.loss) / Math.abs(r.loss),
      grad: relErr(grads.map((g) => g.data), r.grad),
      hvp: relErr(hvp.map((h) => h.data), r.hvp),
    };
    maxErrors.push(`${p.c.name}: ${Object.entries(errs).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`);
    for (const [k, e] of Object.entries(errs)) assert.ok(e <= TOL, `${p.c.name}: ${k} relative error ${e} > ${TOL}`);
  });
}

oracleTest('torch oracle: report', (t) => {
  if (torchAvailable().ok) t.diagnostic(`relative errors vs torch:\n${maxErrors.join('\n')}`);
});

oracleTest('torch oracle: losses and behaviours (test/oracle/nn_losses.py)', (t) => {
  const rng = new Rng(42);
  const z = randn([6, 4], rng, 3);
  const labels = new Int32Array([0, 3, 1, 2, 2, 0]);
  const weights = new Float64Array([0.5, 1, 2, 0, 1.5, 1]);
  const pred = randn([3, 5], rng, 4);
  const target = randn([3, 5], rng);
  const prob = T.sigmoid(randn([3, 5], rng));
  const rows = (x: Tensor) => Array.from({ length: x.shape[0] }, (_, i) => Array.from(x.data.subarray(i * x.shape[1], (i + 1) * x.shape[1])));
  const r = runTorch('nn_losses.py', { logits: rows(z), labels: Array.from(labels), weights, pred: rows(pred), target: rows(target), prob: rows(prob) }) as Record<string, number[]>;
  const ours: Record<string, Tensor> = {
    ceMean: crossEntropy(z, labels),
    ceSum: crossEntropy(z, labels, 'sum'),
    ceNone: crossEntropy(z, labels, 'none'),
    ceWeightedMean: crossEntropy(z, labels, 'mean', weights),
    mse: mse(pred, target),
    mseNone: mse(pred, target, 'none'),
    bce: bceWithLogits(pred, prob),
    bceSum: bceWithLogits(pred, prob, 'sum'),
    margin: margin(z, labels),
    prob: correctClassProbability(z, labels),
  };
  const errs: string[] = [];
  for (const [k, v] of Object.entries(ours)) {
    const e = relErr([v.data], [r[k]]);
    errs.push(`${k} ${e.toExponential(1)}`);
    assert.ok(e <= TOL, `${k}: relative error ${e}`);
  }
  t.diagnostic(errs.join(', '));
});
