import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModel, ModelConfigError, validateModelConfig, type ModelConfig } from '../../src/nn/index.js';

const bad: [unknown, RegExp][] = [
  [null, /^case\.model: must be an object with a "kind" field, got null$/],
  [[1], /^case\.model: must be an object/],
  [{ kind: 'rnn' }, /^case\.model\.kind: must be one of logistic, mlp, cnn, transformer, onnx; got "rnn"$/],
  [{ inputDim: 3 }, /^case\.model\.kind: must be one of .* got undefined$/],
  [{ kind: 'logistic', inputDim: 3 }, /^case\.model\.numClasses: is required for a logistic model$/],
  [{ kind: 'logistic', inputDim: 3.5, numClasses: 2 }, /^case\.model\.inputDim: must be a positive integer, got 3\.5$/],
  [{ kind: 'logistic', inputDim: '3', numClasses: 2 }, /^case\.model\.inputDim: must be a positive integer, got "3"$/],
  [{ kind: 'mlp', inputDim: 3, hidden: [4, 0], numClasses: 2 }, /^case\.model\.hidden\[1\]: must be a positive integer, got 0$/],
  [{ kind: 'mlp', inputDim: 3, hidden: 4, numClasses: 2 }, /^case\.model\.hidden: must be an array of positive integers, got 4$/],
  [{ kind: 'mlp', inputDim: 3, hidden: [], numClasses: 2, activation: 'swish' }, /^case\.model\.activation: must be one of relu, tanh, gelu, gelu-tanh, sigmoid, softplus; got "swish"$/],
  [{ kind: 'mlp', inputDim: 3, hiden: [4], hidden: [], numClasses: 2 }, /^case\.model\.hiden: unexpected field for a mlp model \(allowed: kind, inputDim, hidden, numClasses, activation\)$/],
  [{ kind: 'cnn', inputShape: [28, 28], channels: [4], numClasses: 2 }, /^case\.model\.inputShape: must be \[channels, height, width\], got \[28,28\]$/],
  [{ kind: 'cnn', inputShape: [1, 28, 28], channels: [], numClasses: 2 }, /^case\.model\.channels: must not be empty$/],
  [{ kind: 'cnn', inputShape: [1, 28, 28], channels: [4], kernel: 4, numClasses: 2 }, /^case\.model\.kernel: must be odd/],
  [{ kind: 'cnn', inputShape: [1, 28, 28], channels: [4], pool: 'min', numClasses: 2 }, /^case\.model\.pool: must be one of max, avg; got "min"$/],
  [{ kind: 'cnn', inputShape: [1, 6, 6], channels: [2, 2, 2], numClasses: 2 }, /^case\.model\.channels: 3 conv\/pool stages are too many for a 6x6 input \(stage 2 pools it to 0x0\)$/],
  [{ kind: 'transformer', seqLen: 28, tokenDim: 28, dModel: 30, heads: 4, numClasses: 10 }, /^case\.model\.heads: must divide dModel \(30\), got 4$/],
  [{ kind: 'transformer', seqLen: 28, tokenDim: 28, dModel: 30, heads: 3, mlpRatio: 0.15, numClasses: 10 }, /^case\.model\.mlpRatio: times dModel \(30\) must be an integer MLP width, got 4\.5$/],
  [{ kind: 'transformer', seqLen: 28, tokenDim: 28, dModel: 32, heads: 4, mlpRatio: -1, numClasses: 10 }, /^case\.model\.mlpRatio: must be a positive number, got -1$/],
];

test('validateModelConfig names the offending field', () => {
  for (const [config, message] of bad) {
    assert.throws(() => validateModelConfig(config, 'case.model'), (e: unknown) => {
      assert.ok(e instanceof ModelConfigError, String(e));
      assert.match(e.message, message);
      return true;
    }, JSON.stringify(config));
  }
});

test('validateModelConfig returns a typed copy without adding defaults; createModel validates too', () => {
  const input = { kind: 'mlp', inputDim: 3, hidden: [4], numClasses: 2 };
  const out = validateModelConfig(input, 'm');
  assert.deepEqual(out, input);
  assert.notEqual(out, input);
  assert.throws(() => createModel({ kind: 'mlp', inputDim: 3, hidden: [-1], numClasses: 2 } as ModelConfig), /^ModelConfigError: model\.hidden\[0\]: must be a positive integer, got -1$/);
  const err = (() => {
    try {
      validateModelConfig({ kind: 'cnn', inputShape: [1, 2, 2], channels: [1, 1], numClasses: 2 }, 'stages[1].model');
    } catch (e) {
      return e as ModelConfigError;
    }
  })();
  assert.equal(err?.field, 'stages[1].model.channels');
});
