// `stagecredit verify RUN`: checks a run directory end to end and names everything inconsistent,
// instead of stopping at the first problem as the commands that use a run do.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { readJsonFile, readSafetensors } from '../io/index.js';
import { paramsFromSafetensors } from '../nn/index.js';
import { decodeCheckpoint } from './checkpoint.js';
import { checkInputs, checkPosition, runFingerprint } from './integrity.js';
import { isStale, readLockOwner } from './lock.js';
import { parseManifest } from './manifest.js';
import { computedFromOf, digestJson } from './provenance.js';
import { resolvePipeline, type ResolvedPipeline } from './resolve.js';
import { RunStore, type RunStatus } from './runStore.js';

export interface VerifyFinding {
  /** The file or part of the run checked (relative to the run directory). */
  subject: string;
  ok: boolean;
  message: string;
}

export interface VerifyReport {
  dir: string;
  findings: VerifyFinding[];
  /** True when nothing is inconsistent (notes about derived files that will be recomputed do not count). */
  ok: boolean;
}

const DERIVED = ['attribution.json', 'validation.json', 'results.json'];

export function verifyRun(dir: string): VerifyReport {
  const findings: VerifyFinding[] = [];
  const good = (subject: string, message: string) => findings.push({ subject, ok: true, message });
  const bad = (subject: string, message: string) => findings.push({ subject, ok: false, message });
  const attempt = <T>(subject: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      bad(subject, (e as Error).message);
      return undefined;
    }
  };
  const done = (): VerifyReport => ({ dir, findings, ok: findings.every((f) => f.ok) });
  const store = new RunStore(dir);

  const owner = readLockOwner(dir);
  if (owner) {
    if (isStale(owner)) bad('.stagecredit.lock', `stale lock of \`stagecredit ${owner.command}\` (pid ${owner.pid}, since ${owner.startedAt}): that process is gone; the next command that writes here takes it over`);
    else good('.stagecredit.lock', `in use by \`stagecredit ${owner.command}\` (pid ${owner.pid}); files may change while it runs`);
  }

  const status = attempt('run.json', () => store.readStatus());
  if (!status) return done();
  if (status.status === 'complete') good('run.json', `complete: ${status.boundaries.length - 1} stages, ${status.totalSteps} steps`);
  else if (status.status === 'running' && !(owner && !isStale(owner))) bad('run.json', `says running, but no process is training it: the run was interrupted at step ${status.stepsDone} of ${status.totalSteps}; resume it with \`stagecredit train\``);
  else bad('run.json', `the run is ${status.status}${status.error ? ` (${status.error})` : ''} at step ${status.stepsDone} of ${status.totalSteps}`);
  if (!status.files || !status.inputs) bad('run.json', 'records no content hashes (written by an older stagecredit); files cannot be checked against what training wrote');

  // Every recorded file still has the content training wrote.
  for (const [rel, sha] of Object.entries(status.files ?? {})) {
    if (!existsSync(join(dir, rel))) {
      bad(rel, 'recorded in run.json but missing');
      continue;
    }
    attempt(rel, () => {
      store.verifiedBytes(rel, status);
      good(rel, `sha256 ${sha.slice(0, 12)}… matches`);
    });
  }
  for (const f of existsSync(store.checkpointDir) ? readdirSync(store.checkpointDir) : []) {
    const rel = `checkpoints/${f}`;
    if (status.files && !Object.hasOwn(status.files, rel) && /\.safetensors$/.test(f)) bad(rel, 'not recorded in run.json: not part of this run (left by another run or copied in); delete it');
  }

  const manifest = attempt('manifest.json', () => parseManifest(store.readManifestJson(status), store.manifestPath));
  if (!manifest) return done();
  if (manifest.stages.length !== status.boundaries.length - 1) bad('manifest.json', `lists ${manifest.stages.length} stages, run.json ${status.boundaries.length - 1}`);
  const pipeline = attempt('trace.safetensors', () => {
    const p = resolvePipeline({ manifest, baseDir: resolvePath(dir), path: store.manifestPath }, { trace: store.readTrace(status) });
    if (p.boundaries.join() !== status.boundaries.join()) throw new Error(`stage boundaries ${p.boundaries.join(', ')} differ from run.json's ${status.boundaries.join(', ')}`);
    good('trace.safetensors', 'batch orders and learning rates fit the manifest and the data');
    return p;
  });
  if (pipeline) attempt('data', () => {
    checkInputs(status, pipeline, store.statusPath);
    if (status.inputs) good('data', `${Object.keys(status.inputs.datasets).length} data set(s) and every stage's subset/weights match their recorded hashes`);
  });
  if (pipeline) verifyCheckpoints(store, status, pipeline, good, bad, attempt, new Set(findings.filter((f) => !f.ok).map((f) => f.subject)));
  if (pipeline && status.status === 'complete') verifyDerived(dir, status, good, bad);
  return done();
}

