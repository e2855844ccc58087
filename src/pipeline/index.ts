// Public API of the pipeline module: manifests, training into a run directory, opening a run,
// and replays (in process or on worker threads). replayWorker.ts is internal.
export * from './manifest.js';
export * from './batches.js';
export * from './resolve.js';
export * from './trainingStep.js';
export * from './checkpoint.js';
export * from './runStore.js';
export * from './trainer.js';
export * from './run.js';
export * from './replay.js';
export { checkReplay, type BoundaryAgreement } from './replayCheck.js';
export { replayMany, type ReplayManyOptions } from './replayPool.js';
export * from './evaluate.js';
export * from './lock.js';
export * from './integrity.js';
export * from './limits.js';
export * from './divergence.js';
export * from './provenance.js';
export * from './verify.js';
