// Seeded fuzzers shared by the CI tests (test/io/safetensorsFuzz.test.ts,
// test/pipeline/fuzz.test.ts: fast, ~10^4 cases) and the long runs (bench/integrity.bench.ts).
// Each returns counts and the first few failures; a failure is an engine exception (an error the
// project did not write: TypeError from a null field, "Maximum call stack", SyntaxError...) or an
// accepted input that yields wrong results.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type StDType, type StTensor } from '../../src/io/index.js';
import {
  checkResourceLimits, ManifestError, openRun, parseManifest, resolvePipeline, ResourceLimitError, train, verifyRun,
} from '../../src/pipeline/index.js';

/** mulberry32: a small seeded generator (tests must be deterministic). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENGINE_PATTERNS = [
  /Cannot read propert/, /Cannot set propert/, /is not a function/, /is not iterable/, /Maximum call stack/,
  /Invalid typed array length/, /Invalid array length/, /Array buffer allocation failed/, /Unexpected token/,
  /Cannot convert/, /undefined is not/, /null is not/, /Offset is outside/, /Invalid string length/,
  /out of memory/i, /Cannot create property/, /is not defined/, /Unexpected end of JSON/,
];

/** An error the project did not write itself. */
export function isEngineError(e: unknown): boolean {
  if (!(e instanceof Error)) return true;
  if (e instanceof SyntaxError || e instanceof ReferenceError) return true;
  return ENGINE_PATTERNS.some((p) => p.test(e.message));
}

export interface FuzzResult {
  cases: number;
  accepted: number;
  rejected: number;
  /** Engine exceptions and other failures, first few with their case number. */
  failures: string[];
  failureCount: number;
}

function record(r: FuzzResult, i: number, what: string): void {
  r.failureCount++;
  if (r.failures.length < 5) r.failures.push(`case ${i}: ${what}`);
}

// ---- safetensors ------------------------------------------------------------------------------

const DTYPES: StDType[] = ['F64', 'F32', 'I32', 'I64', 'U8', 'F16', 'BF16'];
const NAMES = ['w', 'b', 'layer.0.weight', '__proto__', 'ünï', 'constructor', 'x y', 'a'.repeat(40)];

function randomTensor(r: () => number, dtype: StDType): StTensor {
  const rank = Math.floor(r() * 4);
  const shape = Array.from({ length: rank }, () => Math.floor(r() * 4));
  const n = shape.reduce((a, b) => a * b, 1);
  switch (dtype) {
    case 'F64': return { dtype, shape, data: Float64Array.from({ length: n }, () => (r() - 0.5) * 1e3) };
    case 'F32': case 'F16': case 'BF16': return { dtype, shape, data: Float32Array.from({ length: n }, () => Math.fround((r() - 0.5) * 8)) };
    case 'I32': return { dtype, shape, data: Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 31)) };
    case 'I64': return { dtype, shape, data: BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 52))) };
    case 'U8': return { dtype, shape, data: Uint8Array.from({ length: n }, () => Math.floor(r() * 256)) };
  }
}

function mutateBytes(r: () => number, src: Uint8Array): Uint8Array {
  let b: Uint8Array = src.slice();
  const ops = 1 + Math.floor(r() * 3);
  for (let k = 0; k < ops; k++) {
    const pos = Math.floor(r() * Math.max(1, b.length));
    switch (Math.floor(r() * 7)) {
      case 0: if (b.length) b[pos] ^= 1 << Math.floor(r() * 8); break;
      case 1: b = b.slice(0, pos); break; // truncate
      case 2: { const ins = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256)); b = new Uint8Array([...b.subarray(0, pos), ...ins, ...b.subarray(pos)]); break; }
      case 3: if (b.length >= 8) new DataView(b.buffer, b.byteOffset).setBigUint64(0, BigInt(Math.floor(r() * 2 ** 40)), true); break;
      case 4: { // a header character replaced by a JSON-significant one
        const ch = '{}[]",:0-9e.'.charCodeAt(Math.floor(r() * 12));
        const headerLen = b.length >= 8 ? Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)) : 0;
        if (headerLen > 0 && headerLen < b.length) b[8 + Math.floor(r() * headerLen)] = ch;
        break;
      }
      case 5: if (b.length) b[pos] = Math.floor(r() * 256); break;
      default: b = b.subarray(0, Math.max(0, b.length - Math.floor(r() * 16))).slice(); break;
    }
  }
  return b;
}

function sameContents(a: ReturnType<typeof decodeSafetensors>, b: ReturnType<typeof decodeSafetensors>): boolean {
  const ka = Object.keys(a.tensors).sort();
  const kb = Object.keys(b.tensors).sort();
  if (ka.join('\u0000') !== kb.join('\u0000')) return false;
  if (JSON.stringify(a.metadata) !== JSON.stringify(b.metadata)) return false;
  return ka.every((k) => {
    const [x, y] = [a.tensors[k], b.tensors[k]];
    if (x.dtype !== y.dtype || x.shape.join() !== y.shape.join() || x.data.length !== y.data.length) return false;
    for (let i = 0; i < x.data.length; i++) if (!Object.is(x.data[i], y.data[i])) return false;
    return true;
  });
}

