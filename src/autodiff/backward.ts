import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import { Tensor, full, zeros } from '../tensor/tensor.js';
import { withRecording } from './engine.js';
import { add } from './ops/arith.js';

export interface BackwardOptions {
  /** Cotangent of the output; required when the output is not a scalar. */
  seed?: Tensor;
  /** Record the backward pass itself, so its results can be differentiated again. */
  createGraph?: boolean;
}

/**
 * Reverse-mode sweep from `output`: d output / d w for each w in `wrt` (like torch.autograd.grad).
 * Tensors in `wrt` are treated as inputs: the sweep does not continue into their own history.
 * Unreachable inputs get zeros.
 */
export function backward(output: Tensor, wrt: readonly Tensor[], opts: BackwardOptions = {}): Tensor[] {
  let seed = opts.seed;
  if (!seed) {
    if (output.size !== 1) throw new ShapeError('grad', `output must be a scalar, got shape ${shapeStr(output.shape)}; pass a seed (cotangent) for vector outputs`);
    seed = full(output.shape, 1, output.dtype);
  } else if (!sameShape(seed.shape, output.shape)) {
    throw new ShapeError('grad', `seed shape ${shapeStr(seed.shape)} does not match output shape ${shapeStr(output.shape)}`);
  }
  const stop = new Set(wrt);
  const order = topologicalOrder([output], stop);
  const relevant = leadingTo(order, stop);
  const grads = new Map<Tensor, Tensor>([[output, seed]]);
  withRecording(opts.createGraph ?? false, () => {
    for (let j = order.length - 1; j >= 0; j--) {
      const t = order[j];
      const node = t.node;
      const g = grads.get(t);
      if (!g || !node || stop.has(t)) continue;
      const needs = node.inputs.map((input) => relevant.has(input));
      const inputGrads = node.vjp(g, needs);
      for (let k = 0; k < node.inputs.length; k++) {
        const gi = inputGrads[k];
        const input = node.inputs[k];
        if (!gi || !needs[k]) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new ShapeError(node.op, `internal: vjp gave ${shapeStr(gi.shape)} for an input of shape ${shapeStr(input.shape)}`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? add(prev, gi) : gi);
      }
      grads.delete(t); // free early: each tensor's cotangent is complete once it is processed
    }
  });
  return wrt.map((w) => grads.get(w) ?? zeros(w.shape, w.dtype));
}

/**
 * The tensors of `order` (a post-order) from which some tensor of `wrt` is reachable: only their
 * cotangents can reach a result, so the sweep skips every other one (e.g. a gradient for the data
 * fed to the first layer, which would cost a full matrix product).
 */
function leadingTo(order: readonly Tensor[], wrt: ReadonlySet<Tensor>): Set<Tensor> {
  const relevant = new Set<Tensor>();
  for (const t of order) {
    if (wrt.has(t) || (t.node && t.node.inputs.some((i) => relevant.has(i)))) relevant.add(t);
  }
  return relevant;
}

/** Post-order (inputs before outputs) over tracked tensors reachable from `roots`, not expanding past `stop`. */
export function topologicalOrder(roots: readonly Tensor[], stop: ReadonlySet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    postOrderFrom(root, stop, visited, order);
  }
  return order;
}

function postOrderFrom(root: Tensor, stop: ReadonlySet<Tensor>, visited: Set<Tensor>, order: Tensor[]): void {
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.node && !stop.has(top.t) ? top.t.node.inputs : [];
    if (top.next < inputs.length) {
      const c = inputs[top.next++];
      if (c.tracked && !visited.has(c)) {
        visited.add(c);
        stack.push({ t: c, next: 0 });
      }
    } else {
      stack.pop();
      order.push(top.t);
    }
  }
}
