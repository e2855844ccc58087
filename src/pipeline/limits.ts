// Resource limits, checked from the manifest before anything is allocated or written: a model of
// 10^10 parameters, a batch whose activations need 40 GiB, a data set of dimension 10^9 or 10^9
// steps would otherwise die deep inside training with "Invalid typed array length" or swap the
// machine to a halt. The estimates are deliberately rough (they count float64 values and the
// copies training keeps) and only have to catch what cannot fit; `allowLarge` skips them.
import { statSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { createModel, paramCount, type ModelConfig } from '../nn/index.js';
import type { DatasetSpec, Manifest } from './manifest.js';

export interface ResourceLimits {
  /** Bytes a run may plan to use; default half of the machine's memory. */
  memoryBytes: number;
}

export class ResourceLimitError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}; pass --allow-large (library: allowLarge: true) to try anyway`);
    this.name = 'ResourceLimitError';
  }
}

/** Index entries a stage's batch order may hold (Int32 offsets; 2^28 indices are 1 GiB). */
export const MAX_TRACE_INDICES = 2 ** 28;

export function defaultLimits(): ResourceLimits {
  // constrainedMemory (cgroup limit) when the runtime knows it; 0 or undefined otherwise.
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  const machine = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return { memoryBytes: Math.max(machine / 2, freemem() / 2, 256 * 2 ** 20) };
}

const GiB = 2 ** 30;
const gib = (b: number) => `${(b / GiB).toFixed(b < GiB ? 3 : 1)} GiB`;
const F64 = 8;

/** Float64 values one example's forward and backward pass keep alive, roughly. */
export function activationValuesPerExample(config: ModelConfig): number {
  switch (config.kind) {
    case 'logistic':
      return 3 * (config.inputDim + config.numClasses);
    case 'mlp':
      return 3 * (config.inputDim + 3 * config.hidden.reduce((a, b) => a + b, 0) + 3 * config.numClasses);
    case 'cnn': {
      const [c0, h0, w0] = config.inputShape;
      const k = config.kernel ?? 3;
      let [c, h, w] = [c0, h0, w0];
      let values = c * h * w;
      for (const co of config.channels) {
        // im2col buffer (c k^2 per pixel), conv output, activation, pooled output, and gradients.
        values += 2 * (c * k * k * h * w + 3 * co * h * w);
        [c, h, w] = [co, Math.floor(h / 2), Math.floor(w / 2)];
      }
      values += 3 * ((config.hidden ?? []).reduce((a, b) => a + b, 0) + config.numClasses);
      return values;
    }
    case 'transformer': {
      const { seqLen, dModel, heads } = config;
      const mlp = (config.mlpRatio ?? 4) * dModel;
      return 3 * (seqLen * config.tokenDim + seqLen * (12 * dModel + 2 * mlp) + 3 * heads * seqLen * seqLen + config.numClasses);
    }
    case 'onnx':
      // An ONNX graph's intermediate sizes are not known before it is traced; only its parameters
      // (counted from the file) are checked.
      return 0;
  }
}

/** Bytes a data set will take in memory, known before loading it (null: not known in advance). */
function datasetBytes(spec: DatasetSpec, baseDir: string): number | null {
  if ('file' in spec) {
    try {
      return statSync(isAbsolute(spec.file) ? spec.file : resolve(baseDir, spec.file)).size;
    } catch {
      return null; // missing files are reported when the data is read
    }
  }
  const o = (spec.options ?? {}) as Record<string, unknown>;
  const num = (k: string, d: number) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : d);
  switch (spec.recipe) {
    case 'blobs':
      // Examples and labels, plus one centre per class.
      return (num('n', 0) * (num('dim', 0) + 1) + num('numClasses', 0) * num('dim', 0)) * F64;
    case 'spam':
      return Math.min(num('perClass', 5000), 5000) * 2 * (num('dim', 2048) + 1) * F64;
    default:
      return null; // MNIST and Fashion-MNIST are bounded by their fixed size
  }
}

/**
 * Refuses a manifest whose model, batches, data or steps cannot fit `limits`, naming the field
 * and the estimate. Runs before the data is loaded and before the run directory is touched.
 */
export function checkResourceLimits(manifest: Manifest, baseDir: string, limits: ResourceLimits = defaultLimits()): void {
  const budget = limits.memoryBytes;
  const model = createModel(manifest.model, { baseDir });
  const P = paramCount(model);
  // Parameters, gradients, up to two optimizer slots, a boundary copy and the checkpoint encoding.
  const modelBytes = P * F64 * 6;
  if (!Number.isSafeInteger(P) || modelBytes > budget) {
    throw new ResourceLimitError('model', `${P.toExponential(2)} parameters need about ${gib(modelBytes)} for training (parameters, gradients, optimizer state, checkpoints), over the limit of ${gib(budget)} (half of this machine's memory)`);
  }
  const perExample = activationValuesPerExample(manifest.model) * F64;
  let dataBytes = 0;
  for (const [name, spec] of Object.entries(manifest.datasets)) {
    const b = datasetBytes(spec, baseDir);
    if (b === null) continue;
    if (b > budget) throw new ResourceLimitError(`datasets.${name}`, `the data set needs about ${gib(b)} in memory, over the limit of ${gib(budget)}`);
    dataBytes += b;
  }
  manifest.stages.forEach((s, k) => {
    const at = `stages[${k}]`;
    const act = s.batchSize * perExample;
    if (modelBytes + act > budget) {
      throw new ResourceLimitError(`${at}.batchSize`, `a batch of ${s.batchSize} needs about ${gib(act)} of activations (${gib(perExample)} per example) next to ${gib(modelBytes)} for the model, over the limit of ${gib(budget)}`);
    }
    if (s.steps !== undefined && s.steps * s.batchSize > MAX_TRACE_INDICES) {
      throw new ResourceLimitError(`${at}.steps`, `${s.steps} steps of ${s.batchSize} examples make a batch order of ${(s.steps * s.batchSize).toExponential(2)} indices, over the limit of ${MAX_TRACE_INDICES} (${gib(MAX_TRACE_INDICES * 4)})`);
    }
    if (s.epochs !== undefined && s.epochs > MAX_TRACE_INDICES) {
      throw new ResourceLimitError(`${at}.epochs`, `${s.epochs} epochs are over the limit of ${MAX_TRACE_INDICES} batch-order indices`);
    }
  });
  if (modelBytes + dataBytes > budget) {
    throw new ResourceLimitError('datasets', `the data sets need about ${gib(dataBytes)} next to ${gib(modelBytes)} for the model, over the limit of ${gib(budget)}`);
  }
}
