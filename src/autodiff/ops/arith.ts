import { broadcastShapes } from '../../tensor/shape.js';
import { binaryKernel, unaryKernel, type BinaryOp } from '../../tensor/kernels/elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { record, type Rules } from '../engine.js';
import { dtypeOfPair, lift, type TensorLike } from './util.js';
import { broadcastTo, sumTo } from './shape.js';

function binary(op: BinaryOp, rules: Rules<undefined>, a: TensorLike, b: TensorLike): Tensor {
  const dtype = dtypeOfPair(rules.name, a, b);
  const x = lift(a, dtype);
  const y = lift(b, dtype);
  const shape = broadcastShapes(rules.name, x.shape, y.shape);
  const out = new Tensor(binaryKernel(op, x.data, x.shape, y.data, y.shape, shape, dtype), shape);
  return record(rules, [x, y], out, undefined);
}

/** A tangent that may be missing on one side, broadcast to the output's shape. */
function orBroadcast(t: Tensor | null, out: Tensor): Tensor | null {
  return t && (t.size === out.size ? t : broadcastTo(t, out.shape));
}

const addRules: Rules<undefined> = {
  name: 'add',
  vjp: (g, [a, b], _, __, [na, nb]) => [na ? sumTo(g, a.shape) : null, nb ? sumTo(g, b.shape) : null],
  jvp: ([da, db], _, out) => (da && db ? add(da, db) : orBroadcast(da ?? db, out)!),
};
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', addRules, a, b);

const subRules: Rules<undefined> = {
  name: 'sub',
  vjp: (g, [a, b], _, __, [na, nb]) => [na ? sumTo(g, a.shape) : null, nb ? sumTo(neg(g), b.shape) : null],
  jvp: ([da, db], _, out) => (da && db ? sub(da, db) : da ? orBroadcast(da, out)! : orBroadcast(neg(db!), out)!),
};
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', subRules, a, b);

const mulRules: Rules<undefined> = {
  name: 'mul',
  vjp: (g, [a, b], _, __, [na, nb]) => [na ? sumTo(mul(g, b), a.shape) : null, nb ? sumTo(mul(g, a), b.shape) : null],
  jvp: ([da, db], [a, b]) => {
    const l = da && mul(da, b);
    const r = db && mul(a, db);
    return l && r ? add(l, r) : (l ?? r)!;
  },
};
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', mulRules, a, b);

const divRules: Rules<undefined> = {
  name: 'div',
  // d(a/b) = da/b - (a/b) db/b
  vjp: (g, [a, b], out, _, [na, nb]) => [
    na ? sumTo(div(g, b), a.shape) : null,
    nb ? sumTo(neg(div(mul(g, out), b)), b.shape) : null,
  ],
  jvp: ([da, db], [, b], out) => {
    const num = da && db ? sub(da, mul(out, db)) : da ?? neg(mul(out, db!));
    return orBroadcast(div(num, b), out)!;
  },
};
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', divRules, a, b);

const negRules: Rules<undefined> = {
  name: 'neg',
  vjp: (g) => [neg(g)],
  jvp: ([dx]) => neg(dx!),
};
export function neg(x: Tensor): Tensor {
  return record(negRules, [x], new Tensor(unaryKernel(x.data, (v) => -v), x.shape), undefined);
}

export function square(x: Tensor): Tensor {
  return mul(x, x);
}

/** Non-differentiable comparison: 1 where a > b, else 0 (a constant; its derivative is zero). */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  const dtype = dtypeOfPair('greater', a, b);
  const x = lift(a, dtype);
  const y = lift(b, dtype);
  const shape = broadcastShapes('greater', x.shape, y.shape);
  return new Tensor(binaryKernel('gt', x.data, x.shape, y.data, y.shape, shape, dtype), shape);
}
