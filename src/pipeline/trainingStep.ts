import * as T from '../autodiff/index.js';
import type { Dataset } from '../data/index.js';
import { crossEntropy, type Model } from '../nn/index.js';
import { clipGradNorm, type OptimizerState } from '../optim/index.js';
import { allocate, fromData, retired, type BufferPool, type DType, type Tensor } from '../tensor/index.js';
import { batchAt } from './batches.js';
import type { ResolvedStage } from './resolve.js';

// One training step as a pure function of (theta, optimizer state): the gradient is taken
// inside, so T.jvp of trainingStep is the exact JVP of the step (method.md E3).

export interface Batch {
  x: Tensor;
  y: Int32Array;
  /** Per-example weights w_z (the loss is (1/|B|) sum w_z l(z)); null means all ones. */
  weights: Float64Array | null;
}

export function gatherBatch(ds: Dataset, index: ArrayLike<number>, dtype: DType, weights: Float64Array | null = null): Batch {
  const per = ds.featureShape.reduce((a, b) => a * b, 1);
  const x = allocate(dtype, index.length * per);
  const y = new Int32Array(index.length);
  const w = weights ? new Float64Array(index.length) : null;
  for (let r = 0; r < index.length; r++) {
    const i = index[r];
    // A wrong index would read zeros past the end (typed arrays do not throw): refuse it.
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) throw new RangeError(`batch position ${r}: example index ${i} is outside data set "${ds.name}" (${ds.n} examples)`);
    x.set(ds.x.subarray(i * per, (i + 1) * per), r * per);
    y[r] = ds.y[i];
    if (w) w[r] = weights![i];
  }
  return { x: fromData(x, [index.length, ...ds.featureShape]), y, weights: w };
}

export function stageBatch(stage: ResolvedStage, s: number, dtype: DType): Batch {
  return gatherBatch(stage.data, batchAt(stage.batches, s), dtype, stage.sampleWeights);
}

export type TrainingLoss = 'crossEntropy' | 'mse' | 'linear';

/** Per-example losses l(z; theta) on a batch, unweighted: [B]. */
export function exampleLosses(model: Model, params: Tensor[], batch: Pick<Batch, 'x' | 'y'>, loss: TrainingLoss = 'crossEntropy'): Tensor {
  const logits = model.forward(params, batch.x);
  const B = batch.y.length;
  const C = logits.shape[1];
  switch (loss) {
    case 'crossEntropy':
      return crossEntropy(logits, batch.y, 'none');
    case 'mse': {
      const onehot = new Float64Array(B * C);
      batch.y.forEach((c, i) => (onehot[i * C + c] = 1));
      const diff = T.sub(logits, fromData(logits.dtype === 'float64' ? onehot : Float32Array.from(onehot), [B, C]));
      return T.mul(T.sum(T.mul(diff, diff), 1), 0.5);
    }
    case 'linear':
      return T.neg(T.take(logits, Int32Array.from(batch.y, (c, i) => i * C + c), [B]));
  }
}

/** The training objective on a batch: (1/|B|) sum_z w_z l(z; theta). */
export function batchLoss(model: Model, params: Tensor[], batch: Batch, loss: TrainingLoss = 'crossEntropy'): Tensor {
  if (loss === 'crossEntropy') return crossEntropy(model.forward(params, batch.x), batch.y, 'mean', batch.weights ?? undefined);
  const per = exampleLosses(model, params, batch, loss);
  const weighted = batch.weights ? T.mul(per, fromData(per.dtype === 'float64' ? batch.weights : Float32Array.from(batch.weights), [batch.y.length])) : per;
  return T.mean(weighted);
}

export interface StepResult {
  params: Tensor[];
  state: OptimizerState;
  loss: number;
  /**
   * The gradient the optimizer received at theta_t, for the stage's trainable parameters (in order):
   * the batch loss's gradient, after clipping when the stage clips.
   */
  grads: Tensor[];
  /** The clip_grad_norm_ factor applied to grads (1: the stage does not clip, or the norm was below the limit). */
  clipScale: number;
}

/**
 * theta_{t+1}, state_{t+1} from theta_t, state_t on the stage's s-th batch with eta = lrs[s].
 * Frozen parameters pass through unchanged. With `clipGradNorm` the gradient is clipped first, as
 * torch.nn.utils.clip_grad_norm_ between backward() and optimizer.step(). `pool` (a training loop's)
 * supplies the arrays of the new parameters and optimizer slots; see stepRetired.
 */
export function trainingStep(model: Model, stage: ResolvedStage, params: Tensor[], state: OptimizerState, s: number, batch?: Batch, pool?: BufferPool): StepResult {
  const b = batch ?? stageBatch(stage, s, params[0].dtype);
  const idx = stage.trainable;
  const all = params.length === idx.length;
  const { value, grads } = T.valueAndGrad((trainable) => {
    const full = all ? trainable : params.slice();
    if (!all) idx.forEach((p, j) => (full[p] = trainable[j]));
    return batchLoss(model, full, b, stage.loss);
  })(idx.map((i) => params[i]));
  const clip = stage.spec.clipGradNorm ? clipGradNorm(grads, stage.spec.clipGradNorm) : { grads, scale: 1 };
  const updated = stage.optimizer.step(idx.map((i) => params[i]), clip.grads, state, stage.lrs[s], pool);
  const next = params.slice();
  idx.forEach((p, j) => (next[p] = updated.params[j]));
  return { params: next, state: updated.state, loss: value.item(), grads: clip.grads, clipScale: clip.scale };
}

/** The optimizer state a stage starts from: fresh, or the previous stage's when carried. */
export function stageEntryState(stage: ResolvedStage, params: Tensor[], previous: OptimizerState | null): OptimizerState {
  if (stage.carryState && previous) return previous;
  return stage.optimizer.init(stage.trainable.map((i) => params[i]));
}

/** Every tensor of an optimizer state (all slots). */
function stateTensors(state: OptimizerState): Tensor[] {
  return Object.values(state.slots).flat();
}

/**
 * For a loop that keeps only its latest (params, state): the tensors the step from `before` to
 * `after` retired, which the loop may hand back to its pool (frozen parameters and untouched slots
 * are carried over by identity, so they are not among them).
 */
export function stepRetired(before: { params: Tensor[]; state: OptimizerState }, after: { params: Tensor[]; state: OptimizerState }): Tensor[] {
  return [...retired(before.params, after.params), ...retired(stateTensors(before.state), stateTensors(after.state))];
}
