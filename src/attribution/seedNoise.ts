import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mixSeed, seededPermutation } from '../data/index.js';
import { writeJsonAtomic } from '../io/index.js';
import { batchAt, batchCount, openRun, parseManifest, train, type BatchOrder, type Run } from '../pipeline/index.js';
import type { BehaviourSet } from './behaviours.js';
import { pearson } from './agreement.js';
import { leaveOneStageOut, type ReplayProgress, type RetrainingCost } from './groundTruth.js';

/** How much the retraining truth itself moves when only the batch order's seed changes. */
export interface SeedNoise {
  /** Seed offsets added to every stage's batch-order seed (0 = the factual run). */
  seeds: number[];
  /** leaveOneOut[s][k][i]: tau_k of behaviour i in the run trained with seed offset seeds[s]. */
  leaveOneOut: number[][][];
  /** Per stage: mean over behaviours of the standard deviation of tau_k across seeds. */
  meanStd: number[];
  /** Per stage: mean over pairs of seeds of the Pearson correlation between their truths (NaN if undefined). */
  crossSeedPearson: number[];
  cost: RetrainingCost;
}

/**
 * Retrains the pipeline with every stage's batch-order seed shifted by 1000·s (s = 1..extra
 * seeds; initial weights unchanged), takes leave-one-stage-out truth in each, and compares them
 * with the factual run's. A stage with an explicit batch order (a file of index lists) gets a
 * seeded permutation of it instead (see `permutedBatches`). The cross-seed correlation bounds the
 * agreement any estimator of the factual run's effects can be expected to reach on behaviours
 * this noisy.
 */
export async function seedNoise(run: Run, behaviours: (r: Run) => BehaviourSet, opts: {
  extraSeeds: number; workers?: number;
  /** Called before the pipeline is retrained with seed offset `seed` (1..extraSeeds). */
  onRun?: (seed: number) => void;
  onProgress?: (p: ReplayProgress) => void;
}): Promise<SeedNoise> {
  const t0 = performance.now();
  const raw = run.store.readManifestJson() as { stages: { name: string; batchOrder?: { seed?: number; file?: string } }[] };
  const seeds = [0, ...Array.from({ length: opts.extraSeeds }, (_, i) => i + 1)];
  const truths: number[][][] = [];
  let replays = 0;
  let stepsReplayed = 0;
  for (const s of seeds) {
    let r = run;
    if (s > 0) {
      opts.onRun?.(s);
      const m = structuredClone(raw);
      const dir = join(run.dir, 'noise', `seed-${s}`);
      m.stages.forEach((st, k) => {
        if (!st.batchOrder?.file) {
          st.batchOrder = { seed: (st.batchOrder?.seed ?? 0) + 1000 * s };
          return;
        }
        const file = join(run.dir, 'noise', `seed-${s}-batches-${k}.json`);
        mkdirSync(join(run.dir, 'noise'), { recursive: true });
        writeJsonAtomic(file, permutedBatches(run.pipeline.stages[k].batches, mixSeed(1000 * s, `explicit-batches-${k}`)));
        st.batchOrder = { file: resolve(file) };
      });
      if (!existsSync(join(dir, 'run.json')) || openRunSafe(dir) === null) {
        train({ manifest: parseManifest(m, `${run.dir} (batch seeds + ${1000 * s})`), baseDir: resolve(run.dir), path: join(dir, 'manifest.json') }, { out: dir });
      }
      r = openRun(dir);
      stepsReplayed += r.pipeline.totalSteps;
    }
    const gt = await leaveOneStageOut(r, behaviours(r), { workers: opts.workers, onProgress: opts.onProgress });
    replays += gt.replays;
    stepsReplayed += gt.stepsReplayed;
    truths.push(gt.leaveOneOut.map((a) => Array.from(a)));
  }
  const K = truths[0].length;
  const meanStd = Array.from({ length: K }, (_, k) => {
    const m = truths[0][k].length;
    let acc = 0;
    for (let i = 0; i < m; i++) {
      const xs = truths.map((t) => t[k][i]);
      const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
      acc += Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(xs.length - 1, 1));
    }
    return acc / m;
  });
  const crossSeedPearson = Array.from({ length: K }, (_, k) => {
    const rs: number[] = [];
    for (let a = 0; a < truths.length; a++) for (let b = a + 1; b < truths.length; b++) rs.push(pearson(truths[a][k], truths[b][k]).value);
    return rs.length ? rs.reduce((x, y) => x + y, 0) / rs.length : NaN;
  });
  return { seeds, leaveOneOut: truths, meanStd, crossSeedPearson, cost: { seconds: (performance.now() - t0) / 1000, replays, stepsReplayed } };
}

/**
 * An explicit batch order re-seeded: the stage's example indices, in a seeded random order, cut
 * into batches of the original sizes. Each example is seen as often as before and every batch
 * keeps its size, as with a shuffled order under another seed; a deliberate curriculum is not
 * kept.
 */
export function permutedBatches(order: BatchOrder, seed: number): number[][] {
  const perm = seededPermutation(order.indices.length, seed);
  return Array.from({ length: batchCount(order) }, (_, s) => {
    const start = order.offsets[s];
    return Array.from(batchAt(order, s), (_, j) => order.indices[perm[start + j]]);
  });
}

function openRunSafe(dir: string): Run | null {
  try {
    return openRun(dir);
  } catch {
    return null;
  }
}

