import type { Tensor } from '../tensor/index.js';
import type { Run } from './run.js';
import { stageBatch, stageEntryState, trainingStep } from './trainingStep.js';

// Does stagecredit's replay of the factual run reproduce the run's own boundary checkpoints? For a
// run recorded from PyTorch this is the check that the ONNX graph, the optimizer settings, the
// learning rates, the batches and the clipping were all read as torch used them.

export interface BoundaryAgreement {
  /** Boundary k: after k stages. */
  boundary: number;
  stage: string;
  /** max |theta_replayed - theta_recorded| over every parameter entry. */
  maxAbsDiff: number;
  /** maxAbsDiff / max |theta_recorded|. */
  maxRelDiff: number;
  /** The same over the optimizer state's slots (0 when there are none). */
  optimizerMaxAbsDiff: number;
}

function maxDiff(a: Tensor[], b: Tensor[]): { abs: number; scale: number } {
  let abs = 0;
  let scale = 0;
  a.forEach((t, i) => {
    for (let j = 0; j < t.data.length; j++) {
      abs = Math.max(abs, Math.abs(t.data[j] - b[i].data[j]));
      scale = Math.max(scale, Math.abs(b[i].data[j]));
    }
  });
  return { abs, scale };
}

/**
 * Replays the whole factual run from theta_0 without ever reloading a checkpoint, and compares
 * parameters and optimizer slots with each recorded boundary checkpoint.
 */
export function checkReplay(run: Run): BoundaryAgreement[] {
  const { pipeline } = run;
  const start = run.boundary(0);
  let params = start.params;
  let previous = start.optimizer;
  const out: BoundaryAgreement[] = [];
  pipeline.stages.forEach((stage, k) => {
    let state = stageEntryState(stage, params, previous);
    for (let s = 0; s < stage.steps; s++) {
      const r = trainingStep(pipeline.model, stage, params, state, s, stageBatch(stage, s, pipeline.dtype));
      params = r.params;
      state = r.state;
    }
    previous = state;
    const recorded = run.boundary(k + 1);
    const p = maxDiff(params, recorded.params);
    let opt = 0;
    for (const [slot, tensors] of Object.entries(recorded.optimizer?.slots ?? {})) {
      const ours = state.slots[slot];
      if (!ours) {
        opt = Infinity;
        continue;
      }
      opt = Math.max(opt, maxDiff(ours, tensors).abs);
    }
    if (Object.keys(state.slots).some((slot) => !recorded.optimizer?.slots[slot])) opt = Infinity;
    out.push({ boundary: k + 1, stage: stage.name, maxAbsDiff: p.abs, maxRelDiff: p.abs / Math.max(p.scale, 1e-300), optimizerMaxAbsDiff: opt });
  });
  return out;
}
