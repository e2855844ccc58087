import { readSafetensors, writeSafetensors, type StTensor } from '../io/index.js';
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

export function writeCheckpoint(path: string, model: Model, ck: Checkpoint): void {
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
  writeSafetensors(path, tensors, { [META]: JSON.stringify(meta), [MODEL_CONFIG_KEY]: JSON.stringify(model.config) });
}

export function readCheckpoint(path: string, model: Model, dtype: DType): Checkpoint {
  const file = readSafetensors(path);
  const raw = file.metadata[META];
  if (!raw) throw new Error(`${path}: not a stagecredit checkpoint (no "${META}" metadata)`);
  const meta = JSON.parse(raw) as CheckpointPosition & { slotParams: string[]; optimizerStep: number | null; slots: string[] };
  const paramTensors: Record<string, StTensor> = {};
  const slotTensors: Record<string, StTensor> = {};
  for (const [name, t] of Object.entries(file.tensors)) (name.startsWith('optimizer.') ? slotTensors : paramTensors)[name] = t;
  const params = paramsFromSafetensors(model, { tensors: paramTensors, metadata: file.metadata }, dtype, path);
  let optimizer: OptimizerState | null = null;
  if (meta.optimizerStep !== null) {
    const slots: Record<string, Tensor[]> = {};
    for (const slot of meta.slots) {
      slots[slot] = meta.slotParams.map((p) => {
        const t = slotTensors[`optimizer.${slot}.${p}`];
        if (!t || (t.dtype !== 'F64' && t.dtype !== 'F32')) throw new Error(`${path}: optimizer slot "${slot}" for "${p}" is missing`);
        const data = dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
        return fromData(data, t.shape);
      });
    }
    optimizer = { step: meta.optimizerStep, slots };
  }
  return { step: meta.step, stagesDone: meta.stagesDone, stageStep: meta.stageStep, params, optimizer, slotParams: meta.slotParams };
}
