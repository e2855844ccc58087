import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { writeSafetensors } from '../io/index.js';
import { paramsToSafetensors } from '../nn/index.js';
import type { OptimizerState } from '../optim/index.js';
import { BufferPool, type Tensor } from '../tensor/index.js';
import { decodeCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { DEFAULT_DIVERGENCE, LossMonitor, type DivergenceSettings } from './divergence.js';
import { checkInputs, checkPosition, inputHashes } from './integrity.js';
import { checkResourceLimits, defaultLimits, MAX_TRACE_INDICES, type ResourceLimits } from './limits.js';
import { acquireRunLock, type LockOwner, type RunLock } from './lock.js';
import { evaluate } from './evaluate.js';
import type { LoadedManifest, Manifest } from './manifest.js';
import { copyInputs, portableManifest, type PortableManifest } from './portable.js';
import { resolvePipeline, type ResolvedPipeline, type ResolvedStage } from './resolve.js';
import { RunStore, type RunStatus, type StageSummary } from './runStore.js';
import { stageBatch, stageEntryState, stepRetired, trainingStep } from './trainingStep.js';

export interface ProgressEvent {
  stageIndex: number;
  stageName: string;
  stageStep: number;
  stageSteps: number;
  globalStep: number;
  totalSteps: number;
  loss: number;
  stepsPerSecond: number;
}

export interface TrainOptions {
  /** Run directory; created, or resumed when it holds an unfinished run of the same pipeline. */
  out: string;
  onProgress?: (e: ProgressEvent) => void;
  /** Called once per stage with its summary. */
  onStageEnd?: (s: StageSummary, stage: ResolvedStage) => void;
  /** Overrides the manifest's checkpointEvery. */
  checkpointEvery?: number;
  /** Skip the resource limits (limits.ts); `limits` replaces the defaults. */
  allowLarge?: boolean;
  limits?: ResourceLimits;
  /** Overrides the manifest's "divergence" settings. */
  divergence?: Partial<DivergenceSettings>;
  /** Told about things worth a line on stderr (a stale lock taken over). */
  onNotice?: (message: string) => void;
}

export interface TrainResult {
  dir: string;
  status: RunStatus;
  finalParams: Tensor[];
  pipeline: ResolvedPipeline;
  /** True when the run directory already held the finished run. */
  alreadyComplete: boolean;
  resumedFrom: string | null;
  /** The lock of a process that had died, replaced by this run (null if none). */
  replacedStaleLock: LockOwner | null;
}

/** Steps are counted from 1 here, as on the progress bar: step s is the s-th update of the stage. */
export class TrainingDivergedError extends Error {
  constructor(readonly stage: string, readonly stageStep: number, readonly globalStep: number, what: string, readonly lastGoodCheckpoint: string) {
    super(`training diverged in stage "${stage}" at step ${stageStep} (global step ${globalStep}): ${what}; the last good checkpoint is kept at ${lastGoodCheckpoint}`);
    this.name = 'TrainingDivergedError';
  }
}

/** Training stopped by SIGINT/SIGTERM; the run is marked interrupted and resumes from `checkpoint`. */
export class TrainingInterruptedError extends Error {
  constructor(readonly signal: string, readonly globalStep: number, readonly checkpoint: string) {
    super(`training interrupted by ${signal} after global step ${globalStep}; progress is kept in ${checkpoint}; run the same \`stagecredit train\` again to resume`);
    this.name = 'TrainingInterruptedError';
  }
}

function allFinite(params: Tensor[]): boolean {
  for (const p of params) for (let i = 0; i < p.data.length; i++) if (!Number.isFinite(p.data[i])) return false;
  return true;
}

function relPath(out: string, path: string): string {
  return relative(out, path).split('\\').join('/');
}

/**
 * mkdir -p without Node's recursive mode, which loops forever under /proc (ENOENT from a parent
 * that exists): each level is created once, and a failure is reported instead of retried.
 */
function makeDirectory(path: string): void {
  try {
    mkdirSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(path).isDirectory()) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path || existsSync(parent)) throw e;
    makeDirectory(parent);
    mkdirSync(path);
  }
}

