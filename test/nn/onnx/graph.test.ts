import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as T from '../../../src/autodiff/index.js';
import { attribute } from '../../../src/attribution/index.js';
import { writeDatasetFile, buildRecipe } from '../../../src/data/index.js';
import { createModel, crossEntropy } from '../../../src/nn/index.js';
import { checkReplay, loadManifest, openRun, train, trainingStep } from '../../../src/pipeline/index.js';
import { randn, Rng } from '../../../src/tensor/index.js';
import { relErr } from '../../helpers/fd.js';
import { scratch, writeJson } from '../../pipeline/helpers.js';
import { onnxBytes } from './build.js';

// ONNX graphs built in the test (no torch needed): the walker against the built-in MLP, an
// unsupported op named with its node, and a pipeline on an ONNX model whose run directory is
// moved before it is opened.

const mlp = createModel({ kind: 'mlp', inputDim: 4, hidden: [5], numClasses: 3, activation: 'relu' });
const params = mlp.init(new Rng(3));
const mlpGraph = {
  nodes: [
    { op: 'Gemm', inputs: ['input', '0.weight', '0.bias'], outputs: ['h'], ints: { transB: 1 } },
    { op: 'Relu', inputs: ['h'], outputs: ['r'] },
    { op: 'Gemm', inputs: ['r', '2.weight', '2.bias'], outputs: ['logits'], ints: { transB: 1 } },
  ],
  initializers: Object.fromEntries(mlp.params.map((p, i) => [p.name, params[i]])),
  input: { name: 'input', dims: ['batch', 4] },
  output: { name: 'logits', dims: ['batch', 3] },
};

test('onnx: a Gemm/Relu graph is the built-in MLP (logits, gradient, HVP), with the file weights as init', () => {
  const dir = scratch();
  const file = join(dir, 'mlp.onnx');
  writeFileSync(file, onnxBytes(mlpGraph));
  const model = createModel({ kind: 'onnx', file });
  assert.deepEqual(model.params, mlp.params);
  assert.deepEqual(model.inputShape, [4]);
  assert.equal(model.numClasses, 3);
  const init = model.init(new Rng(0));
  init.forEach((t, i) => assert.deepEqual(Array.from(t.data), Array.from(params[i].data)));
  const rng = new Rng(5);
  const x = randn([6, 4], rng);
  const y = Int32Array.from([0, 1, 2, 0, 1, 2]);
  const v = mlp.params.map((p) => randn(p.shape, rng));
  const loss = (m: typeof mlp) => (ps: typeof params) => crossEntropy(m.forward(ps, x), y);
  const ours = T.gradAndHvp(loss(model), params, v);
  const ref = T.gradAndHvp(loss(mlp), params, v);
  assert.ok(relErr([model.forward(params, x).data], [mlp.forward(params, x).data]) < 1e-15);
  assert.ok(relErr(ours.grads.map((g) => g.data), ref.grads.map((g) => g.data)) < 1e-14);
  assert.ok(relErr(ours.hvp.map((g) => g.data), ref.hvp.map((g) => g.data)) < 1e-14);
});

test('onnx: an unsupported op is named with its node before anything runs', () => {
  const dir = scratch();
  const file = join(dir, 'bad.onnx');
  writeFileSync(file, onnxBytes({ ...mlpGraph, nodes: [...mlpGraph.nodes.slice(0, 2), { op: 'Hardmax', name: '/head/Hardmax', inputs: ['r'], outputs: ['logits'] }] }));
  assert.throws(() => createModel({ kind: 'onnx', file }), /bad\.onnx: unsupported ONNX op: node "\/head\/Hardmax" \(Hardmax\)\. Supported: .*Gemm/);
  assert.throws(() => createModel({ kind: 'onnx', file: join(dir, 'missing.onnx') }), /missing\.onnx: cannot read the ONNX file \(ENOENT\)/);
  assert.throws(() => createModel({ kind: 'onnx', file: join(dir, 'bad.onnx'), parameters: ['nope'] }), /unsupported ONNX op/);
});

test('onnx: a pipeline on an ONNX model with a data file and clipping survives moving its run directory', async () => {
  const base = scratch();
  const src = join(base, 'project');
  mkdirSync(src);
  writeFileSync(join(src, 'model.onnx'), onnxBytes(mlpGraph));
  writeDatasetFile(join(src, 'a.safetensors'), buildRecipe('blobs', { n: 24, dim: 4, numClasses: 3, seed: 1 }, 'a'));
  writeJson(join(src, 'pipeline.json'), {
    name: 'onnx-portable',
    model: { kind: 'onnx', file: 'model.onnx' },
    datasets: { a: { file: 'a.safetensors' }, test: { recipe: 'blobs', options: { n: 12, dim: 4, numClasses: 3, seed: 3 } } },
    evaluation: { data: 'test' },
    stages: [
      { name: 's1', data: 'a', steps: 4, batchSize: 8, optimizer: { kind: 'sgd', lr: 0.5, momentum: 0.9 }, clipGradNorm: 0.05 },
      { name: 's2', data: 'a', steps: 3, batchSize: 8, optimizer: { kind: 'sgd', lr: 0.05 } },
    ],
  });
  const out = join(src, 'run');
  const trained = train(loadManifest(join(src, 'pipeline.json')), { out });
  const moved = join(base, 'elsewhere', 'run');
  mkdirSync(join(base, 'elsewhere'));
  renameSync(out, moved);
  rmSync(src, { recursive: true });
  const run = openRun(moved);
  const s1 = run.pipeline.stages[0];
  assert.equal(s1.spec.clipGradNorm, 0.05);
  const first = trainingStep(run.pipeline.model, s1, run.boundary(0).params, s1.optimizer.init([]), 0);
  assert.ok(first.clipScale < 1, `the first step is clipped (scale ${first.clipScale})`);
  for (const b of checkReplay(run)) {
    assert.equal(b.maxAbsDiff, 0, `boundary ${b.boundary}: the replay of the moved run is bit-identical`);
    assert.equal(b.optimizerMaxAbsDiff, 0);
  }
  run.finalParams().forEach((p, i) => assert.deepEqual(Array.from(p.data), Array.from(trained.finalParams[i].data)));
  const report = attribute(run, { estimators: ['hessian-free', 'hessian-aware'] });
  for (const e of report.estimates) {
    e.effects.forEach((row, k) => assert.ok(Array.from(row).every(Number.isFinite), `${e.estimator}: stage ${k} effects ${Array.from(row).slice(0, 4)}`));
  }
});
