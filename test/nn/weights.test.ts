import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type StTensor } from '../../src/io/index.js';
import {
  MODEL_CONFIG_KEY,
  WeightsError,
  configFromSafetensors,
  createModel,
  loadParams,
  paramsFromSafetensors,
  paramsToSafetensors,
  saveParams,
} from '../../src/nn/index.js';
import { Rng } from '../../src/tensor/index.js';

// Parameters 0.* (conv), 4.* (hidden Linear after Flatten at 3) and 6.* (head).
const model = createModel({ kind: 'cnn', inputShape: [1, 8, 8], channels: [2], hidden: [3], numClasses: 2 });
const params = model.init(new Rng(1));

test('paramsToSafetensors / paramsFromSafetensors round-trip bit-exactly, with the config in the metadata', () => {
  const file = paramsToSafetensors(model, params, { note: 'x' });
  assert.deepEqual(Object.keys(file.tensors), model.params.map((p) => p.name));
  assert.equal(file.tensors['0.weight'].dtype, 'F64');
  assert.deepEqual(file.tensors['0.weight'].shape, [2, 1, 3, 3]);
  assert.equal(file.metadata.note, 'x');
  assert.deepEqual(JSON.parse(file.metadata[MODEL_CONFIG_KEY]), model.config);
  // Through the byte format too.
  const back = paramsFromSafetensors(model, decodeSafetensors(encodeSafetensors(file.tensors, file.metadata)));
  back.forEach((t, i) => {
    assert.equal(t.dtype, 'float64');
    assert.deepEqual(t.shape, params[i].shape);
    assert.deepEqual(t.data, params[i].data);
  });
  assert.deepEqual(configFromSafetensors(file), model.config);
  // A bare tensor record works as well.
  assert.deepEqual(paramsFromSafetensors(model, file.tensors)[0].data, params[0].data);
});

test('F32 files convert to the requested dtype, and float32 params export as F32', () => {
  const p32 = model.init(new Rng(2), 'float32');
  const file = paramsToSafetensors(model, p32);
  assert.equal(file.tensors['4.weight'].dtype, 'F32');
  const as64 = paramsFromSafetensors(model, file, 'float64');
  assert.equal(as64[0].dtype, 'float64');
  as64.forEach((t, i) => assert.deepEqual(Array.from(t.data), Array.from(p32[i].data)));
  const as32 = paramsFromSafetensors(model, paramsToSafetensors(model, params), 'float32');
  assert.equal(as32[2].dtype, 'float32');
  assert.equal(as32[2].data[0], Math.fround(params[2].data[0]));
});

test('saveParams / loadParams through a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-nn-'));
  try {
    const path = join(dir, 'w.safetensors');
    saveParams(path, model, params);
    const back = loadParams(path, model);
    back.forEach((t, i) => assert.deepEqual(t.data, params[i].data));
    const other = createModel({ kind: 'mlp', inputDim: 64, hidden: [3], numClasses: 2 });
    assert.throws(() => loadParams(path, other), (e: unknown) => e instanceof WeightsError && e.message.startsWith(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wrong weight files: every missing, unexpected, mis-shaped and non-float tensor is listed', () => {
  const { tensors } = paramsToSafetensors(model, params);
  const broken: Record<string, StTensor> = { ...tensors };
  delete broken['0.bias'];
  delete broken['6.bias'];
  broken['extra.weight'] = { dtype: 'F64', shape: [1], data: new Float64Array(1) };
  broken['4.weight'] = { dtype: 'F64', shape: [3, 31], data: new Float64Array(93) };
  broken['6.weight'] = { dtype: 'I32', shape: [2, 3], data: new Int32Array(6) };
  assert.throws(() => paramsFromSafetensors(model, broken, 'float64', 'ckpt.safetensors'), (e: unknown) => {
    assert.ok(e instanceof WeightsError);
    assert.deepEqual(e.problems, [
      'missing tensors for cnn model: 0.bias, 6.bias',
      'unexpected tensors (not parameters of the cnn model): extra.weight',
      'tensor 4.weight: shape [3, 31], expected [3, 32]',
      'tensor 6.weight: dtype I32 is not a float type (F64, F32, F16, BF16)',
    ]);
    assert.match(e.message, /^ckpt\.safetensors: 4 problems:\n {2}missing tensors/);
    return true;
  });
});

test('a file written for a different model with the same shapes is refused', () => {
  const relu = createModel({ kind: 'mlp', inputDim: 4, hidden: [3], numClasses: 2 });
  const tanh = createModel({ kind: 'mlp', inputDim: 4, hidden: [3], numClasses: 2, activation: 'tanh' });
  const file = paramsToSafetensors(relu, relu.init(new Rng(0)));
  assert.throws(() => paramsFromSafetensors(tanh, file), /written for model \{"kind":"mlp",.*"activation":"relu"\}, loading into .*"activation":"tanh"/);
  // Without the metadata only names and shapes can be checked.
  assert.equal(paramsFromSafetensors(tanh, file.tensors).length, 4);
  assert.throws(() => configFromSafetensors({ tensors: {}, metadata: { [MODEL_CONFIG_KEY]: '{"kind":"mlp"' } }), /is not valid JSON/);
  assert.throws(() => configFromSafetensors({ tensors: {}, metadata: { [MODEL_CONFIG_KEY]: '{"kind":"mlp"}' } }, 'f.st'), /f\.st metadata stagecredit\.model\.inputDim: is required/);
});

test('paramsToSafetensors checks the parameter list', () => {
  assert.throws(() => paramsToSafetensors(model, params.slice(0, 3)), /cnn\.paramsToSafetensors: expected 6 parameter tensors/);
});
