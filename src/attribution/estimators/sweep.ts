import type { OptimizerState } from '../../optim/index.js';
import { stageEntryState, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { negList, subLists, zerosLike } from '../vectors.js';
import { emptyCost, type Cost } from './types.js';

/**
 * A perturbation of the optimizer state, counterfactual minus factual (method.md §3):
 * delta over every parameter, epsilon over the current stage's optimizer slots (a slot that is
 * absent is zero).
 */
export interface Perturbation {
  /** The skipped stage this perturbation describes. */
  stage: number;
  delta: Tensor[];
  epsilon: Record<string, Tensor[]>;
}

/** The factual state entering a stage. */
export interface FactualEntry {
  params: Tensor[];
  state: OptimizerState;
}

/** Moves every active perturbation through one later stage, in place. */
export type StagePropagator = (run: Run, j: number, entry: FactualEntry, perts: Perturbation[], cost: Cost) => void;

/** The factual state entering stage j (j >= 1), from the stored boundary checkpoint. */
export function factualEntry(run: Run, j: number): FactualEntry {
  const ck = run.boundary(j);
  return { params: ck.params, state: stageEntryState(run.pipeline.stages[j], ck.params, ck.optimizer) };
}

/**
 * (delta, epsilon) at T_{i+1}, the start of stage i+1, for skipping stage i. delta is exact from
 * the checkpoints: theta_{T_i} - theta_{T_{i+1}} = -Delta_i. epsilon is nonzero only when stage
 * i+1 carries optimizer state: the counterfactual carries what stage i started from.
 */
export function skipPerturbation(run: Run, i: number): Perturbation {
  const before = run.boundary(i);
  const after = run.boundary(i + 1);
  const delta = subLists(before.params, after.params);
  const next = run.pipeline.stages[i + 1];
  const epsilon: Record<string, Tensor[]> = {};
  if (next?.carryState) {
    const cf = stageEntryState(run.pipeline.stages[i], before.params, before.optimizer);
    const fact = after.optimizer?.slots ?? {};
    for (const slot of new Set([...Object.keys(cf.slots), ...Object.keys(fact)])) {
      const c = cf.slots[slot];
      const f = fact[slot];
      const ref = (c ?? f)!;
      epsilon[slot] = ref.map((t, q) => subLists([c?.[q] ?? zerosLike(t)], [f?.[q] ?? zerosLike(t)])[0]);
    }
  }
  return { stage: i, delta, epsilon };
}

/**
 * The forward sweep shared by every propagating estimator: walk the stages once; at the start of
 * stage j, drop optimizer-state perturbations when the stage resets its state, open the
 * perturbation for skipping stage j-1, and let the propagator carry all of them through stage j.
 * Returns e_k = theta_T - theta_T^(-k) = -delta_T for every stage (the last one is exact).
 */
export function sweepStages(run: Run, propagate: StagePropagator, onProgress?: (message: string, fraction: number) => void): { embeddings: Tensor[][]; cost: Cost } {
  const K = run.pipeline.stages.length;
  const cost = emptyCost();
  const t0 = performance.now();
  const perts: Perturbation[] = [];
  for (let j = 1; j < K; j++) {
    const stage = run.pipeline.stages[j];
    if (!stage.carryState) for (const p of perts) p.epsilon = {};
    perts.push(skipPerturbation(run, j - 1));
    onProgress?.(`propagating ${perts.length} perturbation(s) through stage "${stage.name}"`, (j - 1) / Math.max(K - 1, 1));
    propagate(run, j, factualEntry(run, j), perts, cost);
  }
  perts.push(skipPerturbation(run, K - 1));
  cost.seconds = (performance.now() - t0) / 1000;
  return { embeddings: perts.sort((a, b) => a.stage - b.stage).map((p) => negList(p.delta)), cost };
}
