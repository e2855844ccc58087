import type { OptimizerState } from '../../optim/index.js';
import { stageBatch, stageEntryState, trainingStep, type Run } from '../../pipeline/index.js';
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
  /** First step of the current stage the perturbation is propagated from (1 when step 0 was taken exactly). */
  startStep: number;
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
    const fact = after.optimizer ?? { step: 0, slots: {} };
    if (lazySlotMismatch(next, cf, fact)) return firstStepExactly(run, i, cf, fact);
    for (const slot of new Set([...Object.keys(cf.slots), ...Object.keys(fact.slots)])) {
      const c = cf.slots[slot];
      const f = fact.slots[slot];
      const ref = (c ?? f)!;
      epsilon[slot] = ref.map((t, q) => subLists([c?.[q] ?? zerosLike(t)], [f?.[q] ?? zerosLike(t)])[0]);
    }
  }
  return { stage: i, delta, epsilon, startStep: 0 };
}

/**
 * torch creates SGD's momentum buffer lazily: its first step sets buf = g, later steps
 * buf = mu*buf + (1 - dampening)*g. When the counterfactual enters a carrying stage with no buffer
 * but the factual run has one, the two first steps are different maps (unless dampening is 0, when
 * a missing buffer acts as a zero one), so no state perturbation describes them.
 */
function lazySlotMismatch(next: Run['pipeline']['stages'][number], cf: OptimizerState, fact: OptimizerState): boolean {
  const spec = next.optimizer.spec;
  return spec.kind === 'sgd' && (spec.dampening ?? 0) !== 0 && !cf.slots.momentum && !!fact.slots.momentum;
}

/** Takes the carrying stage's first step exactly on both trajectories; the perturbation starts after it. */
function firstStepExactly(run: Run, i: number, cf: OptimizerState, fact: OptimizerState): Perturbation {
  const { model, dtype } = run.pipeline;
  const next = run.pipeline.stages[i + 1];
  const batch = stageBatch(next, 0, dtype);
  const c = trainingStep(model, next, run.boundary(i).params, cf, 0, batch);
  const f = trainingStep(model, next, run.boundary(i + 1).params, fact, 0, batch);
  const epsilon: Record<string, Tensor[]> = {};
  for (const slot of Object.keys(f.state.slots)) epsilon[slot] = subLists(c.state.slots[slot], f.state.slots[slot]);
  return { stage: i, delta: subLists(c.params, f.params), epsilon, startStep: 1 };
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
    for (const p of perts) p.startStep = 0;
  }
  perts.push(skipPerturbation(run, K - 1));
  cost.seconds = (performance.now() - t0) / 1000;
  return { embeddings: perts.sort((a, b) => a.stage - b.stage).map((p) => negList(p.delta)), cost };
}
