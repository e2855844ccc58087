import { validateModelConfig, type ModelConfig } from './config.js';
import { createCnn } from './cnn.js';
import { createLogistic, createMlp } from './mlp.js';
import type { Model } from './model.js';
import { createOnnxModel, type OnnxModelOptions } from './onnx/model.js';
import { createTransformer } from './transformer.js';

/**
 * Builds a model from a config (validated first, so a hand-written object gets the same errors).
 * `opts.baseDir` resolves a relative ONNX file (the manifest's or run directory's folder).
 */
export function createModel(config: ModelConfig, opts: OnnxModelOptions = {}): Model {
  const c = validateModelConfig(config, 'model');
  switch (c.kind) {
    case 'logistic':
      return createLogistic(c);
    case 'mlp':
      return createMlp(c);
    case 'cnn':
      return createCnn(c);
    case 'transformer':
      return createTransformer(c);
    case 'onnx':
      return createOnnxModel(c, opts);
  }
}

/**
 * What makes two configs the same model, as JSON: every default filled in (as createModel(config)
 * .config), without reading any file. An ONNX model's file path says where the graph is, not what
 * it is (a run directory copies it in and may be moved), so it is left out.
 */
export function modelIdentity(config: ModelConfig): string {
  const c = validateModelConfig(config, 'model');
  if (c.kind !== 'onnx') return JSON.stringify(createModel(c).config);
  const { file: _file, ...rest } = c;
  return JSON.stringify(rest);
}
