import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import { Tensor, zeros } from '../tensor/tensor.js';
import { backward } from './backward.js';
import { add, mul } from './ops/arith.js';
import { sum } from './ops/reduce.js';
import { insideReverseScope, isRecording, record, withForwardLevel, withRecording, withReverseScope, type Rules } from './engine.js';

// Derivatives as composable transformations of functions of a list of tensors (JAX style):
// hvp is jvp of grad; the JVP of a training step is jvp of the step.

export type TensorFn = (xs: Tensor[]) => Tensor;

const aliasRules: Rules<undefined> = {
  name: 'alias',
  vjp: (g) => [g],
  jvp: ([dx]) => dx!,
};

/** A new tensor object over the same data, linked to x in both modes (so outer transforms see through it). */
function alias(x: Tensor): Tensor {
  return record(aliasRules, [x], new Tensor(x.data, x.shape), undefined);
}

export function leaf(x: Tensor): Tensor {
  const l = alias(x);
  l.requiresGrad = true;
  return l;
}

/** Cuts the reverse graph but keeps a forward-mode tangent (so jvp of grad sees the value's tangent too). */
function release(t: Tensor): Tensor {
  if (!t.node) return t;
  const r = new Tensor(t.data, t.shape);
  r.tangent = t.tangent;
  r.tangentLevel = t.tangentLevel;
  return r;
}

export interface ValueAndGrad {
  value: Tensor;
  grads: Tensor[];
}

/** f(xs) and its gradient with respect to every xs[i]. f must return a scalar. */
export function valueAndGrad(f: TensorFn): (xs: Tensor[]) => ValueAndGrad {
  return (xs) => {
    // An enclosing grad needs this backward pass recorded so it can differentiate through it.
    const createGraph = insideReverseScope() && isRecording();
    return withReverseScope(() => {
      const leaves = xs.map(leaf);
      const value = withRecording(true, () => f(leaves));
      if (!(value instanceof Tensor)) throw new TypeError('grad: the function must return a Tensor');
      if (value.size !== 1) throw new ShapeError('grad', `the function must return a scalar, got shape ${shapeStr(value.shape)}`);
      const grads = backward(value, leaves, { createGraph });
      return { value: createGraph ? value : release(value), grads };
    });
  };
}

export function grad(f: TensorFn): (xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f);
  return (xs) => vg(xs).grads;
}

/** f(xs) and its pullback: cotangent of the output -> cotangents of xs. */
export function vjp<T extends Tensor | Tensor[]>(f: (xs: Tensor[]) => T, xs: Tensor[]): { out: T; pullback: (cotangent: T) => Tensor[] } {
  const leaves = xs.map(leaf);
  // A gradient taken inside f (a training step) must be recorded for the pullback to see through it.
  const out = withReverseScope(() => withRecording(true, () => f(leaves)));
  const outs: Tensor[] = Array.isArray(out) ? out : [out as Tensor];
  return {
    out,
    pullback: (cotangent) => {
      const cts: Tensor[] = Array.isArray(cotangent) ? cotangent : [cotangent as Tensor];
      if (cts.length !== outs.length) throw new Error(`vjp: ${cts.length} cotangents for ${outs.length} outputs`);
      // Several outputs: one sweep from the scalar sum_i <out_i, ct_i>, whose gradient is the VJP.
      const root = outs.length === 1 ? outs[0] : sumOfInner(outs, cts);
      return backward(root, leaves, { seed: outs.length === 1 ? cts[0] : undefined, createGraph: insideReverseScope() && isRecording() });
    },
  };
}

function sumOfInner(outs: Tensor[], cts: Tensor[]): Tensor {
  return withRecording(true, () => {
    let acc: Tensor | null = null;
    outs.forEach((o, i) => {
      if (!o.tracked) return;
      const term = sum(mul(o, cts[i]));
      acc = acc ? add(acc, term) : term;
    });
    return acc ?? zeros([], outs[0].dtype);
  });
}

export interface JvpResult<T> {
  out: T;
  tangent: T;
}

/**
 * Forward mode: f(xs) and its directional derivative along `tangents` (one per input, same
 * shapes). f may return one tensor or a list.
 */
export function jvp<T extends Tensor | Tensor[]>(f: (xs: Tensor[]) => T, primals: Tensor[], tangents: Tensor[]): JvpResult<T> {
  checkTangents('jvp', primals, tangents);
  return withForwardLevel((level) => {
    const duals = primals.map((p, i) => {
      const d = alias(p);
      d.tangent = tangents[i];
      d.tangentLevel = level;
      return d;
    });
    const out = f(duals);
    const outs = Array.isArray(out) ? out : [out];
    const tans = outs.map((o) => {
      const t = o.tangentLevel === level && o.tangent ? o.tangent : zeros(o.shape, o.dtype);
      o.tangent = null; // outputs outlive the level; drop the link
      o.tangentLevel = -1;
      return t;
    });
    return { out, tangent: (Array.isArray(out) ? tans : tans[0]) as T };
  });
}

/** Throws unless `tangents` has one tensor per primal, of the primal's shape and dtype. */
export function checkTangents(who: string, primals: readonly Tensor[], tangents: readonly Tensor[]): void {
  if (primals.length !== tangents.length) throw new Error(`${who}: ${primals.length} primals but ${tangents.length} tangents`);
  primals.forEach((p, i) => {
    const t = tangents[i];
    if (!sameShape(p.shape, t.shape)) throw new ShapeError(who, `tangent ${i} has shape ${shapeStr(t.shape)}, primal has ${shapeStr(p.shape)}`);
    if (p.dtype !== t.dtype) throw new TypeError(`${who}: tangent ${i} is ${t.dtype}, primal is ${p.dtype}`);
  });
}

/** Hessian-vector product H(xs) v of a scalar f, as forward-over-reverse (jvp of grad). */
export function hvp(f: TensorFn, xs: Tensor[], v: Tensor[]): Tensor[] {
  return jvp((p) => grad(f)(p), xs, v).tangent;
}

/** Gradient and Hessian-vector product in one forward-over-reverse pass. */
export function gradAndHvp(f: TensorFn, xs: Tensor[], v: Tensor[]): { value: number; grads: Tensor[]; hvp: Tensor[] } {
  let value = NaN;
  const r = jvp((p) => {
    const vg = valueAndGrad(f)(p);
    value = vg.value.item();
    return vg.grads;
  }, xs, v);
  return { value, grads: r.out, hvp: r.tangent };
}

/**
 * Per-example gradients: lossOf(xs, i) is example i's scalar loss. One reverse pass per example;
 * when only <u, grad l_i> is needed, one jvp of the vector of per-example losses is far cheaper.
 */
export function perExampleGrads(lossOf: (xs: Tensor[], i: number) => Tensor, xs: Tensor[], count: number): Tensor[][] {
  const out: Tensor[][] = [];
  for (let i = 0; i < count; i++) out.push(grad((p) => lossOf(p, i))(xs));
  return out;
}
