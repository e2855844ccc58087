import { parseManifest, type RunStatus } from '../pipeline/index.js';
import { dataSummary } from './dataSummary.js';
import { optimizerSummary } from './optimizerSummary.js';
import type { RunInfo } from './results.js';

/** The run section of results.json from run.json and manifest.json (no data is loaded). */
export function runInfo(status: RunStatus, manifestJson: unknown, manifestPath: string): RunInfo {
  const manifest = parseManifest(manifestJson, manifestPath);
  if (manifest.stages.length !== status.stages.length) {
    throw new Error(`${manifestPath} lists ${manifest.stages.length} stages but run.json has ${status.stages.length}`);
  }
  return {
    name: manifest.name,
    ...(manifest.description !== undefined ? { description: manifest.description } : {}),
    stages: manifest.stages.map((spec, k) => {
      const s = status.stages[k];
      return {
        name: spec.name,
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        startStep: s.startStep,
        endStep: s.endStep,
        data: spec.data,
        dataSummary: dataSummary(manifest.datasets[spec.data], spec),
        optimizer: optimizerSummary(spec),
        trainLoss: s.trainLoss,
        evalLoss: s.evalLoss,
        evalAccuracy: s.evalAccuracy,
      };
    }),
    totalSteps: status.totalSteps,
    trainSeconds: status.trainSeconds,
  };
}