/** A training session: a generator yielding after every step, so a caller may pause between steps. */
interface Session {
  steps: Generator<void, TrainResult>;
  /** Asks the session to stop before its next step (marks the run interrupted). */
  stop(signal: string): void;
  lock: RunLock;
}

/**
 * Everything up to the first step: checks (manifest, limits) before anything is written, then the
 * lock, then either a fresh run directory (manifest, trace, theta_0, run.json, in that order) or
 * the existing run, checked against what run.json recorded.
 */
function startSession(loaded: LoadedManifest, opts: TrainOptions): Session {
  const out = opts.out;
  // Files the manifest references are copied into the run directory, so the run can be moved.
  const { manifest, copies } = portableManifest(loaded);
  const maxOrderIndices = opts.allowLarge ? undefined : MAX_TRACE_INDICES;
  if (!opts.allowLarge) checkResourceLimits(loaded.manifest, loaded.baseDir, opts.limits ?? defaultLimits());
  if (existsSync(out) && !statSync(out).isDirectory()) throw new Error(`${out}: --out must be a directory, and this is a file`);
  let fresh: ResolvedPipeline | null = null;
  const store = new RunStore(out);
  if (!store.exists()) fresh = resolvePipeline(loaded, { maxOrderIndices }); // all data checks pass before --out is touched
  try {
    makeDirectory(out);
  } catch (e) {
    throw new Error(`${out}: cannot create the run directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const lock = acquireRunLock(out, 'train');
  if (lock.replacedStale) {
    const o = lock.replacedStale;
    opts.onNotice?.(`${out}: took over a stale lock of \`stagecredit ${o.command}\` (pid ${o.pid}, since ${o.startedAt}); that process is no longer running`);
  }
  try {
    return { ...prepare(loaded, opts, { manifest, copies }, store, fresh, maxOrderIndices, lock), lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

function prepare(loaded: LoadedManifest, opts: TrainOptions, { manifest, copies }: PortableManifest, store: RunStore, fresh: ResolvedPipeline | null, maxOrderIndices: number | undefined, lock: RunLock): Omit<Session, 'lock'> {
  const out = opts.out;
  let status: RunStatus;
  let pipeline: ResolvedPipeline;
  let ck: Checkpoint;
  let resumedFrom: string | null = null;
  const files: Record<string, string> = {};
  if (store.exists()) {
    // Checked under the lock: another train may have created the run since we looked.
    status = store.readStatus();
    const stored = JSON.stringify(store.readManifestJson(status));
    if (stored !== JSON.stringify(manifest)) {
      throw new Error(`${out} already holds a run of a different pipeline; choose another --out or delete that directory`);
    }
    pipeline = resolvePipeline(loaded, { trace: store.readTrace(status), maxOrderIndices });
    if (pipeline.boundaries.join() !== status.boundaries.join()) throw new Error(`${store.statusPath}: boundaries differ from the trace; the run directory is damaged`);
    checkInputs(status, pipeline, store.statusPath);
    const latest = status.latestCheckpoint ?? 'checkpoints/boundary-0.safetensors';
    const path = resolvePath(out, latest);
    ck = decodeCheckpoint(store.verifiedBytes(latest, status), path, pipeline.model, pipeline.dtype);
    checkPosition(ck, latest, status.boundaries, path);
    if (status.status === 'complete') {
      if (ck.stagesDone !== pipeline.stages.length) throw new Error(`${store.statusPath}: says complete, but its latest checkpoint ${latest} is not the last boundary; the run directory is damaged`);
      const done: TrainResult = { dir: out, status, finalParams: ck.params, pipeline, alreadyComplete: true, resumedFrom: null, replacedStaleLock: lock.replacedStale };
      return { steps: (function* () { return done; })(), stop: () => {} };
    }
    resumedFrom = latest;
    status.status = 'running';
    delete status.error;
    Object.assign(files, status.files ?? {});
  } else {
    pipeline = fresh ?? resolvePipeline(loaded, { maxOrderIndices });
    store.ensure();
    copyInputs(out, copies);
    files['manifest.json'] = store.writeManifest(manifest);
    files['trace.safetensors'] = store.writeTrace(pipeline.stages.map((s) => s.name), pipeline.stages.map((s) => ({ batches: s.batches, lrs: s.lrs })));
    ck = { step: 0, stagesDone: 0, stageStep: 0, params: pipeline.initialParams(), optimizer: null, slotParams: [] };
    files['checkpoints/boundary-0.safetensors'] = writeCheckpoint(store.boundaryPath(0), pipeline.model, ck);
    status = {
      format: 'stagecredit-run', version: 1, name: manifest.name, status: 'running', boundaries: pipeline.boundaries,
      stages: [], latestCheckpoint: 'checkpoints/boundary-0.safetensors', totalSteps: pipeline.totalSteps, stepsDone: 0,
      trainSeconds: 0, updatedAt: '', files, inputs: inputHashes(pipeline),
    };
  }
  status.files = files;
  store.writeStatus(status);
  let stopSignal: string | null = null;
  return { steps: runSteps(opts, manifest, store, pipeline, status, ck, resumedFrom, () => stopSignal, lock), stop: (sig) => (stopSignal = sig) };
}

/** runStepsUnguarded, marking the run failed on any error that did not already say how it ended. */
function* runSteps(
  opts: TrainOptions, manifest: Manifest, store: RunStore, pipeline: ResolvedPipeline, status: RunStatus, ck: Checkpoint,
  resumedFrom: string | null, stopRequested: () => string | null, lock: RunLock,
): Generator<void, TrainResult> {
  try {
    return yield* runStepsUnguarded(opts, manifest, store, pipeline, status, ck, resumedFrom, stopRequested, lock);
  } catch (e) {
    if (status.status === 'running') {
      status.status = 'failed';
      status.error = e instanceof Error ? e.message : String(e);
      try {
        store.writeStatus(status);
      } catch {
        // the original error is the one to report
      }
    }
    throw e;
  }
}

function* runStepsUnguarded(
  opts: TrainOptions, manifest: Manifest, store: RunStore, pipeline: ResolvedPipeline, status: RunStatus, ck: Checkpoint,
  resumedFrom: string | null, stopRequested: () => string | null, lock: RunLock,
): Generator<void, TrainResult> {
  const out = opts.out;
  const files = status.files!;
  const every = opts.checkpointEvery ?? manifest.checkpointEvery;
  const monitor = new LossMonitor({ ...DEFAULT_DIVERGENCE, ...manifest.divergence, ...opts.divergence });
  const { model } = pipeline;
  let params = ck.params;
  let previous: OptimizerState | null = ck.optimizer;
  // This loop keeps only its latest (params, state), so each step's retired arrays are recycled.
  const pool = new BufferPool();
  const names = model.params.map((p) => p.name);
  const save = (path: string, pos: Omit<Checkpoint, 'params' | 'optimizer' | 'slotParams'>, stage: ResolvedStage, state: OptimizerState) => {
    const rel = relPath(out, path);
    files[rel] = writeCheckpoint(path, model, { ...pos, params, optimizer: state, slotParams: stage.trainable.map((i) => names[i]) });
    status.latestCheckpoint = rel;
    status.stepsDone = pos.step;
    store.writeStatus(status);
  };
  const fail = (err: Error): Error => {
    status.status = 'failed';
    status.error = err.message;
    store.writeStatus(status);
    return err;
  };

  for (let k = ck.stagesDone; k < pipeline.stages.length; k++) {
    const stage = pipeline.stages[k];
    const resumeInside = k === ck.stagesDone && ck.stageStep > 0;
    let state = resumeInside ? ck.optimizer! : stageEntryState(stage, params, previous);
    if (resumeInside && !state) throw fail(new Error(`${resolvePath(out, status.latestCheckpoint ?? '')}: a checkpoint inside stage "${stage.name}" holds no optimizer state; the run directory is damaged`));
    monitor.reset();
    const losses: number[] = [];
    const t0 = performance.now();
    let lastTick = t0;
    let ticks = 0;
    for (let s = resumeInside ? ck.stageStep : 0; s < stage.steps; s++) {
      const signal = stopRequested();
      if (signal) {
        // Keep the progress: a checkpoint at this exact position, then the status says why it stopped.
        const t = stage.startStep + s;
        if (s > 0 && status.latestCheckpoint !== relPath(out, store.stepPath(t))) save(store.stepPath(t), { step: t, stagesDone: k, stageStep: s }, stage, state);
        const err = new TrainingInterruptedError(signal, t, resolvePath(out, status.latestCheckpoint ?? ''));
        status.status = 'interrupted';
        status.error = `interrupted by ${signal} after global step ${t}`;
        store.writeStatus(status);
        throw err;
      }
      let step;
      try {
        step = trainingStep(model, stage, params, state, s, stageBatch(stage, s, pipeline.dtype), pool);
      } catch (e) {
        throw fail(new Error(`stage "${stage.name}" step ${s + 1}: ${(e as Error).message}`));
      }
      const t = stage.startStep + s + 1;
      const diverged = monitor.check(step.loss) ?? (allFinite(step.params) ? null : 'a parameter became non-finite');
      if (diverged) {
        throw fail(new TrainingDivergedError(stage.name, s + 1, t, diverged, resolvePath(out, status.latestCheckpoint ?? '')));
      }
      pool.release(stepRetired({ params, state }, step));
      params = step.params;
      state = step.state;
      losses.push(step.loss);
      ticks++;
      const now = performance.now();
      if (opts.onProgress && (now - lastTick > 100 || s + 1 === stage.steps)) {
        opts.onProgress({
          stageIndex: k, stageName: stage.name, stageStep: s + 1, stageSteps: stage.steps, globalStep: t,
          totalSteps: pipeline.totalSteps, loss: step.loss, stepsPerSecond: (ticks * 1000) / Math.max(now - t0, 1e-9),
        });
        lastTick = now;
      }
      if (every > 0 && t % every === 0 && s + 1 < stage.steps) {
        save(store.stepPath(t), { step: t, stagesDone: k, stageStep: s + 1 }, stage, state);
      }
      yield;
    }
    const seconds = (performance.now() - t0) / 1000;
    const tail = losses.slice(-Math.max(1, Math.ceil(losses.length / 10)));
    const ev = pipeline.evaluation ? evaluate(model, params, pipeline.evaluation) : null;
    const summary: StageSummary = {
      name: stage.name, startStep: stage.startStep, endStep: stage.endStep,
      trainLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : null,
      evalLoss: ev?.loss ?? null, evalAccuracy: ev?.accuracy ?? null, seconds,
    };
    status.stages[k] = summary;
    status.trainSeconds += seconds;
    save(store.boundaryPath(k + 1), { step: stage.endStep, stagesDone: k + 1, stageStep: 0 }, stage, state);
    opts.onStageEnd?.(summary, stage);
    previous = state;
  }
  // The final model alone, named as PyTorch's state_dict: loadable with torch or loadParams.
  const { tensors, metadata } = paramsToSafetensors(model, params, { 'stagecredit.run': manifest.name });
  files['final.safetensors'] = writeSafetensors(store.finalPath, tensors, metadata);
  status.status = 'complete';
  delete status.error;
  store.writeStatus(status);
  return { dir: out, status, finalParams: params, pipeline, alreadyComplete: false, resumedFrom, replacedStaleLock: lock.replacedStale };
}

/** Trains the pipeline into a run directory, resuming an interrupted run bit-identically. */
export function train(loaded: LoadedManifest, opts: TrainOptions): TrainResult {
  const session = startSession(loaded, opts);
  try {
    for (;;) {
      const r = session.steps.next();
      if (r.done) return r.value;
    }
  } finally {
    session.lock.release();
  }
}

/**
 * train(), giving the event loop a turn every `yieldMs` so SIGINT and SIGTERM are handled: the
 * run then stops between two steps, keeps a checkpoint of where it was, and is marked
 * interrupted (not left "running"). Rejects with TrainingInterruptedError.
 */
export async function trainInterruptible(loaded: LoadedManifest, opts: TrainOptions & { yieldMs?: number }): Promise<TrainResult> {
  const session = startSession(loaded, opts);
  const onSignal = (signal: NodeJS.Signals) => session.stop(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const yieldMs = opts.yieldMs ?? 50;
  try {
    let last = Date.now();
    for (;;) {
      const r = session.steps.next();
      if (r.done) return r.value;
      if (Date.now() - last >= yieldMs) {
        await new Promise((res) => setImmediate(res));
        last = Date.now();
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    session.lock.release();
  }
}
