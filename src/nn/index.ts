// Public API of the nn module: models as pure functions of a flat parameter list, losses,
// behaviours and weight files.
export {
  ACTIVATIONS,
  MODEL_KINDS,
  POOLS,
  ModelConfigError,
  validateModelConfig,
  type Activation,
  type CnnConfig,
  type LogisticConfig,
  type MlpConfig,
  type OnnxModelConfig,
  type ModelConfig,
  type ModelKind,
  type PoolKind,
  type TransformerConfig,
} from './config.js';
export { checkParams, paramCount, type Model, type ParamSpec } from './model.js';
export { createModel, modelIdentity } from './create.js';
export { fanInUniform, initParam, type InitRule } from './init.js';
export { linear } from './layers.js';
export { crossEntropy, mse, bceWithLogits, margin, correctClassProbability, type Reduction } from './losses.js';
export { accuracy, predictions } from './metrics.js';
export {
  MODEL_CONFIG_KEY,
  WeightsError,
  configFromSafetensors,
  loadParams,
  paramsFromSafetensors,
  paramsToSafetensors,
  saveParams,
} from './weights.js';
