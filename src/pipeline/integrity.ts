// What ties a run directory together: content hashes of the data it was trained on, the expected
// position of every checkpoint, and the run's fingerprint, which derived outputs (embeddings,
// attribution.json, validation.json, results.json) record so that a run retrained or edited
// under them is detected instead of silently mixed with old results.
import { createHash } from 'node:crypto';
import { bytesOf, contentHash, type Dataset } from '../data/index.js';
import type { Checkpoint } from './checkpoint.js';
import type { ResolvedPipeline } from './resolve.js';
import { RunIntegrityError, type InputHashes, type RunStatus } from './runStore.js';

/** What the run was trained on, as content hashes (cheap next to training). */
export function inputHashes(p: ResolvedPipeline): InputHashes {
  const datasets: Record<string, string> = {};
  const byData = new Map<Dataset, string>();
  for (const [name, ds] of Object.entries(p.datasets)) {
    datasets[name] = contentHash(ds);
    byData.set(ds, datasets[name]);
  }
  const stages = p.stages.map((s) => {
    const h = createHash('sha256');
    h.update(byData.get(s.data) ?? contentHash(s.data));
    h.update(s.sampleWeights ? bytesOf(s.sampleWeights) : new Uint8Array(0));
    return h.digest('hex');
  });
  return { datasets, stages };
}

/** Refuses a pipeline whose data differs from what the run recorded (naming the data set or stage). */
export function checkInputs(status: RunStatus, p: ResolvedPipeline, statusPath: string): void {
  if (!status.inputs) return; // a run written before hashes were recorded
  const now = inputHashes(p);
  for (const [name, h] of Object.entries(status.inputs.datasets)) {
    if (!Object.hasOwn(now.datasets, name)) throw new RunIntegrityError(statusPath, `records data set "${name}", which the manifest no longer has`);
    if (now.datasets[name] !== h) {
      throw new RunIntegrityError(statusPath, `data set "${name}" has changed since the run was trained (its content hash differs); `
        + 'attribution and replays would use other data than training did: restore the data or retrain');
    }
  }
  if (now.stages.length !== status.inputs.stages.length) throw new RunIntegrityError(statusPath, `records ${status.inputs.stages.length} stages, the manifest has ${now.stages.length}`);
  now.stages.forEach((h, k) => {
    if (h !== status.inputs!.stages[k]) {
      throw new RunIntegrityError(statusPath, `stage "${p.stages[k].name}": its data subset or sample weights have changed since the run was trained; restore them or retrain`);
    }
  });
}

/** The run's identity: sha256 over its recorded files (but periodic checkpoints) and inputs. */
export function runFingerprint(status: RunStatus): string | null {
  if (!status.files || !status.inputs) return null;
  const files = Object.keys(status.files).filter((f) => !f.startsWith('checkpoints/step-')).sort().map((f) => [f, status.files![f]]);
  return createHash('sha256').update(JSON.stringify({ files, inputs: status.inputs })).digest('hex');
}

/** Where a checkpoint must sit in the run: its step, completed stages and step inside the stage. */
export function expectedPosition(rel: string, boundaries: number[]): { step: number; stagesDone: number; stageStep: number } | null {
  const b = /^checkpoints\/boundary-(\d+)\.safetensors$/.exec(rel);
  if (b) {
    const k = Number(b[1]);
    return k < boundaries.length ? { step: boundaries[k], stagesDone: k, stageStep: 0 } : null;
  }
  const s = /^checkpoints\/step-(\d+)\.safetensors$/.exec(rel);
  if (s) {
    const t = Number(s[1]);
    const k = boundaries.findIndex((T, i) => i + 1 < boundaries.length && T <= t && t < boundaries[i + 1]);
    return k < 0 ? null : { step: t, stagesDone: k, stageStep: t - boundaries[k] };
  }
  return null;
}

/** Refuses a checkpoint whose recorded position is not where the run keeps it. */
export function checkPosition(ck: Checkpoint, rel: string, boundaries: number[], path: string): void {
  const want = expectedPosition(rel, boundaries);
  if (!want) throw new RunIntegrityError(path, `is not a checkpoint position of this run (boundaries ${boundaries.join(', ')})`);
  for (const key of ['step', 'stagesDone', 'stageStep'] as const) {
    if (ck[key] !== want[key]) {
      throw new RunIntegrityError(path, `metadata "stagecredit.checkpoint".${key} is ${ck[key]}, but this file must hold ${key} = ${want[key]}; the checkpoint was replaced or damaged`);
    }
  }
}
