import type { Tensor } from '../tensor/index.js';
import type { Activation, LogisticConfig, MlpConfig } from './config.js';
import { activationFn, linear, linearParams } from './layers.js';
import { assembleModel, type Model, type ParamDef } from './model.js';

/**
 * Multi-layer perceptron, the equivalent of
 *   nn.Sequential(Linear(in, h0), Act(), Linear(h0, h1), Act(), ..., Linear(h_last, classes))
 * so its parameters are '0.weight' [h0, in], '0.bias', '2.weight', '2.bias', ..., and the head
 * is at index 2 * hidden.length.
 */
export function createMlp(config: MlpConfig): Model {
  const activation: Activation = config.activation ?? 'relu';
  const full: MlpConfig = { kind: 'mlp', inputDim: config.inputDim, hidden: [...config.hidden], numClasses: config.numClasses, activation };
  return denseStack(full, config.inputDim, config.hidden, config.numClasses, activation);
}

/** Multinomial logistic regression: nn.Sequential(Linear(in, classes)), parameters '0.weight', '0.bias'. */
export function createLogistic(config: LogisticConfig): Model {
  const full: LogisticConfig = { kind: 'logistic', inputDim: config.inputDim, numClasses: config.numClasses };
  return denseStack(full, config.inputDim, [], config.numClasses, 'relu');
}

function denseStack(config: MlpConfig | LogisticConfig, inputDim: number, hidden: number[], numClasses: number, activation: Activation): Model {
  const widths = [inputDim, ...hidden, numClasses];
  const defs: ParamDef[] = [];
  const prefixes: string[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    prefixes.push(String(2 * i)); // a Linear and an activation module per hidden layer
    defs.push(...linearParams(prefixes[i], widths[i], widths[i + 1]));
  }
  const act = activationFn(activation);
  return assembleModel(config, defs, [inputDim], numClasses, (p, x) => {
    let h: Tensor = x;
    prefixes.forEach((name, i) => {
      h = linear(h, p(`${name}.weight`), p(`${name}.bias`));
      if (i < prefixes.length - 1) h = act(h);
    });
    return h;
  });
}
