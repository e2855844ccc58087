import type { OptimizerState } from '../../optim/index.js';
import { stageBatch, trainingStep, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { lincomb, subLists } from '../vectors.js';
import { propagateStageCurvature, stageCurvatureOptions, type StageCurvatureOptions } from './stageCurvature.js';
import { sweepStages, type FactualEntry, type Perturbation } from './sweep.js';
import { DYNAMICS_TERMS, type Cost, type StageEstimator } from './types.js';

/** Share of the next stage's steps replayed exactly (at least MIN_HEAD steps, at most the stage). */
export const HEAD_FRACTION = 0.02;
const MIN_HEAD = 5;

export function headSteps(stageSteps: number, fraction = HEAD_FRACTION): number {
  return Math.min(stageSteps, Math.max(MIN_HEAD, Math.round(fraction * stageSteps)));
}

const addLists = (a: readonly Tensor[], b: readonly Tensor[]) => a.map((t, i) => lincomb(1, t, 1, b[i]));

/** The perturbed optimizer state: factual slots plus epsilon (a missing slot is zero on either side). */
function perturbedState(fact: OptimizerState, eps: Record<string, Tensor[]>): OptimizerState {
  const slots: Record<string, Tensor[]> = { ...fact.slots };
  for (const [name, e] of Object.entries(eps)) slots[name] = fact.slots[name] ? addLists(fact.slots[name], e) : e;
  return { step: fact.step, slots };
}

/**
 * Short exact replay of the head of the stage right after the skipped one, then stage-curvature
 * for everything after it (beyond the paper). The perturbation is largest where it enters, so the
 * first steps are where a linear model of the update errs most; replaying them on both the
 * counterfactual and the factual trajectory with the same batches gives (delta, epsilon) exactly at
 * the end of the head. Cost: 2 x head steps per stage on top of stage-curvature.
 */
export function propagateReplayHead(o: StageCurvatureOptions & { headFraction: number }) {
  const curvature = propagateStageCurvature(o);
  return (run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost): void => {
    const stage = run.pipeline.stages[j];
    const { model, dtype } = run.pipeline;
    const fresh = perts.filter((p) => p.stage === j - 1 && p.startStep === 0);
    const r = headSteps(stage.steps, o.headFraction);
    if (fresh.length && r > 0) {
      const batches = Array.from({ length: r }, (_, s) => stageBatch(stage, s, dtype));
      const walk = (params: Tensor[], state: OptimizerState) => {
        for (let s = 0; s < r; s++) {
          const step = trainingStep(model, stage, params, state, s, batches[s]);
          params = step.params;
          state = step.state;
          cost.gradients++;
          cost.stepsReplayed++;
        }
        return { params, state };
      };
      const fact = walk(entry.params, entry.state);
      for (const p of fresh) {
        const cf = walk(addLists(entry.params, p.delta), perturbedState(entry.state, p.epsilon));
        p.delta = subLists(cf.params, fact.params);
        p.epsilon = Object.fromEntries(Object.keys(fact.state.slots).map((name) => [name, subLists(cf.state.slots[name], fact.state.slots[name])]));
        p.startStep = r;
      }
    }
    curvature(run, j, entry, perts, cost);
  };
}

export const replayHead: StageEstimator = {
  name: 'replay-head',
  rung: 'exact head + cheaper curvature (beyond the paper)',
  description: `replays the first ${100 * HEAD_FRACTION} % (at least ${MIN_HEAD} steps) of the stage after the skipped one exactly, then stage-curvature`,
  embed(run, opts) {
    const o = { ...stageCurvatureOptions(opts), headFraction: HEAD_FRACTION };
    const { embeddings, cost } = sweepStages(run, propagateReplayHead(o), opts?.onProgress);
    const adam = run.pipeline.stages.slice(1).filter((s) => s.optimizer.spec.kind !== 'sgd').map((s) => `"${s.name}"`);
    return {
      estimator: 'replay-head',
      embeddings,
      assumptions: {
        hessian: 'stage-stationary', dynamics: true,
        optimizerTerms: [...DYNAMICS_TERMS],
        notes: [
          `the first ${o.headFraction * 100} % (at least ${MIN_HEAD} steps) of the stage after the skipped one replayed exactly on both trajectories`,
          `then Gauss-Newton curvature per later SGD-family stage (rank ${o.curvatureRank}, ${o.curvatureSample} examples)`,
          ...(adam.length ? [`Adam/AdamW later stage(s) ${adam.join(', ')} after their head: no curvature model (H_t = 0), frozen second moment`] : []),
        ],
      },
      cost,
    };
  },
};
