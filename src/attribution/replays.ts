import { replayMany, replaySkipping, type Run } from '../pipeline/index.js';
import type { Tensor } from '../tensor/index.js';
import type { BehaviourSet } from './behaviours.js';

// Behaviour values of counterfactual models, by replay (the retraining ground truth), with the
// cost counted so estimators can be reported as a fraction of it.

export interface ReplayProgress {
  /** Replays finished so far, of `total`. */
  done: number;
  total: number;
  /** The stages skipped by the replay that just finished. */
  skip: number[];
  seconds: number;
}

export interface GroundTruthOptions {
  /** Worker threads (default 1: replay in this thread). Each worker opens the run itself. */
  workers?: number;
  onProgress?: (p: ReplayProgress) => void;
  /** f(theta_T) when the caller already has it for these behaviours (else one forward pass computes it). */
  factual?: Float64Array;
}

export interface ReplayedValues {
  /** f(theta_T), the stored final model. */
  factual: Float64Array;
  /** f(theta_T^(-S)) per requested skip set S, in request order. */
  values: Float64Array[];
  seconds: number;
  /** Replays actually run (skipping nothing needs none: it is the stored final model). */
  replays: number;
  /** Training steps recomputed over all replays. */
  stepsReplayed: number;
}

/** Steps replaySkipping runs for `skip`: every kept stage after the first skipped one. */
export function replayCost(run: Run, skip: readonly number[]): number {
  if (skip.length === 0) return 0;
  const first = Math.min(...skip);
  let steps = 0;
  run.pipeline.stages.forEach((s, k) => {
    if (k > first && !skip.includes(k)) steps += s.steps;
  });
  return steps;
}

/**
 * Evaluates the behaviours on theta_T^(-S) for every S in `skips`. With workers > 1 the replays
 * are spread so no thread idles behind a long one: replays costing no step (trailing stages only:
 * a stored checkpoint) are read here, and the others go, longest first, to the thread with the
 * fewest steps so far (this one or one of workers - 1 worker threads, each handed its whole share
 * at start, since this thread's event loop is busy while it replays).
 * Every value is bit for bit what the one-thread path gives.
 */
export async function replayBehaviours(run: Run, behaviours: BehaviourSet, skips: number[][], opts: GroundTruthOptions = {}): Promise<ReplayedValues> {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be an integer >= 1, got ${workers}`);
  const t0 = performance.now();
  const values: Float64Array[] = new Array(skips.length);
  const needed = skips.flatMap((s, i) => (s.length > 0 ? [i] : []));
  const total = needed.length;
  let done = 0;
  const record = (i: number, params: Tensor[]) => {
    values[i] = behaviours.values(params);
    done++;
    opts.onProgress?.({ done, total, skip: skips[i], seconds: (performance.now() - t0) / 1000 });
  };
  const factual = opts.factual ?? behaviours.values(run.finalParams());
  skips.forEach((s, i) => {
    if (s.length === 0) values[i] = factual.slice();
  });
  const cost = new Map(needed.map((i) => [i, replayCost(run, skips[i])]));
  const stepping = needed.filter((i) => cost.get(i)! > 0).sort((a, b) => cost.get(b)! - cost.get(a)! || a - b);
  if (workers > 1 && stepping.length > 1) {
    // Longest first to the least-loaded thread (thread 0 is this one), so the shares end together.
    const load = new Array<number>(Math.min(workers, stepping.length)).fill(0);
    const thread = new Map<number, number>();
    for (const i of stepping) {
      const t = load.indexOf(Math.min(...load));
      thread.set(i, t);
      load[t] += cost.get(i)!;
    }
    const here = stepping.filter((i) => thread.get(i) === 0);
    const away = stepping.filter((i) => thread.get(i)! > 0);
    const stop = new AbortController();
    const pool = replayMany(run.dir, away.map((i) => skips[i]), {
      workers: load.length - 1, assign: away.map((i) => thread.get(i)! - 1), signal: stop.signal,
      onDone: (j, params) => record(away[j], params),
    });
    pool.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled meanwhile
    try {
      for (const i of needed) if (cost.get(i) === 0) record(i, replaySkipping(run, skips[i]));
      for (const i of here) record(i, replaySkipping(run, skips[i]));
    } catch (e) {
      stop.abort();
      throw e;
    }
    await pool;
  } else {
    for (const i of needed) {
      record(i, replaySkipping(run, skips[i]));
      // Yield between replays so progress output and signals get through.
      await new Promise((r) => setImmediate(r));
    }
  }
  const stepsReplayed = needed.reduce((sum, i) => sum + cost.get(i)!, 0);
  return { factual, values, seconds: (performance.now() - t0) / 1000, replays: total, stepsReplayed };
}
