import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeSafetensors, parseJsonText, readFileBounded, sha256Hex, writeFileAtomic, writeSafetensors, MAX_JSON_BYTES, type StTensor } from '../io/index.js';
import type { BatchOrder } from './batches.js';

// The trace store: one directory per run holding what attribution needs and nothing it can
// recompute cheaply. Every write is atomic (temp file + rename), so a killed run leaves the
// last complete checkpoint and a consistent status file.
//
//   manifest.json                 the validated manifest (data paths resolved)
//   run.json                      status, stage boundaries T_k, per-stage summaries, timings, and
//                                 the sha256 of every file above/below and of the data trained on
//   trace.safetensors             per stage: batch indices/offsets and the resolved learning rates
//   checkpoints/boundary-K.safetensors   parameters + optimizer state after K stages (K = 0: theta_0)
//   checkpoints/step-T.safetensors       optional periodic checkpoints (global step T)
//   final.safetensors             the final parameters alone, named as a PyTorch state_dict
//   .stagecredit.lock             present while a command writes into the directory (lock.ts)
//
// run.json is written last in every sequence, so a file it records a hash for is complete.

export interface StageSummary {
  name: string;
  /** Global step range [T_{k-1}, T_k). */
  startStep: number;
  endStep: number;
  trainLoss: number | null;
  evalLoss: number | null;
  evalAccuracy: number | null;
  seconds: number;
}

/** Content hashes of the data a run was trained on (see integrity.ts). */
export interface InputHashes {
  /** Per data set of the manifest: sha256 of its examples, labels and group columns. */
  datasets: Record<string, string>;
  /** Per stage: sha256 of its data view (after subset) and sample weights. */
  stages: string[];
}

export type RunState = 'running' | 'complete' | 'failed' | 'interrupted';

export interface RunStatus {
  format: 'stagecredit-run';
  version: 1;
  name: string;
  /** interrupted: stopped by SIGINT/SIGTERM (resumable); failed: stopped by an error. */
  status: RunState;
  error?: string;
  /** T_0..T_K: global step at each stage boundary. */
  boundaries: number[];
  stages: StageSummary[];
  latestCheckpoint: string | null;
  totalSteps: number;
  stepsDone: number;
  trainSeconds: number;
  updatedAt: string;
  /** Set when the run was recorded outside stagecredit (python/stagecredit_recorder.py). */
  recordedBy?: RecordedBy;
  /** sha256 of each file of the run when it was written, by path relative to the run directory. */
  files?: Record<string, string>;
  inputs?: InputHashes;
}

export interface RecordedBy {
  tool: string;
  torch?: string;
  /** 'estimates only': dropout, augmentation or float32 made the run impossible to replay bit-for-bit. */
  replay: 'exact' | 'estimates only';
  reasons: string[];
}

const nonNegInt = z.number().int().nonnegative();
const nullableNumber = z.number().nullable();
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex');

const statusSchema = z.object({
  format: z.literal('stagecredit-run'),
  version: z.literal(1),
  name: z.string(),
  status: z.enum(['running', 'complete', 'failed', 'interrupted']),
  error: z.string().optional(),
  boundaries: z.array(nonNegInt).min(2),
  stages: z.array(z.object({
    name: z.string(), startStep: nonNegInt, endStep: nonNegInt, trainLoss: nullableNumber, evalLoss: nullableNumber,
    evalAccuracy: nullableNumber, seconds: z.number().nonnegative(),
  }).strict()),
  latestCheckpoint: z.string().regex(/^checkpoints\/(boundary-\d+|step-\d{8,})\.safetensors$/, 'checkpoints/boundary-K.safetensors or checkpoints/step-T.safetensors').nullable(),
  totalSteps: nonNegInt,
  stepsDone: nonNegInt,
  trainSeconds: z.number().nonnegative(),
  updatedAt: z.string(),
  files: z.record(z.string(), sha).optional(),
  inputs: z.object({ datasets: z.record(z.string(), sha), stages: z.array(sha) }).strict().optional(),
  recordedBy: z.object({
    tool: z.string(), torch: z.string().optional(), replay: z.enum(['exact', 'estimates only']), reasons: z.array(z.string()),
  }).strict().optional(),
}).strict();