/**
 * Random valid files round-trip exactly; mutated files are either refused with SafetensorsError
 * or decode to contents that re-encode and decode to the same contents.
 */
export function fuzzSafetensors(cases: number, seed: number): FuzzResult {
  const r = rng(seed);
  const res: FuzzResult = { cases, accepted: 0, rejected: 0, failures: [], failureCount: 0 };
  for (let i = 0; i < cases; i++) {
    const tensors: Record<string, StTensor> = {};
    const count = Math.floor(r() * 4);
    for (let t = 0; t < count; t++) tensors[`${NAMES[Math.floor(r() * NAMES.length)]}${t}`] = randomTensor(r, DTYPES[Math.floor(r() * DTYPES.length)]);
    const metadata = r() < 0.5 ? { note: `case ${i}`, 'stagecredit.x': '{"a":[1,2]}' } : undefined;
    const bytes = encodeSafetensors(tensors, metadata);
    let original;
    try {
      original = decodeSafetensors(bytes, 'fuzz');
      if (!sameContents(original, decodeSafetensors(encodeSafetensors(original.tensors, original.metadata), 'fuzz'))) record(res, i, 'a valid file does not round-trip');
    } catch (e) {
      record(res, i, `a valid file is refused: ${(e as Error).message}`);
      continue;
    }
    const mutated = mutateBytes(r, bytes);
    try {
      const got = decodeSafetensors(mutated, 'fuzz');
      res.accepted++;
      const again = decodeSafetensors(encodeSafetensors(got.tensors, Object.keys(got.metadata).length ? got.metadata : undefined), 'fuzz');
      if (!sameContents(got, again)) record(res, i, 'an accepted mutation does not re-encode to the same contents');
    } catch (e) {
      res.rejected++;
      if (!(e instanceof SafetensorsError) || isEngineError(e)) record(res, i, `${(e as Error).name}: ${(e as Error).message}`);
      else if (!e.message.startsWith('fuzz: ')) record(res, i, `error does not name the file: ${e.message}`);
    }
  }
  return res;
}

// ---- manifests --------------------------------------------------------------------------------

const WEIRD: unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53 + 2, 1e308, -1e308, '', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
  [], {}, [[[[[]]]]], { kind: 'sgd' }, 'a', 1e9, 3, 'relu', { file: '/dev/zero' }, { file: 'missing.json' }, ['a'], [0, 1, 2],
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

/** One random edit of a JSON tree: replace, delete or add a field somewhere in it. */
function mutateJson(r: () => number, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || (depth > 0 && r() < 0.25)) {
    return r() < 0.5 ? structuredClone(pick(r, WEIRD)) : typeof value === 'number' ? value * pick(r, [-1, 0, 1e6, 0.5, 1e-9]) : structuredClone(pick(r, WEIRD));
  }
  if (Array.isArray(value)) {
    const out = value.slice();
    const choice = r();
    if (out.length && choice < 0.7) { const i = Math.floor(r() * out.length); out[i] = mutateJson(r, out[i], depth + 1); }
    else if (out.length && choice < 0.85) out.splice(Math.floor(r() * out.length), 1);
    else out.push(out.length ? structuredClone(out[0]) : structuredClone(pick(r, WEIRD)));
    return out;
  }
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(out);
  const choice = r();
  if (keys.length && choice < 0.7) { const k = pick(r, keys); out[k] = mutateJson(r, out[k], depth + 1); }
  else if (keys.length && choice < 0.85) delete out[pick(r, keys)];
  else Object.defineProperty(out, pick(r, ['__proto__', 'constructor', 'extra', 'toString']), { value: structuredClone(pick(r, WEIRD)), enumerable: true, configurable: true, writable: true });
  return out;
}

/**
 * Mutated manifests through every check before training: the schema, the resource limits (with
 * a small memory budget), then resolving data, batches and schedules. Every refusal must be the
 * project's own error; every accepted manifest must resolve to the stages it lists.
 */
