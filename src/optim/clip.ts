import * as T from '../autodiff/index.js';
import type { Tensor } from '../tensor/index.js';

// torch.nn.utils.clip_grad_norm_ (1.13, norm_type 2) as a pure function of the gradient list,
// beside its JVP. It acts on the raw gradient before the optimizer (weight decay is added inside
// the optimizer, unclipped, as in torch).

/** torch's guard against division by zero in clip_coef = max_norm / (total_norm + 1e-6). */
export const CLIP_EPS = 1e-6;

export interface ClippedGradient {
  grads: Tensor[];
  /** min(1, max_norm / (N + 1e-6)) at the factual gradient; 1 when no clipping happened. */
  scale: number;
}

/**
 * N = ||(||g_1||, ..., ||g_n||)||_2 (torch stacks the per-tensor norms), c = max_norm / (N + 1e-6),
 * g_i <- g_i * min(c, 1). Written in differentiable ops, so T.jvp of a training step that clips
 * is the exact JVP through the clip (clipGradNormJvp below is the same derivative in closed form).
 * When c >= 1 torch multiplies by 1.0, which changes nothing: the gradients pass through as they are.
 */
export function clipGradNorm(grads: Tensor[], maxNorm: number): ClippedGradient {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: max_norm must be a finite number > 0 (got ${maxNorm})`);
  if (grads.length === 0) return { grads, scale: 1 };
  const norms = grads.map((g) => T.sqrt(T.sum(T.mul(g, g))));
  const total = T.sqrt(norms.map((n) => T.mul(n, n)).reduce((a, b) => T.add(a, b)));
  const coef = T.div(maxNorm, T.add(total, CLIP_EPS));
  const scale = coef.item();
  if (scale >= 1) return { grads, scale: 1 };
  return { grads: grads.map((g) => T.mul(g, coef)), scale };
}

/**
 * The JVP of clipGradNorm at g along dg. Unclipped (c >= 1): dg. Clipped:
 *   d(c g) = c dg + g dc,  dc = -max_norm / (N + 1e-6)^2 * dN,  dN = <g, dg> / N.
 * The rescaling keeps the clipped step's length fixed, so the part of dg along g is damped.
 */
export function clipGradNormJvp(grads: Tensor[], tangents: Tensor[], maxNorm: number): Tensor[] {
  let sq = 0;
  let dot = 0;
  grads.forEach((g, i) => {
    for (let j = 0; j < g.data.length; j++) {
      sq += g.data[j] * g.data[j];
      dot += g.data[j] * tangents[i].data[j];
    }
  });
  const N = Math.sqrt(sq);
  const c = maxNorm / (N + CLIP_EPS);
  if (c >= 1) return tangents;
  const dc = (-maxNorm / (N + CLIP_EPS) ** 2) * (dot / N);
  return grads.map((g, i) => T.add(T.mul(tangents[i], c), T.mul(g, dc)));
}
