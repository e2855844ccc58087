import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModel, paramCount, type Model, type ModelConfig } from '../../src/nn/index.js';
import { Rng, randn, Tensor } from '../../src/tensor/index.js';

const specs = (m: Model) => m.params.map((p) => `${p.name} ${JSON.stringify(p.shape)}`);

test('logistic: one Linear at index 0', () => {
  const m = createModel({ kind: 'logistic', inputDim: 784, numClasses: 10 });
  assert.deepEqual(specs(m), ['0.weight [10,784]', '0.bias [10]']);
  assert.deepEqual(m.inputShape, [784]);
  assert.equal(m.numClasses, 10);
  assert.equal(paramCount(m), 7850);
});

test('mlp: Linear/activation pairs, head at 2 * hidden.length, defaults filled in config', () => {
  const m = createModel({ kind: 'mlp', inputDim: 20, hidden: [16, 8], numClasses: 3 });
  assert.deepEqual(specs(m), ['0.weight [16,20]', '0.bias [16]', '2.weight [8,16]', '2.bias [8]', '4.weight [3,8]', '4.bias [3]']);
  assert.deepEqual(m.config, { kind: 'mlp', inputDim: 20, hidden: [16, 8], numClasses: 3, activation: 'relu' });
  const out = m.forward(m.init(new Rng(0)), randn([5, 20], new Rng(1)));
  assert.deepEqual(out.shape, [5, 3]);
});

test('cnn: conv at 3i, Flatten at 3n, hidden linears and head after it', () => {
  const m = createModel({ kind: 'cnn', inputShape: [1, 28, 28], channels: [8, 16], hidden: [32], numClasses: 10 });
  assert.deepEqual(specs(m), [
    '0.weight [8,1,3,3]', '0.bias [8]',
    '3.weight [16,8,3,3]', '3.bias [16]',
    '7.weight [32,784]', '7.bias [32]', // 16 * 7 * 7 after two pools
    '9.weight [10,32]', '9.bias [10]',
  ]);
  assert.deepEqual(m.config, { kind: 'cnn', inputShape: [1, 28, 28], channels: [8, 16], kernel: 3, pool: 'max', hidden: [32], numClasses: 10, activation: 'relu' });
  assert.deepEqual(m.inputShape, [1, 28, 28]);
  // Odd sizes are floored by each pool, as torch's MaxPool2d(2).
  const odd = createModel({ kind: 'cnn', inputShape: [3, 7, 9], channels: [4, 2], kernel: 5, pool: 'avg', numClasses: 2 });
  assert.deepEqual(specs(odd), ['0.weight [4,3,5,5]', '0.bias [4]', '3.weight [2,4,5,5]', '3.bias [2]', '7.weight [2,4]', '7.bias [2]']);
  assert.deepEqual(odd.forward(odd.init(new Rng(0)), randn([2, 3, 7, 9], new Rng(1))).shape, [2, 2]);
});

test('transformer: documented parameter names, shapes and order', () => {
  const m = createModel({ kind: 'transformer', seqLen: 28, tokenDim: 28, dModel: 16, heads: 4, numClasses: 10 });
  assert.deepEqual(specs(m), [
    'pos [28,16]',
    'embed.weight [16,28]', 'embed.bias [16]',
    'block.ln1.weight [16]', 'block.ln1.bias [16]',
    'block.attn.q.weight [16,16]', 'block.attn.q.bias [16]',
    'block.attn.k.weight [16,16]', 'block.attn.k.bias [16]',
    'block.attn.v.weight [16,16]', 'block.attn.v.bias [16]',
    'block.attn.o.weight [16,16]', 'block.attn.o.bias [16]',
    'block.ln2.weight [16]', 'block.ln2.bias [16]',
    'block.mlp.fc1.weight [64,16]', 'block.mlp.fc1.bias [64]',
    'block.mlp.fc2.weight [16,64]', 'block.mlp.fc2.bias [16]',
    'ln.weight [16]', 'ln.bias [16]',
    'head.weight [10,16]', 'head.bias [10]',
  ]);
  assert.equal(m.config.kind === 'transformer' && m.config.mlpRatio, 4);
  assert.deepEqual(m.inputShape, [784]);
});

const configs: ModelConfig[] = [
  { kind: 'logistic', inputDim: 12, numClasses: 3 },
  { kind: 'mlp', inputDim: 12, hidden: [5], numClasses: 3, activation: 'gelu' },
  { kind: 'cnn', inputShape: [1, 4, 3], channels: [2], numClasses: 3, activation: 'softplus' },
  { kind: 'transformer', seqLen: 4, tokenDim: 3, dModel: 4, heads: 2, mlpRatio: 1.5, numClasses: 3 },
];