export function fuzzManifests(cases: number, seed: number, base: Record<string, unknown>, baseDir: string, opts: { trainUpTo?: number } = {}): FuzzResult & { trained: number } {
  const r = rng(seed);
  const res = { cases, accepted: 0, rejected: 0, failures: [] as string[], failureCount: 0, trained: 0 };
  for (let i = 0; i < cases; i++) {
    let m: unknown = base;
    const edits = 1 + Math.floor(r() * 3);
    for (let k = 0; k < edits; k++) m = mutateJson(r, m);
    try {
      const manifest = parseManifest(JSON.parse(JSON.stringify(m)) as unknown, 'fuzz.json');
      checkResourceLimits(manifest, baseDir, { memoryBytes: 64 * 2 ** 20 });
      const p = resolvePipeline({ manifest, baseDir, path: join(baseDir, 'fuzz.json') }, { maxOrderIndices: 2 ** 20 });
      res.accepted++;
      if (p.stages.length !== manifest.stages.length || p.stages.some((s, k) => s.name !== manifest.stages[k].name || s.steps !== s.lrs.length)) record(res, i, 'resolved stages differ from the manifest');
      if (manifest.evaluation && !p.evaluation) record(res, i, 'the manifest names an evaluation set but none was resolved');
      // A few tiny accepted manifests are trained: the run must be consistent and reopen to the same result.
      if (res.trained < (opts.trainUpTo ?? 0) && p.totalSteps <= 40) {
        res.trained++;
        const out = join(baseDir, `fuzz-run-${i}`);
        try {
          const t = train({ manifest, baseDir, path: join(baseDir, 'fuzz.json') }, { out });
          const v = verifyRun(out);
          if (!v.ok) record(res, i, `trained run is inconsistent: ${v.findings.filter((f) => !f.ok).map((f) => f.message).join('; ')}`);
          const reopened = openRun(out);
          if (reopened.pipeline.boundaries.join() !== p.boundaries.join() || !reopened.finalParams().every((q, j) => q.data.every((x, n) => Object.is(x, t.finalParams[j].data[n])))) {
            record(res, i, 'the trained run reopens to other stages or parameters');
          }
        } catch (e) {
          if (isEngineError(e) || !/diverged|ManifestError/.test(`${(e as Error).name} ${(e as Error).message}`)) record(res, i, `training an accepted manifest failed: ${(e as Error).name}: ${(e as Error).message.slice(0, 300)}`);
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }
    } catch (e) {
      res.rejected++;
      if (isEngineError(e)) record(res, i, `${(e as Error).name}: ${(e as Error).message.slice(0, 300)}\n    manifest: ${JSON.stringify(m).slice(0, 1500)}`);
      else if (!(e instanceof ManifestError || e instanceof ResourceLimitError)) record(res, i, `not a ManifestError/ResourceLimitError (names no field): ${(e as Error).message.slice(0, 300)}`);
    }
  }
  return res;
}

// ---- run directories ----------------------------------------------------------------------------

const RUN_FILES = ['run.json', 'manifest.json', 'trace.safetensors', 'checkpoints/boundary-0.safetensors', 'checkpoints/boundary-1.safetensors', 'checkpoints/boundary-2.safetensors'];

/**
 * Damages one file of a trained run directory per case (bytes or JSON fields), then opens the run
 * and reads every boundary. Either the project refuses it (naming a file of the run), or every
 * value read is bit-identical to the undamaged run's: damage is never silently used.
 */
export function fuzzRunDirectory(cases: number, seed: number, runDir: string): FuzzResult {
  const r = rng(seed);
  const res: FuzzResult = { cases, accepted: 0, rejected: 0, failures: [], failureCount: 0 };
  const reference = openRun(runDir);
  const K = reference.pipeline.stages.length;
  const refParams = Array.from({ length: K + 1 }, (_, k) => reference.boundary(k).params.map((p) => Float64Array.from(p.data)));
  const refBatches = reference.pipeline.stages.map((s) => Array.from(s.batches.indices).join());
  const originals = new Map(RUN_FILES.map((f) => [f, readFileSync(join(runDir, f))]));
  for (let i = 0; i < cases; i++) {
    const file = pick(r, RUN_FILES);
    const path = join(runDir, file);
    const orig = originals.get(file)!;
    if (file.endsWith('.json') && r() < 0.7) {
      let edited: unknown = JSON.parse(orig.toString('utf8'));
      edited = mutateJson(r, edited);
      writeFileSync(path, JSON.stringify(edited, null, 2));
    } else {
      writeFileSync(path, mutateBytes(r, new Uint8Array(orig)));
    }
    try {
      const run = openRun(runDir);
      let same = run.pipeline.stages.every((s, k) => Array.from(s.batches.indices).join() === refBatches[k]);
      for (let k = 0; k <= K && same; k++) same = run.boundary(k).params.every((p, j) => p.data.every((v, n) => Object.is(v, refParams[k][j][n])));
      res.accepted++;
      if (!same) record(res, i, `${file}: damage accepted and used (values differ from the undamaged run)`);
    } catch (e) {
      res.rejected++;
      const msg = (e as Error).message;
      if (isEngineError(e)) record(res, i, `${file}: ${(e as Error).name}: ${msg.slice(0, 300)}`);
      else if (!msg.includes(runDir)) record(res, i, `${file}: error names no file of the run: ${msg.slice(0, 300)}`);
    }
    // verify must never crash either (it reports, it does not throw).
    try {
      verifyRun(runDir);
    } catch (e) {
      record(res, i, `${file}: verify threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`);
    }
    writeFileSync(path, orig);
  }
  return res;
}
