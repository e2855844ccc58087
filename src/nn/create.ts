import { validateModelConfig, type ModelConfig } from './config.js';
import { createCnn } from './cnn.js';
import { createLogistic, createMlp } from './mlp.js';
import type { Model } from './model.js';
import { createTransformer } from './transformer.js';

/** Builds a model from a config (validated first, so a hand-written object gets the same errors). */
export function createModel(config: ModelConfig): Model {
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
  }
}
