import * as T from '../../autodiff/index.js';
import type { Model } from '../../nn/index.js';
import type { Batch, TrainingLoss } from '../../pipeline/index.js';
import { allocate, fromData, type Tensor } from '../../tensor/index.js';

/**
 * Generalised Gauss-Newton product G v = J^T H_out J v of the batch loss (1/|B|) sum w_z l(z),
 * J = d logits / d theta and H_out the loss's Hessian in the logits (softmax cross-entropy:
 * diag(p) - p p^T; squared error: I; the linear loss: 0). G is positive semi-definite, and for a
 * linear model it is the exact Hessian. Cost: one JVP and one VJP of the forward pass.
 */
export function gaussNewtonProduct(model: Model, full: (trainable: Tensor[]) => Tensor[], at: Tensor[], batch: Batch, loss: TrainingLoss, v: Tensor[]): Tensor[] {
  const logitsOf = (ps: Tensor[]) => model.forward(full(ps), batch.x);
  const { out: logits, tangent: jv } = T.jvp(logitsOf, at, v);
  const [B, C] = logits.shape;
  const w = allocate(logits.dtype, B * C);
  const z = logits.data;
  const u = jv.data;
  for (let b = 0; b < B; b++) {
    const scale = (batch.weights ? batch.weights[b] : 1) / B;
    const o = b * C;
    if (loss === 'crossEntropy') {
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(z[o + c] - m);
      let pu = 0;
      for (let c = 0; c < C; c++) pu += (Math.exp(z[o + c] - m) / s) * u[o + c];
      for (let c = 0; c < C; c++) {
        const p = Math.exp(z[o + c] - m) / s;
        w[o + c] = scale * p * (u[o + c] - pu);
      }
    } else if (loss === 'mse') {
      for (let c = 0; c < C; c++) w[o + c] = scale * u[o + c];
    }
  }
  return T.vjp(logitsOf, at).pullback(fromData(w, [B, C]));
}
