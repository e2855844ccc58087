import { z } from 'zod';
import { decodeSafetensors, parseJsonText, readFileBounded, writeSafetensors, type StTensor } from '../io/index.js';
import { MODEL_CONFIG_KEY, paramsFromSafetensors, type Model } from '../nn/index.js';
import type { OptimizerState } from '../optim/index.js';
import { fromData, type DType, type Tensor } from '../tensor/index.js';

// A checkpoint: every parameter, plus the optimizer state of the stage it was taken in (slots
// for that stage's trainable parameters), so training and replays resume bit-identically.

export interface CheckpointPosition {
  /** Global step count t (steps taken since theta_0). */
  step: number;
  /** Stages fully completed at this point (boundary checkpoints: step = T_stagesDone). */
  stagesDone: number;
  /** Steps already taken inside the current stage (0 at a boundary). */
  stageStep: number;
}

export interface Checkpoint extends CheckpointPosition {
  params: Tensor[];
  /** Optimizer state of the stage in progress (or just finished), over its trainable params. */
  optimizer: OptimizerState | null;
  /** Names of the parameters the optimizer slots refer to, in slot order. */
  slotParams: string[];
}

const META = 'stagecredit.checkpoint';

const nonNegInt = z.number().int().nonnegative();
const metaSchema = z.object({
  step: nonNegInt,
  stagesDone: nonNegInt,
  stageStep: nonNegInt,
  slotParams: z.array(z.string().min(1)),
  optimizerStep: nonNegInt.nullable(),
  slots: z.array(z.string().regex(/^[A-Za-z0-9_]+$/)),
}).strict();

/** A checkpoint file that is not what it claims to be; names the file and the field. */
export class CheckpointError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** Writes a checkpoint atomically; returns the sha256 of the bytes written. */
export function writeCheckpoint(path: string, model: Model, ck: Checkpoint): string {
  const tensors: Record<string, StTensor> = {};
  const put = (name: string, t: Tensor) => {
    tensors[name] = t.dtype === 'float64'
      ? { dtype: 'F64', shape: [...t.shape], data: t.data as Float64Array }
      : { dtype: 'F32', shape: [...t.shape], data: t.data as Float32Array };
  };
  model.params.forEach((spec, i) => put(spec.name, ck.params[i]));
  const slotNames = Object.keys(ck.optimizer?.slots ?? {});
  for (const slot of slotNames) ck.optimizer!.slots[slot].forEach((t, i) => put(`optimizer.${slot}.${ck.slotParams[i]}`, t));
  const meta = {
    step: ck.step, stagesDone: ck.stagesDone, stageStep: ck.stageStep, slotParams: ck.slotParams,
    optimizerStep: ck.optimizer?.step ?? null, slots: slotNames,
  };
  return writeSafetensors(path, tensors, { [META]: JSON.stringify(meta), [MODEL_CONFIG_KEY]: JSON.stringify(model.config) });
}

export function readCheckpoint(path: string, model: Model, dtype: DType): Checkpoint {
  return decodeCheckpoint(readFileBounded(path), path, model, dtype);
}

/**
 * Parses checkpoint bytes. The metadata goes through a schema (every field present, integers,
 * slots listed by name), parameters must be finite and every listed optimizer slot present: a
 * checkpoint that cannot be what it says is refused here, naming the file and field.
 */
export function decodeCheckpoint(bytes: Uint8Array, path: string, model: Model, dtype: DType): Checkpoint {
  const file = decodeSafetensors(bytes, path);
  const raw = Object.hasOwn(file.metadata, META) ? file.metadata[META] : undefined;
  if (!raw) throw new CheckpointError(path, `not a stagecredit checkpoint (no "${META}" metadata)`);
  const parsed = metaSchema.safeParse(parseJsonText(raw, `${path} metadata "${META}"`, 4));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new CheckpointError(path, `metadata "${META}".${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  }
  const meta = parsed.data;
  if (meta.stageStep > meta.step) throw new CheckpointError(path, `metadata "${META}".stageStep: ${meta.stageStep} exceeds step ${meta.step}`);
  if (meta.optimizerStep === null && meta.slots.length > 0) {
    throw new CheckpointError(path, `metadata "${META}".optimizerStep: null but optimizer slots are listed`);
  }
  const paramTensors: Record<string, StTensor> = {};
  const slotTensors: Record<string, StTensor> = {};
  for (const [name, t] of Object.entries(file.tensors)) (name.startsWith('optimizer.') ? slotTensors : paramTensors)[name] = t;
  const params = paramsFromSafetensors(model, { tensors: paramTensors, metadata: file.metadata }, dtype, path);
  params.forEach((p, i) => {
    for (let j = 0; j < p.data.length; j++) {
      if (!Number.isFinite(p.data[j])) throw new CheckpointError(path, `parameter "${model.params[i].name}"[${j}] is ${p.data[j]}; a checkpoint holds finite values only`);
    }
  });
  const known = new Set(model.params.map((p) => p.name));
  for (const p of meta.slotParams) if (!known.has(p)) throw new CheckpointError(path, `metadata "${META}".slotParams: "${p}" is not a parameter of the model`);
  let optimizer: OptimizerState | null = null;
  if (meta.optimizerStep !== null) {
    const slots: Record<string, Tensor[]> = {};
    for (const slot of meta.slots) {
      slots[slot] = meta.slotParams.map((p) => {
        const key = `optimizer.${slot}.${p}`;
        const t = Object.hasOwn(slotTensors, key) ? slotTensors[key] : undefined;
        if (!t || (t.dtype !== 'F64' && t.dtype !== 'F32')) throw new CheckpointError(path, `optimizer slot "${slot}" for "${p}" is missing`);
        const spec = model.params.find((q) => q.name === p)!;
        if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) throw new CheckpointError(path, `optimizer slot "${slot}" for "${p}" has shape [${t.shape}], expected [${spec.shape}]`);
        const data = dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
        return fromData(data, t.shape);
      });
    }
    optimizer = { step: meta.optimizerStep, slots };
  }
  return { step: meta.step, stagesDone: meta.stagesDone, stageStep: meta.stageStep, params, optimizer, slotParams: meta.slotParams };
}