function verifyCheckpoints(
  store: RunStore, status: RunStatus, pipeline: ResolvedPipeline,
  good: (s: string, m: string) => void, bad: (s: string, m: string) => void, attempt: <T>(s: string, fn: () => T) => T | undefined,
  reported: Set<string>,
): void {
  const K = pipeline.stages.length;
  const doneStages = status.status === 'complete' ? K : status.stages.length;
  const rels = [...Array.from({ length: doneStages + 1 }, (_, k) => `checkpoints/boundary-${k}.safetensors`), ...store.stepCheckpoints().map((t) => `checkpoints/step-${String(t).padStart(8, '0')}.safetensors`)];
  let last: Float64Array[] | null = null;
  for (const rel of rels) {
    const path = join(store.dir, rel);
    if (reported.has(rel)) continue; // its hash already failed: one line per problem
    if (!existsSync(path)) {
      bad(rel, 'missing');
      continue;
    }
    attempt(rel, () => {
      const ck = decodeCheckpoint(store.verifiedBytes(rel, status), path, pipeline.model, pipeline.dtype);
      checkPosition(ck, rel, status.boundaries, path);
      if (rel === `checkpoints/boundary-${K}.safetensors`) last = ck.params.map((p) => Float64Array.from(p.data));
      good(rel, `step ${ck.step}, ${ck.stagesDone} stage(s) done, finite parameters`);
    });
  }
  if (status.status === 'complete' && !reported.has('final.safetensors')) {
    attempt('final.safetensors', () => {
      const params = paramsFromSafetensors(pipeline.model, readSafetensors(store.finalPath), pipeline.dtype, store.finalPath);
      if (!last) return; // boundary K is unreadable and already reported
      if (!params.every((p, i) => p.data.every((v, j) => Object.is(v, last![i][j])))) throw new Error(`${store.finalPath}: differs from checkpoints/boundary-${K}.safetensors; one of them was replaced`);
      good('final.safetensors', `equals boundary ${K}`);
    });
  }
}

function verifyDerived(dir: string, status: RunStatus, good: (s: string, m: string) => void, bad: (s: string, m: string) => void): void {
  const fingerprint = runFingerprint(status);
  const parsed: Record<string, unknown> = {};
  for (const rel of DERIVED) {
    const path = join(dir, rel);
    if (!existsSync(path)) continue;
    try {
      parsed[rel] = readJsonFile(path);
    } catch (e) {
      bad(rel, (e as Error).message);
      continue;
    }
    const from = computedFromOf(parsed[rel]);
    if (!from) bad(rel, 'records no run fingerprint (older file); recompute it to be sure it belongs to this run');
    else if (from.run !== fingerprint) bad(rel, 'computed from another run than the one here now (retrained or files changed since); recompute it');
    else good(rel, 'computed from this run');
  }
  const v = parsed['validation.json'];
  const a = parsed['attribution.json'];
  if (v && a) {
    const from = computedFromOf(v);
    if (from?.attribution !== undefined && from.attribution !== digestJson(a)) bad('validation.json', 'checked other estimates than the current attribution.json; rerun `stagecredit validate`');
  }
  const r = parsed['results.json'] as { computedFrom?: { attribution?: unknown; validation?: unknown } } | undefined;
  if (r && a && r.computedFrom && r.computedFrom.attribution !== digestJson(a)) bad('results.json', 'shows other estimates than the current attribution.json; rerun `stagecredit report`');
  if (r && r.computedFrom && (r.computedFrom.validation ?? null) !== (v ? digestJson(v) : null)) bad('results.json', 'shows another validation than the current validation.json; rerun `stagecredit report`');
  const embDir = join(dir, 'attribution');
  for (const f of existsSync(embDir) ? readdirSync(embDir) : []) {
    if (!/^embeddings-.*\.safetensors$/.test(f)) continue;
    const rel = `attribution/${f}`;
    try {
      const meta = readSafetensors(join(embDir, f)).metadata['stagecredit.embeddings'];
      const run = meta ? (JSON.parse(meta) as { run?: unknown }).run : undefined;
      if (run === fingerprint) good(rel, 'computed from this run');
      else good(rel, 'from another run or an older version: ignored and recomputed by `stagecredit attribute`');
    } catch (e) {
      bad(rel, `unreadable (${(e as Error).message}); delete it`);
    }
  }
}
