import * as T from '../../../autodiff/index.js';
import { Tensor } from '../../../tensor/index.js';
import { attr, fail, floatInput, floatOf, input, intBinary, intsOf, IntTensor, type Converter, type OpContext, type Value } from '../values.js';

// Elementwise ops. Integer operands (shape arithmetic) are computed eagerly; anything touching a
// float tensor goes through the differentiable ops.

function binary(floatOp: (a: Tensor, b: Tensor) => Tensor, intOp: (a: number, b: number) => number): Converter {
  return (inputs, ctx) => {
    const a = input(inputs, 0, ctx);
    const b = input(inputs, 1, ctx);
    if (a instanceof IntTensor && b instanceof IntTensor) return intBinary(a, b, intOp, ctx);
    return floatOp(floatOf(a, ctx), floatOf(b, ctx));
  };
}

const unary = (op: (x: Tensor) => Tensor): Converter => (inputs, ctx) => op(floatInput(inputs, 0, ctx));

/** A scalar exponent fixed by the graph (torch exports x.pow(2) as Pow(x, Constant 2)). */
function pow(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const e = input(inputs, 1, ctx);
  if (e.size !== 1) fail(ctx, `only a scalar exponent is supported, got shape [${e.shape}]`);
  if (e instanceof Tensor && (e.tracked || e.tangent)) fail(ctx, 'the exponent must be a constant, but it depends on the parameters');
  return T.pow(floatInput(inputs, 0, ctx), e.data[0]);
}

/** Identity for inference-style dropout: ratio 0, or training_mode false / absent. */
function dropout(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const ratio = inputs[1] ? intsOrFloat(inputs[1], ctx) : attr(ctx, 'ratio', 'number', 0.5);
  const training = inputs[2] ? intsOf(inputs[2], ctx, 'training_mode')[0] !== 0 : false;
  if (training && ratio > 0) fail(ctx, `dropout with ratio ${ratio} in training mode is random and cannot be replayed; export the model in eval mode (the recorder marks runs with dropout "estimates only")`);
  return x;
}

function intsOrFloat(v: Value, ctx: OpContext): number {
  if (v instanceof IntTensor) return v.data[0];
  if (v.tracked) fail(ctx, 'the dropout ratio must be a constant');
  return v.data[0];
}

const FLOAT_TYPES = new Set([1, 10, 11, 16]);
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]);

function cast(inputs: (Value | undefined)[], ctx: OpContext): Value {
  const x = input(inputs, 0, ctx);
  const to = attr(ctx, 'to', 'number', 0);
  if (FLOAT_TYPES.has(to)) return floatOf(x, ctx);
  if (INT_TYPES.has(to)) return x instanceof IntTensor ? x : new IntTensor(intsOf(x, ctx, 'a value cast to an integer type'), [...x.shape]);
  if (to === 9) return new IntTensor(intsOf(x, ctx, 'a value cast to bool').map((v) => (v !== 0 ? 1 : 0)), [...x.shape]);
  return fail(ctx, `cast to data type ${to} is not supported`);
}

export const elementwiseConverters: Record<string, Converter> = {
  Add: binary(T.add, (a, b) => a + b),
  Sub: binary(T.sub, (a, b) => a - b),
  Mul: binary(T.mul, (a, b) => a * b),
  // ONNX integer division truncates toward zero.
  Div: binary(T.div, (a, b) => Math.trunc(a / b)),
  Pow: pow,
  Neg: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    return x instanceof IntTensor ? new IntTensor(x.data.map((v) => -v), x.shape) : T.neg(x);
  },
  Sqrt: unary(T.sqrt),
  Exp: unary(T.exp),
  Log: unary(T.log),
  Erf: unary(T.erf),
  Tanh: unary(T.tanh),
  Relu: unary(T.relu),
  Sigmoid: unary(T.sigmoid),
  Softplus: unary(T.softplus),
  Abs: unary(T.abs),
  Identity: (inputs, ctx) => input(inputs, 0, ctx),
  Dropout: dropout,
  Cast: cast,
};
