import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeJsonAtomic, writeSafetensors, type StTensor } from '../io/index.js';
import type { BatchOrder } from './batches.js';

// The trace store: one directory per run holding what attribution needs and nothing it can
// recompute cheaply. Every write is atomic (temp file + rename), so a killed run leaves the
// last complete checkpoint and a consistent status file.
//
//   manifest.json                 the validated manifest (data paths resolved)
//   run.json                      status, stage boundaries T_k, per-stage summaries, timings
//   trace.safetensors             per stage: batch indices/offsets and the resolved learning rates
//   checkpoints/boundary-K.safetensors   parameters + optimizer state after K stages (K = 0: theta_0)
//   checkpoints/step-T.safetensors       optional periodic checkpoints (global step T)
//   final.safetensors             the final parameters alone, named as a PyTorch state_dict

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

export interface RunStatus {
  format: 'stagecredit-run';
  version: 1;
  name: string;
  status: 'running' | 'complete' | 'failed';
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
}

export interface RecordedBy {
  tool: string;
  torch?: string;
  /** 'estimates only': dropout, augmentation or float32 made the run impossible to replay bit-for-bit. */
  replay: 'exact' | 'estimates only';
  reasons: string[];
}

export interface StageTrace {
  batches: BatchOrder;
  lrs: Float64Array;
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
    writeJsonAtomic(this.statusPath, { ...s, updatedAt: new Date().toISOString() });
  }

  readStatus(): RunStatus {
    if (!this.exists()) throw new Error(`${this.dir} is not a stagecredit run directory (no run.json); create one with \`stagecredit train\``);
    return readJson(this.statusPath) as RunStatus;
  }

  writeManifest(value: unknown): void {
    writeJsonAtomic(this.manifestPath, value);
  }

  readManifestJson(): unknown {
    return readJson(this.manifestPath);
  }

  writeTrace(names: string[], stages: StageTrace[]): void {
    const tensors: Record<string, StTensor> = {};
    stages.forEach((s, k) => {
      tensors[`stage${k}.offsets`] = { dtype: 'I32', shape: [s.batches.offsets.length], data: s.batches.offsets };
      tensors[`stage${k}.indices`] = { dtype: 'I32', shape: [s.batches.indices.length], data: s.batches.indices };
      tensors[`stage${k}.lrs`] = { dtype: 'F64', shape: [s.lrs.length], data: s.lrs };
    });
    writeSafetensors(this.tracePath, tensors, { 'stagecredit.stages': JSON.stringify(names) });
  }

  readTrace(): StageTrace[] {
    const { tensors, metadata } = readSafetensors(this.tracePath);
    const names = JSON.parse(metadata['stagecredit.stages'] ?? '[]') as string[];
    return names.map((_, k) => {
      const get = (key: string) => {
        const t = tensors[`stage${k}.${key}`];
        if (!t) throw new Error(`${this.tracePath}: missing "stage${k}.${key}"`);
        return t.data;
      };
      return { batches: { offsets: get('offsets') as Int32Array, indices: get('indices') as Int32Array }, lrs: get('lrs') as Float64Array };
    });
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

/** Parses a JSON file of the run directory; a corrupt one is named in the error. */
function readJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message}); the run directory is damaged`);
  }
}
