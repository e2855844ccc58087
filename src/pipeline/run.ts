import { resolve as resolvePath } from 'node:path';
import type { Tensor } from '../tensor/index.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { parseManifest } from './manifest.js';
import { resolvePipeline, type ResolvedPipeline } from './resolve.js';
import { RunStore, type RunStatus } from './runStore.js';

/** A finished run, opened for attribution and replay: the pipeline exactly as it was trained. */
export interface Run {
  dir: string;
  store: RunStore;
  status: RunStatus;
  pipeline: ResolvedPipeline;
  /** Parameters and optimizer state after `k` stages (k = 0: theta_0), read on demand. */
  boundary(k: number): Checkpoint;
  finalParams(): Tensor[];
}

export function openRun(dir: string): Run {
  const store = new RunStore(dir);
  const status = store.readStatus();
  if (status.status !== 'complete') {
    throw new Error(`${dir}: the run is ${status.status}${status.error ? ` (${status.error})` : ''}; finish it with \`stagecredit train\` first`);
  }
  const manifest = parseManifest(store.readManifestJson(), store.manifestPath);
  const pipeline = resolvePipeline({ manifest, baseDir: resolvePath(dir), path: store.manifestPath }, { trace: store.readTrace() });
  const cache = new Map<number, Checkpoint>();
  const boundary = (k: number): Checkpoint => {
    if (!Number.isInteger(k) || k < 0 || k > pipeline.stages.length) throw new Error(`boundary ${k} is out of range 0..${pipeline.stages.length}`);
    let ck = cache.get(k);
    if (!ck) {
      ck = readCheckpoint(store.boundaryPath(k), pipeline.model, pipeline.dtype);
      cache.set(k, ck);
    }
    return ck;
  };
  return { dir, store, status, pipeline, boundary, finalParams: () => boundary(pipeline.stages.length).params };
}
