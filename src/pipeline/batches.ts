import { mixSeed, seededPermutation } from '../data/index.js';
import { readJsonFile } from '../io/index.js';

/**
 * A stage's batch order: batch s holds indices[offsets[s] .. offsets[s+1]) into the stage's data
 * (after any subset). Stored in the run directory so replays reuse the factual batches exactly.
 */
export interface BatchOrder {
  offsets: Int32Array;
  indices: Int32Array;
}

export function batchCount(b: BatchOrder): number {
  return b.offsets.length - 1;
}

export function batchAt(b: BatchOrder, s: number): Int32Array {
  return b.indices.subarray(b.offsets[s], b.offsets[s + 1]);
}

/**
 * Shuffled epochs, as a PyTorch DataLoader with shuffle=True: each epoch is a fresh seeded
 * permutation cut into batches (the last one partial unless dropLast). With `steps`, epochs
 * repeat until that many batches exist; with `epochs`, all of their batches are used.
 */
/** Int32 offsets cap a batch order at 2^31 - 1 indices. */
export const MAX_ORDER_INDICES = 2 ** 31 - 1;

export function shuffledBatches(n: number, opts: { seed: number; batchSize: number; steps?: number; epochs?: number; dropLast: boolean; maxIndices?: number }): BatchOrder {
  const { seed, batchSize, dropLast } = opts;
  if (n <= 0) throw new Error('batch order: the stage has no examples');
  if (dropLast && n < batchSize) throw new Error(`batch order: dropLast with batchSize ${batchSize} leaves no batch from ${n} examples`);
  const perEpoch = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  const steps = opts.steps ?? perEpoch * (opts.epochs ?? 1);
  // Offsets are Int32 and the order is held in memory: refuse what cannot be represented.
  const total = Math.min(steps * batchSize, opts.epochs !== undefined && opts.steps === undefined ? n * opts.epochs : Infinity);
  if (!Number.isSafeInteger(steps) || total > (opts.maxIndices ?? MAX_ORDER_INDICES)) {
    throw new Error(`batch order: ${steps} steps of up to ${batchSize} examples (${total.toExponential(2)} indices) exceed the limit of ${opts.maxIndices ?? MAX_ORDER_INDICES} indices`);
  }
  const offsets = new Int32Array(steps + 1);
  const chunks: Int32Array[] = [];
  let s = 0;
  let filled = 0;
  for (let epoch = 0; s < steps; epoch++) {
    const perm = seededPermutation(n, mixSeed(seed, `epoch-${epoch}`));
    for (let start = 0; start < n && s < steps; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      if (dropLast && end - start < batchSize) break;
      chunks.push(perm.subarray(start, end));
      filled += end - start;
      offsets[++s] = filled;
    }
  }
  return { offsets, indices: concatInt32(chunks, filled) };
}

/** Explicit batches: a list of index lists, each checked against the data size. */
export function explicitBatches(lists: unknown, n: number, source: string): BatchOrder {
  if (!Array.isArray(lists) || lists.length === 0) throw new Error(`${source}: expected a non-empty JSON array of batches (arrays of example indices)`);
  const chunks: Int32Array[] = [];
  const offsets = new Int32Array(lists.length + 1);
  let total = 0;
  lists.forEach((batch, s) => {
    if (!Array.isArray(batch) || batch.length === 0) throw new Error(`${source}: batch ${s} must be a non-empty array of indices`);
    batch.forEach((i, j) => {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`${source}: batch ${s}, position ${j}: index ${JSON.stringify(i)} is not an integer in [0, ${n})`);
    });
    chunks.push(Int32Array.from(batch as number[]));
    total += batch.length;
    offsets[s + 1] = total;
  });
  return { offsets, indices: concatInt32(chunks, total) };
}

export function readExplicitBatches(path: string, n: number): BatchOrder {
  let json: unknown;
  try {
    json = readJsonFile(path);
  } catch (e) {
    throw new Error(`cannot read batch list: ${(e as Error).message}`);
  }
  return explicitBatches(json, n, path);
}

function concatInt32(chunks: Int32Array[], total: number): Int32Array {
  const out = new Int32Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
