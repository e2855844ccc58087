import * as T from '../../../autodiff/index.js';
import { attr, fail, floatInput, type Converter, type OpContext, type Value } from '../values.js';
import { symmetricPads, unitDilations } from './linear.js';

// Pooling over NCHW inputs, as nn.MaxPool2d, nn.AvgPool2d and nn.AdaptiveAvgPool2d(1) export.

function window(ctx: OpContext): { kernel: [number, number]; stride: [number, number]; pads: [number, number] } {
  const k = attr(ctx, 'kernel_shape', 'numbers', []);
  if (k.length !== 2) fail(ctx, `only 2-D pooling is supported, got kernel_shape [${k}]`);
  if (attr(ctx, 'ceil_mode', 'number', 0) !== 0) fail(ctx, 'ceil_mode=1 is not supported');
  unitDilations(ctx);
  const s = attr(ctx, 'strides', 'numbers', [1, 1]);
  return { kernel: [k[0], k[1]], stride: [s[0], s[1]], pads: symmetricPads(ctx) };
}

function maxPool(inputs: (Value | undefined)[], ctx: OpContext): Value {
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1]) fail(ctx, 'the indices output is not supported');
  const w = window(ctx);
  return T.maxPool2d(floatInput(inputs, 0, ctx), w.kernel, w.stride, w.pads);
}

function averagePool(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const w = window(ctx);
  // avgPool2d divides by the full window (count_include_pad=1); without padding both agree.
  if (attr(ctx, 'count_include_pad', 'number', 0) === 0 && (w.pads[0] || w.pads[1])) {
    fail(ctx, 'padded average pooling with count_include_pad=0 is not supported');
  }
  return T.avgPool2d(floatInput(inputs, 0, ctx), w.kernel, w.stride, w.pads);
}

function globalAveragePool(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = floatInput(inputs, 0, ctx);
  if (x.rank < 3) fail(ctx, `expects [N, C, ...spatial], got [${x.shape}]`);
  return T.mean(x, Array.from({ length: x.rank - 2 }, (_, i) => i + 2), true);
}

export const poolConverters: Record<string, Converter> = { MaxPool: maxPool, AveragePool: averagePool, GlobalAveragePool: globalAveragePool };
