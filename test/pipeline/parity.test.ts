import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gaussianBlobs, seededPermutation, writeDatasetFile } from '../../src/data/index.js';
import { loadManifest, openRun, train } from '../../src/pipeline/index.js';
import { oracleTest, runTorch } from '../helpers/torchOracle.js';
import { scratch, writeJson } from './helpers.js';

// PyTorch parity of a whole pipeline: a float64 MLP trained in three stages (momentum SGD with
// coupled weight decay and a cosine schedule, then plain SGD, then AdamW with a step schedule),
// each stage on explicit batches of varying size. test/oracle/pipeline.py reads the same manifest,
// data files, batch lists and theta_0 (boundary-0 of our run) and trains with torch.nn /
// torch.optim / torch.optim.lr_scheduler. Every stage boundary is compared, not only the end.
// Without torch this is skipped with the reason; the optimizers' own torch checks are in test/optim.

const TOLERANCE = 1e-10;

/** Batches of sizes 8, 5, 11, 3, 8, ... cut from seeded permutations of 0..n-1. */
function batchLists(n: number, steps: number, seed: number): number[][] {
  const sizes = [8, 5, 11, 3];
  const out: number[][] = [];
  let perm = seededPermutation(n, seed);
  let at = 0;
  for (let s = 0; s < steps; s++) {
    const size = sizes[s % sizes.length];
    if (at + size > n) {
      perm = seededPermutation(n, seed + s + 1);
      at = 0;
    }
    out.push(Array.from(perm.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** Max over elements of |ours - torch| / max(|torch|, 1e-3): relative, absolute near zero. */
function maxError(ours: ArrayLike<number>, theirs: number[]): number {
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(theirs[i]), 1e-3));
  return worst;
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

oracleTest('a 3-stage float64 pipeline matches torch.nn + torch.optim + lr_scheduler', (t) => {
  const dir = scratch();
  writeDatasetFile(join(dir, 'a.safetensors'), gaussianBlobs({ n: 48, dim: 5, numClasses: 3, seed: 7, sep: 1.5 }));
  writeDatasetFile(join(dir, 'b.safetensors'), gaussianBlobs({ n: 40, dim: 5, numClasses: 3, seed: 8, sep: 1.5 }));
  const stages = [
    { name: 'pretrain', data: 'a', steps: 24, optimizer: { kind: 'sgd', lr: 0.2, momentum: 0.9, weightDecay: 0.01 }, schedule: { kind: 'cosine', etaMin: 0.01 } },
    { name: 'finetune', data: 'b', steps: 15, optimizer: { kind: 'sgd', lr: 0.1 } },
    { name: 'align', data: 'a', steps: 16, optimizer: { kind: 'adamw', lr: 0.01, weightDecay: 0.05 }, schedule: { kind: 'step', stepSize: 5, gamma: 0.5 } },
  ];
  stages.forEach((s, k) => writeJson(join(dir, `batches-${s.name}.json`), batchLists(s.data === 'a' ? 48 : 40, s.steps, 100 + k)));
  const manifestPath = writeJson(join(dir, 'pipeline.json'), {
    name: 'torch-parity',
    dtype: 'float64',
    model: { kind: 'mlp', inputDim: 5, hidden: [7, 6], numClasses: 3, activation: 'tanh' },
    init: { seed: 11 },
    datasets: { a: { file: 'a.safetensors' }, b: { file: 'b.safetensors' } },
    stages: stages.map((s) => ({ ...s, batchSize: 8, batchOrder: { file: `batches-${s.name}.json` } })),
  });
  const out = join(dir, 'run');
  const result = train(loadManifest(manifestPath), { out });
  const torch = runTorch('pipeline.py', { manifest: manifestPath, run: out }) as { names: string[]; boundaries: unknown[][] };

  const run = openRun(out);
  assert.deepEqual(torch.names, run.pipeline.model.params.map((p) => p.name));
  let worst = 0;
  torch.boundaries.forEach((theirs, k) => {
    const ours = run.boundary(k + 1).params;
    ours.forEach((p, i) => {
      const err = maxError(p.data, flat(theirs[i]));
      worst = Math.max(worst, err);
      assert.ok(err <= TOLERANCE, `boundary ${k + 1} (after "${stages[k].name}"), ${torch.names[i]}: error ${err.toExponential(2)} > ${TOLERANCE}`);
    });
  });
  // The stages moved the parameters well away from theta_0, so agreement is not vacuous.
  const moved = maxError(run.boundary(0).params[0].data, flat(torch.boundaries[2][0]));
  assert.ok(moved > 0.1, `the parameters barely moved (${moved})`);
  assert.equal(result.finalParams.length, torch.names.length);
  t.diagnostic(`max parity error over all boundaries: ${worst.toExponential(2)}`);
});
