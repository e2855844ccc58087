import * as T from '../../autodiff/index.js';
import type { Model } from '../../nn/index.js';
import type { Batch, TrainingLoss } from '../../pipeline/index.js';
import { allocate, fromData, type Tensor } from '../../tensor/index.js';

/**
 * The generalised Gauss-Newton matrix G = J^T H_out J of the batch loss (1/|B|) sum w_z l(z) at
 * one point, as an operator v -> G v. J = d logits / d theta; H_out is the loss's Hessian in the
 * logits (softmax cross-entropy: diag(p) - p p^T; squared error: I; the linear loss: 0). G is
 * positive semi-definite, and for a linear model it is the exact Hessian. The forward pass, its
 * recorded graph and the softmax are built once; each product then costs one JVP and one backward
 * sweep through the stored graph.
 */
export function gaussNewtonOperator(model: Model, full: (trainable: Tensor[]) => Tensor[], at: Tensor[], batch: Batch, loss: TrainingLoss): (v: Tensor[]) => Tensor[] {
  const logitsOf = (ps: Tensor[]) => model.forward(full(ps), batch.x);
  const { out: logits, pullback } = T.vjp(logitsOf, at);
  const [B, C] = logits.shape;
  const z = logits.data;
  // Row-wise softmax and per-example weights w_z / |B|, fixed at this point.
  const p = new Float64Array(B * C);
  const scale = Float64Array.from({ length: B }, (_, b) => (batch.weights ? batch.weights[b] : 1) / B);
  for (let b = 0; b < B; b++) {
    const o = b * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += (p[o + c] = Math.exp(z[o + c] - m));
    for (let c = 0; c < C; c++) p[o + c] /= s;
  }
  return (v: Tensor[]) => {
    const u = T.noGrad(() => T.jvp(logitsOf, at, v).tangent.data);
    const w = allocate(logits.dtype, B * C);
    for (let b = 0; b < B; b++) {
      const o = b * C;
      if (loss === 'crossEntropy') {
        let pu = 0;
        for (let c = 0; c < C; c++) pu += p[o + c] * u[o + c];
        for (let c = 0; c < C; c++) w[o + c] = scale[b] * p[o + c] * (u[o + c] - pu);
      } else if (loss === 'mse') {
        for (let c = 0; c < C; c++) w[o + c] = scale[b] * u[o + c];
      }
    }
    return pullback(fromData(w, [B, C]));
  };
}