test('every model accepts [B, ...inputShape] and the flattened [B, size], in float64 and float32', () => {
  for (const config of configs) {
    const m = createModel(config);
    const params = m.init(new Rng(3));
    const x = randn([2, 12], new Rng(4));
    const flat = m.forward(params, x);
    const shaped = m.forward(params, x.reshape([2, ...m.inputShape]));
    assert.deepEqual(flat.shape, [2, 3], m.kind);
    assert.deepEqual(flat.data, shaped.data, m.kind);
    const p32 = m.init(new Rng(3), 'float32');
    const y32 = m.forward(p32, randn([2, 12], new Rng(4), 1, 'float32'));
    assert.equal(y32.dtype, 'float32');
    for (let i = 0; i < y32.size; i++) assert.ok(Math.abs(y32.data[i] - flat.data[i]) < 1e-4, `${m.kind} float32 close to float64`);
  }
});

test('forward rejects wrong inputs and parameter lists with named errors', () => {
  const m = createModel({ kind: 'mlp', inputDim: 6, hidden: [4], numClasses: 2 });
  const p = m.init(new Rng(0));
  assert.throws(() => m.forward(p, randn([3, 7], new Rng(0))), /mlp\.forward: input \[3, 7\] is not a batch of examples of shape \[6\]/);
  assert.throws(() => m.forward(p, randn([6], new Rng(0))), /expected \[B, 6\]/);
  assert.throws(() => m.forward(p.slice(1), randn([3, 6], new Rng(0))), /expected 4 parameter tensors \(0\.weight, 0\.bias, 2\.weight, 2\.bias\), got 3/);
  const swapped = [p[0], p[2], p[1], p[3]];
  assert.throws(() => m.forward(swapped, randn([3, 6], new Rng(0))), /parameter 1 \(0\.bias\) has shape \[2, 4\], expected \[4\]/);
});

test('init: PyTorch default distributions (±1/sqrt(fan_in) uniform, LayerNorm ones/zeros)', () => {
  const check = (t: Tensor, bound: number, what: string) => {
    let sum = 0;
    let sq = 0;
    let maxAbs = 0;
    for (const v of t.data) {
      sum += v;
      sq += v * v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    const n = t.size;
    assert.ok(maxAbs <= bound, `${what}: max |w| ${maxAbs} > ${bound}`);
    assert.ok(maxAbs > 0.95 * bound, `${what}: max |w| ${maxAbs} far below ${bound}`);
    assert.ok(Math.abs(sum / n) < 4 * bound / Math.sqrt(3 * n), `${what}: mean ${sum / n}`);
    const variance = sq / n;
    assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.1, `${what}: variance ${variance} vs ${bound * bound / 3}`);
  };
  const mlp = createModel({ kind: 'mlp', inputDim: 400, hidden: [100], numClasses: 10 });
  const [w0, b0, w1] = mlp.init(new Rng(7));
  check(w0, 1 / Math.sqrt(400), '0.weight');
  check(w1, 1 / Math.sqrt(100), '2.weight');
  assert.ok(b0.data.every((v) => Math.abs(v) <= 1 / Math.sqrt(400)));

  const cnn = createModel({ kind: 'cnn', inputShape: [3, 8, 8], channels: [64], numClasses: 2 });
  check(cnn.init(new Rng(8))[0], 1 / Math.sqrt(3 * 3 * 3), 'conv weight (fan_in = Ci*KH*KW)');

  const tr = createModel({ kind: 'transformer', seqLen: 8, tokenDim: 4, dModel: 32, heads: 4, numClasses: 3 });
  const tp = tr.init(new Rng(9));
  const byName = new Map(tr.params.map((s, i) => [s.name, tp[i]]));
  assert.ok(byName.get('block.ln1.weight')!.data.every((v) => v === 1));
  assert.ok(byName.get('ln.bias')!.data.every((v) => v === 0));
  check(byName.get('block.mlp.fc2.weight')!, 1 / Math.sqrt(128), 'fc2.weight');
  const pos = byName.get('pos')!.data;
  const posStd = Math.sqrt(Array.from(pos).reduce((a, v) => a + v * v, 0) / pos.length);
  assert.ok(Math.abs(posStd - 0.02) < 0.004, `pos std ${posStd}`);
});

test('init is deterministic by seed and differs across seeds', () => {
  for (const config of configs) {
    const m = createModel(config);
    const a = m.init(new Rng(11));
    const b = m.init(new Rng(11));
    const c = m.init(new Rng(12));
    a.forEach((t, i) => assert.deepEqual(t.data, b[i].data, `${m.kind} ${m.params[i].name}`));
    assert.ok(a.some((t, i) => t.data.some((v, j) => v !== c[i].data[j])), `${m.kind}: seeds 11 and 12 give the same init`);
    a.forEach((t, i) => assert.deepEqual(t.shape, m.params[i].shape));
  }
});

test('createModel round-trips through its own config', () => {
  for (const config of configs) {
    const m = createModel(config);
    const again = createModel(JSON.parse(JSON.stringify(m.config)) as ModelConfig);
    assert.deepEqual(again.config, m.config);
    assert.deepEqual(again.params, m.params);
  }
});
