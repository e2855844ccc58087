import * as T from '../../../autodiff/index.js';
import type { Tensor } from '../../../tensor/index.js';
import { attr, fail, floatInput, intsOf, normAxis, range, type Converter, type OpContext, type Value } from '../values.js';

// Reductions and normalisations: ReduceMean/ReduceSum, Softmax/LogSoftmax, LayerNormalization
// (opset 17; older exports spell it out as ReduceMean, Sub, Pow, Sqrt, Div, which the
// elementwise ops cover).

function reduceWith(op: (x: Tensor, axes: number[], keep: boolean) => Tensor): Converter {
  return (inputs, ctx) => {
    const x = floatInput(inputs, 0, ctx);
    const fromInput = inputs[1] ? intsOf(inputs[1], ctx, 'axes') : null;
    const fromAttr = ctx.node.attrs.get('axes') as number[] | undefined;
    let axes = fromInput ?? fromAttr ?? null;
    if (!axes || axes.length === 0) {
      if (attr(ctx, 'noop_with_empty_axes', 'number', 0) !== 0) return x;
      axes = range(0, x.rank);
    }
    return op(x, axes.map((a) => normAxis(a, x.rank, ctx)), attr(ctx, 'keepdims', 'number', 1) !== 0);
  };
}

/**
 * Softmax family. Opset >= 13 normalises along one axis (default -1); older opsets flatten to
 * [prod(shape[:axis]), prod(shape[axis:])] first (default axis 1), which is the same on the last axis.
 */
function softmaxWith(op: (x: Tensor, axis: number) => Tensor): Converter {
  return (inputs, ctx) => {
    const x = floatInput(inputs, 0, ctx);
    const modern = ctx.opset >= 13;
    const axis = normAxis(attr(ctx, 'axis', 'number', modern ? -1 : 1), x.rank, ctx);
    if (modern || axis === x.rank - 1) return op(x, axis);
    const lead = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return T.reshape(op(T.reshape(x, [lead, -1]), 1), x.shape);
  };
}

function layerNormalization(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = floatInput(inputs, 0, ctx);
  const scale = floatInput(inputs, 1, ctx);
  const bias = inputs[2] ? floatInput(inputs, 2, ctx) : null;
  if (ctx.node.outputs.slice(1).some((o) => o)) fail(ctx, 'the mean and inverse-std-dev outputs are not supported');
  const axis = normAxis(attr(ctx, 'axis', 'number', -1), x.rank, ctx);
  const eps = attr(ctx, 'epsilon', 'number', 1e-5);
  const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const normed = T.reshape(T.layerNorm(T.reshape(x, [rows, -1]), null, null, eps), x.shape);
  const scaled = T.mul(normed, scale);
  return bias ? T.add(scaled, bias) : scaled;
}

export const reduceConverters: Record<string, Converter> = {
  ReduceMean: reduceWith(T.mean),
  ReduceSum: reduceWith(T.sum),
  Softmax: softmaxWith(T.softmax),
  LogSoftmax: softmaxWith(T.logSoftmax),
  LayerNormalization: layerNormalization,
};
