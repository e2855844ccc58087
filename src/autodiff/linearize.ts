import { Tensor, zeros } from '../tensor/tensor.js';
import { topologicalOrder } from './backward.js';
import { insideForwardLevel, noGrad, withRecording, withReverseScope } from './engine.js';
import { checkTangents, leaf } from './transforms.js';

// Forward mode with the primal computed once: f runs once with its graph recorded, then each
// tangent is pushed through the recorded ops by their JVP rules (JAX's linearize). The rules are
// the ones jvp applies op by op, on the same primal values, in the same order, so each tangent is
// bit for bit what a separate jvp gives, without recomputing f(primals) per direction.

export interface Linearized<T extends Tensor | Tensor[]> {
  /** f(primals). */
  out: T;
  /** The directional derivative of f at the primals along `tangents` (one per primal, same shapes). */
  apply(tangents: Tensor[]): T;
}

/**
 * Records f at `primals` once and returns its tangent map. f must reach its outputs through
 * recorded ops: a path it runs under noGrad (or detaches) contributes no tangent here, where jvp
 * would still push one through it. The tangents are not differentiable in reverse mode; jvp of a
 * gradient (linearize(grad f)) works, giving Hessian-vector products. Holds f's graph (its
 * intermediate values) for as long as the result is kept.
 */
export function linearize<T extends Tensor | Tensor[]>(f: (xs: Tensor[]) => T, primals: Tensor[]): Linearized<T> {
  if (insideForwardLevel()) throw new Error('linearize: not supported inside jvp');
  const leaves = primals.map(leaf);
  // Reverse scope: a gradient taken inside f records its backward pass, so tangents go through it.
  const out = withReverseScope(() => withRecording(true, () => f(leaves)));
  const outs: Tensor[] = Array.isArray(out) ? out : [out as Tensor];
  const stop = new Set(leaves);
  const order = topologicalOrder(outs, stop);
  return {
    out,
    apply: (tangents) => {
      checkTangents('linearize', primals, tangents);
      const tangentOf = new Map<Tensor, Tensor>();
      leaves.forEach((l, i) => tangentOf.set(l, tangents[i]));
      noGrad(() => {
        for (const t of order) {
          const node = t.node;
          if (!node || stop.has(t)) continue;
          let any = false;
          const ins = node.inputs.map((input) => {
            const d = tangentOf.get(input) ?? null;
            if (d) any = true;
            return d;
          });
          if (any) tangentOf.set(t, node.jvp(ins));
        }
      });
      const tans = outs.map((o) => tangentOf.get(o) ?? zeros(o.shape, o.dtype));
      return (Array.isArray(out) ? tans : tans[0]) as T;
    },
  };
}

/** f(primals) and its JVP along each set of tangents: jvp(f, primals, tangentSets[j]) for every j, f run once. */
export function jvpMany<T extends Tensor | Tensor[]>(f: (xs: Tensor[]) => T, primals: Tensor[], tangentSets: Tensor[][]): { out: T; tangents: T[] } {
  tangentSets.forEach((ts) => checkTangents('jvpMany', primals, ts));
  const lin = linearize(f, primals);
  return { out: lin.out, tangents: tangentSets.map((ts) => lin.apply(ts)) };
}
