import { resolve as resolvePath } from 'node:path';
import type { Tensor } from '../tensor/index.js';
import { decodeCheckpoint, type Checkpoint } from './checkpoint.js';
import { checkInputs, checkPosition, runFingerprint } from './integrity.js';
import { acquireRunLock, isStale, readLockOwner, type RunLock } from './lock.js';
import { parseManifest } from './manifest.js';
import { resolvePipeline, type ResolvedPipeline } from './resolve.js';
import { RunIntegrityError, RunStore, type RunStatus } from './runStore.js';

/** A finished run, opened for attribution and replay: the pipeline exactly as it was trained. */
export interface Run {
  dir: string;
  store: RunStore;
  status: RunStatus;
  pipeline: ResolvedPipeline;
  /**
   * sha256 identifying the run's recorded files and data; derived outputs record it and are
   * refused or recomputed when it changes. null for runs written before hashes were recorded.
   */
  fingerprint: string | null;
  /** Parameters and optimizer state after `k` stages (k = 0: theta_0), read on demand. */
  boundary(k: number): Checkpoint;
  finalParams(): Tensor[];
}

export interface OpenRunOptions {
  /** Take the run directory's lock for this command (released at exit or by `releaseLock`). */
  lock?: string;
}

/** Why a run is not usable, said so the user knows what to do. */
export function unfinishedMessage(dir: string, status: RunStatus): string {
  if (status.status === 'running') {
    const owner = readLockOwner(dir);
    if (owner && !isStale(owner)) return `${dir}: the run is being trained right now (pid ${owner.pid}, since ${owner.startedAt}); wait for it to finish`;
    return `${dir}: the run was interrupted (run.json says running, but no process is training it; step ${status.stepsDone} of ${status.totalSteps}); resume it with \`stagecredit train MANIFEST --out ${dir}\``;
  }
  const why = status.error ? ` (${status.error})` : '';
  if (status.status === 'interrupted') return `${dir}: the run was interrupted${why}; resume it with \`stagecredit train MANIFEST --out ${dir}\``;
  return `${dir}: the run is ${status.status}${why}; finish it with \`stagecredit train\` first`;
}

export function openRun(dir: string, opts: OpenRunOptions = {}): Run {
  const store = new RunStore(dir);
  const status = store.readStatus();
  if (status.status !== 'complete') throw new Error(unfinishedMessage(dir, status));
  let lock: RunLock | null = null;
  if (opts.lock) lock = acquireRunLock(dir, opts.lock);
  try {
    return openChecked(dir, store, opts.lock ? store.readStatus() : status);
  } catch (e) {
    lock?.release();
    throw e;
  }
}

function openChecked(dir: string, store: RunStore, status: RunStatus): Run {
  if (status.status !== 'complete') throw new Error(unfinishedMessage(dir, status));
  const manifest = parseManifest(store.readManifestJson(status), store.manifestPath);
  if (manifest.stages.length !== status.boundaries.length - 1) {
    throw new RunIntegrityError(store.statusPath, `records ${status.boundaries.length - 1} stages, manifest.json has ${manifest.stages.length}`);
  }
  let pipeline: ResolvedPipeline;
  try {
    pipeline = resolvePipeline({ manifest, baseDir: resolvePath(dir), path: store.manifestPath }, { trace: store.readTrace(status) });
  } catch (e) {
    if (e instanceof RunIntegrityError) throw e;
    throw new RunIntegrityError(dir, `the stored pipeline does not resolve: ${(e as Error).message}`);
  }
  if (pipeline.boundaries.join() !== status.boundaries.join()) {
    throw new RunIntegrityError(store.statusPath, `boundaries ${status.boundaries.join(', ')} differ from the trace's ${pipeline.boundaries.join(', ')}`);
  }
  checkInputs(status, pipeline, store.statusPath);
  const cache = new Map<number, Checkpoint>();
  const boundary = (k: number): Checkpoint => {
    if (!Number.isInteger(k) || k < 0 || k > pipeline.stages.length) throw new Error(`boundary ${k} is out of range 0..${pipeline.stages.length}`);
    let ck = cache.get(k);
    if (!ck) {
      const rel = `checkpoints/boundary-${k}.safetensors`;
      const path = store.boundaryPath(k);
      ck = decodeCheckpoint(store.verifiedBytes(rel, status), path, pipeline.model, pipeline.dtype);
      checkPosition(ck, rel, status.boundaries, path);
      cache.set(k, ck);
    }
    return ck;
  };
  return { dir, store, status, pipeline, fingerprint: runFingerprint(status), boundary, finalParams: () => boundary(pipeline.stages.length).params };
}
