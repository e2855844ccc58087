import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replaySkipping, stageEntryState, stageBatch, trainingStep } from '../../src/pipeline/index.js';
import { stepRetired } from '../../src/pipeline/trainingStep.js';
import type { OptimizerState } from '../../src/optim/index.js';
import { BufferPool, Rng, randn, tensor, type Tensor } from '../../src/tensor/index.js';
import { blobRun, stagesFor } from '../attribution/helpers.js';

// Training loops recycle the arrays a step retired (BufferPool). A recycled array must never be
// one the loop or its caller can still read, and recycling must change no bit.

const bits = (ts: Tensor[]) => ts.map((t) => Array.from(t.data));

test('the pool hands out only arrays it made and that were released, each once', () => {
  const pool = new BufferPool();
  const a = pool.take(6);
  const foreign = randn([6], new Rng(1));
  pool.release([foreign, tensor([1, 2, 3])]);
  assert.equal(pool.freeCount, 0, 'tensors the pool did not make are never recycled');
  assert.notEqual(pool.take(6), a, 'an array not released is not handed out again');
  const t = tensor(Array.from(a));
  const owned = new (t.constructor as typeof Tensor)(a, [6]);
  pool.release([owned, owned]);
  assert.equal(pool.freeCount, 1, 'a double release puts the array on the free list once');
  assert.equal(pool.take(6), a);
  assert.equal(pool.freeCount, 0);
  assert.notEqual(pool.take(6), a, 'taken once, it is not handed out twice');
  assert.notEqual(pool.take(3), a, 'lengths are kept apart');
});

const mlp = { kind: 'mlp', inputDim: 5, hidden: [4], numClasses: 3, activation: 'tanh' };
const sgd = { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0.001 };
// Adam state carried from stage 1 into stage 2, the first layer frozen in stage 0.
const stages = stagesFor([sgd, { kind: 'adam', lr: 0.01 }, sgd], true);
(stages[0] as { frozen?: string[] }).frozen = ['0.'];
const run = blobRun({ model: mlp, stages });

/** replaySkipping's loop without a pool, as the reference. */
function replayUnpooled(skip: number[]): Tensor[] {
  const { pipeline } = run;
  let params = run.boundary(0).params;
  let previous: OptimizerState | null = run.boundary(0).optimizer;
  pipeline.stages.forEach((stage, k) => {
    const state0 = stageEntryState(stage, params, previous);
    if (skip.includes(k)) return void (previous = state0);
    let state = state0;
    for (let s = 0; s < stage.steps; s++) ({ params, state } = trainingStep(pipeline.model, stage, params, state, s, stageBatch(stage, s, pipeline.dtype)));
    previous = state;
  });
  return params;
}

test('recycling changes no bit: pooled training and replays equal the unpooled loop', () => {
  assert.deepEqual(bits(run.finalParams()), bits(replayUnpooled([])), 'train');
  for (const skip of [[], [0], [1], [0, 2]]) assert.deepEqual(bits(replaySkipping(run, skip, { from: 0 })), bits(replayUnpooled(skip)), `skip ${skip}`);
});

test('a recycled array is never one a live tensor still reads', () => {
  const { pipeline } = run;
  const pool = new BufferPool();
  const taken: Float64Array[] = [];
  const take = pool.take.bind(pool);
  pool.take = (n) => {
    const a = take(n);
    taken.push(a);
    return a;
  };
  let params = run.boundary(0).params;
  let previous: OptimizerState | null = run.boundary(0).optimizer;
  let recycled = 0;
  pipeline.stages.forEach((stage) => {
    let state = stageEntryState(stage, params, previous);
    for (let s = 0; s < stage.steps; s++) {
      // What the loop still holds before the step, with a copy of its values.
      const live = [...params, ...Object.values(state.slots).flat()];
      const copies = bits(live);
      taken.length = 0;
      const r = trainingStep(pipeline.model, stage, params, state, s, stageBatch(stage, s, pipeline.dtype), pool);
      for (const a of taken) assert.ok(!live.some((t) => t.data === a), `stage ${stage.name} step ${s}: a live array was handed out`);
      assert.deepEqual(bits(live), copies, 'the step changed no tensor it was given');
      recycled += taken.filter((a) => a.length > 0).length;
      pool.release(stepRetired({ params, state }, r));
      ({ params, state } = r);
    }
    previous = state;
  });
  assert.ok(recycled > 0 && pool.freeCount > 0, 'the pool was used');
  assert.deepEqual(bits(params), bits(run.finalParams()));
});
