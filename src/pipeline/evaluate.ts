import * as T from '../autodiff/index.js';
import type { Dataset } from '../data/index.js';
import { accuracy, crossEntropy, type Model } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { gatherBatch } from './trainingStep.js';

export interface EvalMetrics {
  loss: number;
  accuracy: number;
  n: number;
}

/** Mean cross-entropy and accuracy over a data set, in chunks, without recording graphs. */
export function evaluate(model: Model, params: Tensor[], ds: Dataset, chunk = 1000): EvalMetrics {
  let lossSum = 0;
  let correct = 0;
  T.noGrad(() => {
    for (let start = 0; start < ds.n; start += chunk) {
      const idx = Array.from({ length: Math.min(chunk, ds.n - start) }, (_, i) => start + i);
      const b = gatherBatch(ds, idx, params[0].dtype);
      const logits = model.forward(params, b.x);
      lossSum += crossEntropy(logits, b.y, 'sum').item();
      correct += accuracy(logits, b.y) * idx.length;
    }
  });
  return { loss: lossSum / ds.n, accuracy: correct / ds.n, n: ds.n };
}

/** Accuracy and loss per value of a group column (worst-group reporting). */
export function evaluateByGroup(model: Model, params: Tensor[], ds: Dataset, column: string): { group: number; name: string; metrics: EvalMetrics }[] {
  const codes = ds.groups?.[column];
  if (!codes) throw new Error(`evaluation data "${ds.name}" has no group column "${column}" (columns: ${Object.keys(ds.groups ?? {}).join(', ') || 'none'})`);
  const values = [...new Set(codes)].sort((a, b) => a - b);
  return values.map((g) => {
    const idx = Array.from(codes.keys()).filter((i) => codes[i] === g);
    const sub: Dataset = { ...ds, n: idx.length, x: gatherBatch(ds, idx, 'float64').x.data as Float64Array, y: Int32Array.from(idx, (i) => ds.y[i]) };
    return { group: g, name: ds.groupNames?.[column]?.[g] ?? String(g), metrics: evaluate(model, params, sub) };
  });
}
