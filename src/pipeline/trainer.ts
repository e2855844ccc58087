import { relative, resolve as resolvePath } from 'node:path';
import { saveParams } from '../nn/index.js';
import type { OptimizerState } from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import type { LoadedManifest } from './manifest.js';
import { copyInputs, portableManifest } from './portable.js';
import { resolvePipeline, type ResolvedPipeline, type ResolvedStage } from './resolve.js';
import { RunStore, type RunStatus, type StageSummary } from './runStore.js';
import { stageBatch, stageEntryState, trainingStep } from './trainingStep.js';

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
}

export interface TrainResult {
  dir: string;
  status: RunStatus;
  finalParams: Tensor[];
  pipeline: ResolvedPipeline;
  /** True when the run directory already held the finished run. */
  alreadyComplete: boolean;
  resumedFrom: string | null;
}

export class TrainingDivergedError extends Error {
  constructor(readonly stage: string, readonly stageStep: number, readonly globalStep: number, what: string, readonly lastGoodCheckpoint: string) {
    super(`training diverged in stage "${stage}" at step ${stageStep} (global step ${globalStep}): ${what}; the last good checkpoint is kept at ${lastGoodCheckpoint}`);
    this.name = 'TrainingDivergedError';
  }
}

function allFinite(params: Tensor[]): boolean {
  for (const p of params) for (let i = 0; i < p.data.length; i++) if (!Number.isFinite(p.data[i])) return false;
  return true;
}

/** Trains the pipeline into a run directory, resuming an interrupted run bit-identically. */
export function train(loaded: LoadedManifest, opts: TrainOptions): TrainResult {
  const store = new RunStore(opts.out);
  // Files the manifest references are copied into the run directory, so the run can be moved.
  const { manifest, copies } = portableManifest(loaded);
  let status: RunStatus;
  let pipeline: ResolvedPipeline;
  let ck: Checkpoint;
  let resumedFrom: string | null = null;
  if (store.exists()) {
    const stored = JSON.stringify(store.readManifestJson());
    if (stored !== JSON.stringify(manifest)) {
      throw new Error(`${opts.out} already holds a run of a different pipeline; choose another --out or delete that directory`);
    }
    status = store.readStatus();
    pipeline = resolvePipeline(loaded, { trace: store.readTrace() });
    const latest = status.latestCheckpoint ?? store.boundaryPath(0);
    ck = readCheckpoint(resolvePath(opts.out, latest), pipeline.model, pipeline.dtype);
    if (status.status === 'complete') {
      return { dir: opts.out, status, finalParams: ck.params, pipeline, alreadyComplete: true, resumedFrom: null };
    }
    resumedFrom = latest;
  } else {
    pipeline = resolvePipeline(loaded);
    store.ensure();
    copyInputs(opts.out, copies);
    store.writeManifest(manifest);
    store.writeTrace(pipeline.stages.map((s) => s.name), pipeline.stages.map((s) => ({ batches: s.batches, lrs: s.lrs })));
    ck = { step: 0, stagesDone: 0, stageStep: 0, params: pipeline.initialParams(), optimizer: null, slotParams: [] };
    writeCheckpoint(store.boundaryPath(0), pipeline.model, ck);
    status = {
      format: 'stagecredit-run', version: 1, name: manifest.name, status: 'running', boundaries: pipeline.boundaries,
      stages: [], latestCheckpoint: relative(opts.out, store.boundaryPath(0)), totalSteps: pipeline.totalSteps, stepsDone: 0,
      trainSeconds: 0, updatedAt: '',
    };
    store.writeStatus(status);
  }
  const every = opts.checkpointEvery ?? manifest.checkpointEvery;
  const { model } = pipeline;
  let params = ck.params;
  let previous: OptimizerState | null = ck.optimizer;
  const names = model.params.map((p) => p.name);
  const save = (path: string, pos: Omit<Checkpoint, 'params' | 'optimizer' | 'slotParams'>, stage: ResolvedStage, state: OptimizerState) => {
    writeCheckpoint(path, model, { ...pos, params, optimizer: state, slotParams: stage.trainable.map((i) => names[i]) });
    status.latestCheckpoint = relative(opts.out, path);
    status.stepsDone = pos.step;
    store.writeStatus(status);
  };

  for (let k = ck.stagesDone; k < pipeline.stages.length; k++) {
    const stage = pipeline.stages[k];
    const resumeInside = k === ck.stagesDone && ck.stageStep > 0;
    let state = resumeInside ? ck.optimizer! : stageEntryState(stage, params, previous);
    const losses: number[] = [];
    const t0 = performance.now();
    let lastTick = t0;
    let ticks = 0;
    for (let s = resumeInside ? ck.stageStep : 0; s < stage.steps; s++) {
      const step = trainingStep(model, stage, params, state, s, stageBatch(stage, s, pipeline.dtype));
      const t = stage.startStep + s + 1;
      if (!Number.isFinite(step.loss) || !allFinite(step.params)) {
        const what = Number.isFinite(step.loss) ? 'a parameter became non-finite' : `the loss is ${step.loss}`;
        const err = new TrainingDivergedError(stage.name, s, t - 1, what, resolvePath(opts.out, status.latestCheckpoint ?? ''));
        status.status = 'failed';
        status.error = err.message;
        store.writeStatus(status);
        throw err;
      }
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
  saveParams(store.finalPath, model, params, { 'stagecredit.run': manifest.name });
  status.status = 'complete';
  store.writeStatus(status);
  return { dir: opts.out, status, finalParams: params, pipeline, alreadyComplete: false, resumedFrom };
}
