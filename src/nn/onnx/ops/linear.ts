import * as T from '../../../autodiff/index.js';
import type { Tensor } from '../../../tensor/index.js';
import { attr, fail, floatInput, type Converter, type OpContext, type Value } from '../values.js';

// Gemm, MatMul and Conv: torch's nn.Linear (Gemm on 2-D inputs, Transpose + MatMul otherwise),
// attention products and nn.Conv2d.

function gemm(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const a = floatInput(inputs, 0, ctx);
  const b = floatInput(inputs, 1, ctx);
  const alpha = attr(ctx, 'alpha', 'number', 1);
  const beta = attr(ctx, 'beta', 'number', 1);
  if (a.rank !== 2 || b.rank !== 2) fail(ctx, `expects 2-D operands, got [${a.shape}] and [${b.shape}]`);
  let y = T.mm(a, b, attr(ctx, 'transA', 'number', 0) !== 0, attr(ctx, 'transB', 'number', 0) !== 0);
  if (alpha !== 1) y = T.mul(y, alpha);
  if (inputs[2]) {
    const c = floatInput(inputs, 2, ctx);
    y = T.add(y, beta === 1 ? c : T.mul(c, beta));
  }
  return y;
}

/** numpy.matmul: 1-D operands promoted and demoted, batch axes broadcast. */
function matmul(inputs: (Value | undefined)[], ctx: OpContext): Value {
  let a = floatInput(inputs, 0, ctx);
  let b = floatInput(inputs, 1, ctx);
  const vecA = a.rank === 1;
  const vecB = b.rank === 1;
  if (vecA) a = T.reshape(a, [1, a.shape[0]]);
  if (vecB) b = T.reshape(b, [b.shape[0], 1]);
  let y: Tensor;
  if (a.rank > 2 && b.rank > 2) {
    const batch = broadcastBatch(a.shape.slice(0, -2), b.shape.slice(0, -2), ctx);
    y = T.mm(T.broadcastTo(a, [...batch, ...a.shape.slice(-2)]), T.broadcastTo(b, [...batch, ...b.shape.slice(-2)]));
  } else {
    y = T.matmul(a, b);
  }
  if (vecA) y = T.reshape(y, [...y.shape.slice(0, -2), y.shape[y.rank - 1]]);
  if (vecB) y = T.reshape(y, y.shape.slice(0, -1));
  return y;
}

function broadcastBatch(a: number[], b: number[], ctx: OpContext): number[] {
  const n = Math.max(a.length, b.length);
  const pa = [...Array<number>(n - a.length).fill(1), ...a];
  const pb = [...Array<number>(n - b.length).fill(1), ...b];
  return pa.map((d, i) => {
    if (d === pb[i] || pb[i] === 1) return d;
    if (d === 1) return pb[i];
    return fail(ctx, `batch axes [${a}] and [${b}] do not broadcast`);
  });
}

/** Symmetric 2-D padding [top, left, bottom, right] -> [padH, padW]. */
export function symmetricPads(ctx: OpContext): [number, number] {
  const autoPad = ctx.node.attrs.get('auto_pad');
  if (autoPad !== undefined && autoPad !== 'NOTSET' && autoPad !== 'VALID') fail(ctx, `auto_pad ${String(autoPad)} is not supported; export with explicit padding`);
  const pads = attr(ctx, 'pads', 'numbers', [0, 0, 0, 0]);
  if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3]) fail(ctx, `only symmetric 2-D padding is supported, got pads [${pads}]`);
  return [pads[0], pads[1]];
}

export function unitDilations(ctx: OpContext): void {
  const d = attr(ctx, 'dilations', 'numbers', [1, 1]);
  if (d.some((v) => v !== 1)) fail(ctx, `dilations [${d}] are not supported (only 1)`);
}

function conv(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = floatInput(inputs, 0, ctx);
  const w = floatInput(inputs, 1, ctx);
  if (x.rank !== 4 || w.rank !== 4) fail(ctx, `only 2-D convolution (NCHW input, 4-D weight) is supported, got input [${x.shape}] and weight [${w.shape}]`);
  if (attr(ctx, 'group', 'number', 1) !== 1) fail(ctx, 'grouped convolution is not supported');
  unitDilations(ctx);
  const strides = attr(ctx, 'strides', 'numbers', [1, 1]);
  const bias = inputs[2] ? floatInput(inputs, 2, ctx) : null;
  return T.conv2d(x, w, bias, [strides[0], strides[1]], symmetricPads(ctx));
}

export const linearConverters: Record<string, Converter> = { Gemm: gemm, MatMul: matmul, Conv: conv };
