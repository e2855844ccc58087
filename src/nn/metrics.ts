import { ShapeError, shapeStr, type Tensor } from '../tensor/index.js';

// Non-differentiable read-outs of logits (for reports and worst-group accuracy).

/** Arg-max class per row of logits [B, C] (first maximum on ties, as torch.argmax). */
export function predictions(logits: Tensor): Int32Array {
  if (logits.rank !== 2) throw new ShapeError('predictions', `logits must be [B, C], got ${shapeStr(logits.shape)}`);
  const [b, c] = logits.shape;
  const out = new Int32Array(b);
  const z = logits.data;
  for (let i = 0; i < b; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (z[i * c + j] > z[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Fraction of rows whose arg-max equals the label; NaN for an empty batch. */
export function accuracy(logits: Tensor, labels: Int32Array): number {
  const pred = predictions(logits);
  if (labels.length !== pred.length) {
    throw new ShapeError('accuracy', `${labels.length} labels for logits ${shapeStr(logits.shape)}`);
  }
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hits++;
  return hits / pred.length;
}
