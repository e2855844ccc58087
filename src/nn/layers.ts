import * as T from '../autodiff/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Activation } from './config.js';
import { fanInUniform, type InitRule } from './init.js';
import type { ParamDef } from './model.js';

// Building blocks shared by the models: torch-layout layers as plain functions of tensors.

/** nn.Linear: x [..., in] @ weightᵀ + bias, weight [out, in] as torch stores it. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const lead = x.shape.slice(0, -1);
  const flat = x.rank === 2 ? x : T.reshape(x, [-1, x.shape[x.rank - 1]]);
  // The transpose flag of mm reads the [out, in] weight in place: no transposed copy.
  const y = T.add(T.mm(flat, weight, false, true), bias);
  return x.rank === 2 ? y : T.reshape(y, [...lead, weight.shape[0]]);
}

/** The two ParamDefs of an nn.Linear named `prefix` (torch's default init). */
export function linearParams(prefix: string, inFeatures: number, outFeatures: number): ParamDef[] {
  const init: InitRule = fanInUniform(inFeatures);
  return [
    { name: `${prefix}.weight`, shape: [outFeatures, inFeatures], init },
    { name: `${prefix}.bias`, shape: [outFeatures], init },
  ];
}

/** The two ParamDefs of an nn.Conv2d named `prefix`; fan_in = in_channels * kh * kw. */
export function conv2dParams(prefix: string, inChannels: number, outChannels: number, kernel: number): ParamDef[] {
  const init = fanInUniform(inChannels * kernel * kernel);
  return [
    { name: `${prefix}.weight`, shape: [outChannels, inChannels, kernel, kernel], init },
    { name: `${prefix}.bias`, shape: [outChannels], init },
  ];
}

/** The two ParamDefs of an nn.LayerNorm named `prefix` (ones and zeros). */
export function layerNormParams(prefix: string, dim: number): ParamDef[] {
  return [
    { name: `${prefix}.weight`, shape: [dim], init: { kind: 'constant', value: 1 } },
    { name: `${prefix}.bias`, shape: [dim], init: { kind: 'constant', value: 0 } },
  ];
}

const ACTIVATION_FNS: Record<Activation, (x: Tensor) => Tensor> = {
  relu: T.relu,
  tanh: T.tanh,
  gelu: T.geluErf, // exact: torch's default nn.GELU()
  'gelu-tanh': T.gelu, // tanh approximation: torch's nn.GELU(approximate='tanh')
  sigmoid: T.sigmoid,
  softplus: T.softplus,
};

export function activationFn(name: Activation): (x: Tensor) => Tensor {
  return ACTIVATION_FNS[name];
}