/** A run directory whose files disagree with each other or with what was recorded. */
export class RunIntegrityError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'RunIntegrityError';
  }
}

export interface StageTrace {
  batches: BatchOrder;
  lrs: Float64Array;
}

/** Formats the first zod issue as "field: message". */
export function zodIssue(error: z.ZodError): string {
  const i = error.issues[0];
  const field = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${field || '(root)'}: ${i.message}`;
}

export class RunStore {
  constructor(readonly dir: string) {}

  get manifestPath(): string { return join(this.dir, 'manifest.json'); }
  get statusPath(): string { return join(this.dir, 'run.json'); }
  get tracePath(): string { return join(this.dir, 'trace.safetensors'); }
  get checkpointDir(): string { return join(this.dir, 'checkpoints'); }
  get finalPath(): string { return join(this.dir, 'final.safetensors'); }

  boundaryPath(k: number): string { return join(this.checkpointDir, `boundary-${k}.safetensors`); }
  stepPath(t: number): string { return join(this.checkpointDir, `step-${String(t).padStart(8, '0')}.safetensors`); }

  ensure(): void {
    mkdirSync(this.checkpointDir, { recursive: true });
  }

  exists(): boolean {
    return existsSync(this.statusPath);
  }

  writeStatus(s: RunStatus): void {
    writeJsonText(this.statusPath, { ...s, updatedAt: new Date().toISOString() });
  }

  readStatus(): RunStatus {
    if (!this.exists()) throw new Error(`${this.dir} is not a stagecredit run directory (no run.json); create one with \`stagecredit train\``);
    const parsed = statusSchema.safeParse(readJson(this.statusPath));
    if (!parsed.success) throw new RunIntegrityError(this.statusPath, `not a valid run status file (${zodIssue(parsed.error)}); the run directory is damaged`);
    const s = parsed.data as RunStatus;
    if (s.boundaries[0] !== 0 || s.boundaries.some((b, i) => i > 0 && b < s.boundaries[i - 1])) throw new RunIntegrityError(this.statusPath, 'boundaries: must start at 0 and never decrease');
    if (s.boundaries[s.boundaries.length - 1] !== s.totalSteps) throw new RunIntegrityError(this.statusPath, 'totalSteps: differs from the last boundary');
    if (s.stages.length > s.boundaries.length - 1) throw new RunIntegrityError(this.statusPath, 'stages: more summaries than stages');
    return s;
  }

  /** Writes manifest.json; returns the sha256 of its bytes. */
  writeManifest(value: unknown): string {
    return writeJsonText(this.manifestPath, value);
  }

  /** manifest.json, checked against its recorded hash when `status` has one. */
  readManifestJson(status?: RunStatus): unknown {
    const bytes = this.verifiedBytes('manifest.json', status, MAX_JSON_BYTES);
    return parseJsonText(bytes.toString('utf8'), this.manifestPath);
  }

  /** Writes trace.safetensors; returns the sha256 of its bytes. */
  writeTrace(names: string[], stages: StageTrace[]): string {
    const tensors: Record<string, StTensor> = {};
    stages.forEach((s, k) => {
      tensors[`stage${k}.offsets`] = { dtype: 'I32', shape: [s.batches.offsets.length], data: s.batches.offsets };
      tensors[`stage${k}.indices`] = { dtype: 'I32', shape: [s.batches.indices.length], data: s.batches.indices };
      tensors[`stage${k}.lrs`] = { dtype: 'F64', shape: [s.lrs.length], data: s.lrs };
    });
    return writeSafetensors(this.tracePath, tensors, { 'stagecredit.stages': JSON.stringify(names) });
  }

  /**
   * The trace, checked against its recorded hash and for its shape: per stage, offsets start at
   * 0, never decrease and end at the index count; one finite learning rate per batch. Indices
   * are checked against the data sizes when the pipeline is resolved (resolve.ts).
   */
  readTrace(status?: RunStatus): StageTrace[] {
    const path = this.tracePath;
    const { tensors, metadata } = decodeSafetensors(this.verifiedBytes('trace.safetensors', status), path);
    const raw = Object.hasOwn(metadata, 'stagecredit.stages') ? metadata['stagecredit.stages'] : '[]';
    const names = parseJsonText(raw, `${path} metadata "stagecredit.stages"`, 2);
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new RunIntegrityError(path, 'metadata "stagecredit.stages" must be a list of stage names');
    return names.map((_, k) => {
      const get = (key: string, dtype: 'I32' | 'F64') => {
        const name = `stage${k}.${key}`;
        const t = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
        if (!t) throw new RunIntegrityError(path, `missing "${name}"`);
        if (t.dtype !== dtype || t.shape.length !== 1) throw new RunIntegrityError(path, `"${name}" must be a 1-D ${dtype} tensor`);
        return t.data;
      };
      const offsets = get('offsets', 'I32') as Int32Array;
      const indices = get('indices', 'I32') as Int32Array;
      const lrs = get('lrs', 'F64') as Float64Array;
      if (offsets.length < 2 || offsets[0] !== 0 || offsets[offsets.length - 1] !== indices.length) {
        throw new RunIntegrityError(path, `"stage${k}.offsets" must run from 0 to the number of indices (${indices.length})`);
      }
      for (let s = 1; s < offsets.length; s++) if (offsets[s] <= offsets[s - 1]) throw new RunIntegrityError(path, `"stage${k}.offsets": batch ${s - 1} is empty or out of order`);
      if (lrs.length !== offsets.length - 1) throw new RunIntegrityError(path, `"stage${k}.lrs" has ${lrs.length} learning rates for ${offsets.length - 1} batches`);
      for (let s = 0; s < lrs.length; s++) if (!Number.isFinite(lrs[s])) throw new RunIntegrityError(path, `"stage${k}.lrs"[${s}] is not finite`);
      return { batches: { offsets, indices }, lrs };
    });
  }

  /**
   * The bytes of a file of the run (`rel` to the directory), refused when run.json recorded a
   * different sha256 for it: the file was replaced or edited after it was written.
   */
  verifiedBytes(rel: string, status?: RunStatus, maxBytes?: number): Buffer {
    const path = join(this.dir, rel);
    const bytes = readFileBounded(path, maxBytes);
    const recorded = status?.files && Object.hasOwn(status.files, rel) ? status.files[rel] : undefined;
    if (recorded !== undefined) {
      const actual = sha256Hex(bytes);
      if (actual !== recorded) {
        throw new RunIntegrityError(path, `content differs from the sha256 run.json recorded when it was written (${recorded.slice(0, 12)}…, now ${actual.slice(0, 12)}…): `
          + 'it was edited or replaced after training; restore it, or retrain into a fresh directory');
      }
    }
    return bytes;
  }

  /** Periodic checkpoints present on disk, by global step. */
  stepCheckpoints(): number[] {
    if (!existsSync(this.checkpointDir)) return [];
    return readdirSync(this.checkpointDir)
      .map((f) => /^step-(\d+)\.safetensors$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }
}

/** Pretty JSON written atomically; returns the sha256 of the bytes written. */
export function writeJsonText(path: string, value: unknown): string {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(path, text);
  return sha256Hex(text);
}

/** Parses a JSON file of the run directory: bounded, depth-checked, named in the error. */
function readJson(path: string): unknown {
  try {
    return parseJsonText(readFileBounded(path, MAX_JSON_BYTES).toString('utf8'), path);
  } catch (e) {
    throw new RunIntegrityError(path, `${(e as Error).message.replace(`${path}: `, '')}; the run directory is damaged`);
  }
}
