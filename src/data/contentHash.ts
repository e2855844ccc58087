import { createHash } from 'node:crypto';
import type { Dataset } from './dataset.js';

// The content hash a run records for each data set (pipeline/integrity.ts), and a memo of it for
// data sets read from the data cache: hashing the float64 examples costs ~0.2 s per open of the
// demo's run, while the cache entry holds that hash, computed when it was written, plus a digest
// of the entry's stored bytes (8x smaller than the examples) that proves the entry unchanged.

/** The bytes of a typed array's view (no copy), for hashing. */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** sha256 of a data set's content: shape, classes, examples, labels and group columns. */
export function computeContentHash(ds: Dataset): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ n: ds.n, featureShape: ds.featureShape, numClasses: ds.numClasses }));
  h.update(bytesOf(ds.x instanceof Float64Array ? ds.x : Float64Array.from(ds.x)));
  h.update(bytesOf(ds.y));
  for (const name of Object.keys(ds.groups ?? {}).sort()) {
    h.update(`groups.${name}`);
    h.update(bytesOf(ds.groups![name]));
  }
  return h.digest('hex');
}

/** sha256 over named stored arrays, in name order (a cache entry's tensors as written). */
export function storedDigest(arrays: Record<string, ArrayBufferView>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(arrays).sort()) h.update(name).update('\0').update(bytesOf(arrays[name]));
  return h.digest('hex');
}

const known = new WeakMap<Dataset, string>();

/** Records the content hash of a data set whose content it is known to be (a verified cache entry). */
export function rememberContentHash(ds: Dataset, hash: string): void {
  known.set(ds, hash);
}

/** The remembered hashes of some data sets, by key (to hand to a worker thread with them). */
export function rememberedContentHashes(datasets: Record<string, Dataset>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, ds] of Object.entries(datasets)) {
    const h = known.get(ds);
    if (h !== undefined) out[key] = h;
  }
  return out;
}

/** The data set's content hash: remembered for verified cache entries, computed otherwise. */
export function contentHash(ds: Dataset): string {
  return known.get(ds) ?? computeContentHash(ds);
}
