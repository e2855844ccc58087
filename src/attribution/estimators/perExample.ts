import * as T from '../../autodiff/index.js';
import { sgdGradientResponse, sgdTransition, type SgdSpec } from '../../optim/index.js';
import { batchAt, exampleLosses, stageBatch, trainingStep, type Run } from '../../pipeline/index.js';
import type { Tensor } from '../../tensor/index.js';
import { dotLists, lincomb } from '../vectors.js';
import { skipPerturbation } from './sweep.js';
import { emptyCost, type Cost } from './types.js';

/** E2 split inside one stage for one behaviour: which steps and which training examples drive it. */
export interface ExampleAttribution {
  stage: number;
  /** tau_k ≈ optimizerTerm + sum(perStep): equals E2's linear estimate to rounding. */
  total: number;
  /** The stage's own decay of its incoming weights and momentum (no data involved). */
  optimizerTerm: number;
  /** Contribution of each of the stage's steps. */
  perStep: Float64Array;
  /** Contribution of each example of the stage's data (index into the stage's data), summed over its occurrences. */
  perExample: Float64Array;
  cost: Cost;
}

type Row = [number, number];

/**
 * With H_t = 0 an SGD-family step is affine in (theta, buffer, g): x_{t+1} = M_t x_t + r_t g_t. So
 * theta_T - theta_T^(-k) unrolls exactly into sum_t gamma_t g_t plus a term in the stage's entry
 * state, where gamma_t = rho_{t+1} . r_t and rho_t = d theta_T / d x_t is a 1x2 row per parameter
 * tensor, obtained by multiplying the later steps' 2x2 matrices from the right. With
 * g_t = (1/|B_t|) sum_z w_z grad l(z; theta_t), each step's terms <u gamma_t, grad l(z; theta_t)>
 * (u = grad f(theta_T)) come from one JVP of the batch's per-example losses.
 */
export function perExampleEffects(run: Run, stageIndex: number, behaviour: (params: Tensor[]) => Tensor): ExampleAttribution {
  const t0 = performance.now();
  const cost = emptyCost();
  const { pipeline } = run;
  const { model, dtype } = pipeline;
  const K = pipeline.stages.length;
  const stage = pipeline.stages[stageIndex];
  if (!stage) throw new Error(`per-example attribution: stage ${stageIndex} is out of range 0..${K - 1}`);
  for (const s of pipeline.stages.slice(stageIndex)) {
    if (s.optimizer.spec.kind !== 'sgd') {
      throw new Error(`per-example attribution supports the SGD family only; stage "${s.name}" uses ${s.optimizer.spec.kind} (use the stage-level estimators for it)`);
    }
  }
  if (stageIndex + 1 < K && skipPerturbation(run, stageIndex).startStep !== 0) {
    throw new Error(`per-example attribution: stage "${pipeline.stages[stageIndex + 1].name}" carries optimizer state with dampening after stage "${stage.name}", whose optimizer started fresh; torch's lazily created momentum buffer makes the two first steps different maps, which this split does not model (use the stage-level estimators)`);
  }
  const P = model.params.length;
  // rho per parameter tensor, from theta_T backwards: start (1, 0).
  let rho: Row[] = Array.from({ length: P }, () => [1, 0]);
  const applyStep = (spec: SgdSpec, stepIndex: number, lr: number, trainable: number[]) => {
    const M = sgdTransition(spec, stepIndex, lr);
    const mu = spec.momentum ?? 0;
    const row1: Row = mu === 0 ? [0, 1] : M[1];
    for (const p of trainable) {
      const [a, b] = rho[p];
      rho[p] = [a * M[0][0] + b * row1[0], a * M[0][1] + b * row1[1]];
    }
  };
  const entryStep = (j: number) => run.boundary(j).optimizer && pipeline.stages[j].carryState ? run.boundary(j).optimizer!.step : 0;
  for (let j = K - 1; j > stageIndex; j--) {
    const s = pipeline.stages[j];
    const first = entryStep(j);
    for (let t = s.steps - 1; t >= 0; t--) applyStep(s.optimizer.spec as SgdSpec, first + t, s.lrs[t], s.trainable);
    if (!s.carryState) rho = rho.map(([a]) => [a, 0]);
  }
  const rhoAfter = rho.map((r) => [...r] as Row);
  const spec = stage.optimizer.spec as SgdSpec;
  const first = entryStep(stageIndex);
  const gamma: Float64Array[] = new Array(stage.steps);
  for (let t = stage.steps - 1; t >= 0; t--) {
    const r = sgdGradientResponse(spec, first + t, stage.lrs[t]);
    gamma[t] = Float64Array.from(stage.trainable, (p) => rho[p][0] * r[0] + rho[p][1] * r[1]);
    applyStep(spec, first + t, stage.lrs[t], stage.trainable);
  }
  const rhoBefore = rho;

  const final = run.finalParams();
  const u = T.grad((p) => T.reshape(behaviour(p), []))(final);
  cost.gradients++;
  // Entry-state term: rho_before . x_entry(k) - rho_after . x_cf(k+1), both with theta = theta_{T_{k-1}}.
  const entry = run.boundary(stageIndex);
  const vEntry = stage.carryState ? entry.optimizer?.slots.momentum ?? null : null;
  let optimizerTerm = 0;
  for (let p = 0; p < P; p++) {
    optimizerTerm += (rhoBefore[p][0] - rhoAfter[p][0]) * dotLists([u[p]], [entry.params[p]]);
  }
  stage.trainable.forEach((p, q) => {
    const v = vEntry?.[q];
    if (v) optimizerTerm += (rhoBefore[p][1] - rhoAfter[p][1]) * dotLists([u[p]], [v]);
  });

  // Replay the stage: at each step, one JVP of the per-example losses along (gamma_t u).
  const perStep = new Float64Array(stage.steps);
  const perExample = new Float64Array(stage.data.n);
  let params = entry.params;
  let state = stage.optimizer.init(stage.trainable.map((i) => params[i]));
  if (stage.carryState && entry.optimizer) state = entry.optimizer;
  for (let t = 0; t < stage.steps; t++) {
    const batch = stageBatch(stage, t, dtype);
    const direction = params.map((x) => lincomb(0, x, 0, null));
    stage.trainable.forEach((p, q) => (direction[p] = lincomb(gamma[t][q], u[p], 0, null)));
    const d = T.jvp((ps) => exampleLosses(model, ps, batch, stage.loss), params, direction).tangent.data;
    cost.jvps++;
    const next = trainingStep(model, stage, params, state, t, batch);
    cost.gradients++;
    cost.stepsReplayed++;
    const idx = batchAt(stage.batches, t);
    const B = idx.length;
    let sum = 0;
    for (let r = 0; r < B; r++) {
      // A clipped step applied clipScale * g_t; under H_t = 0 the factor is the factual one.
      const term = (next.clipScale * (batch.weights ? batch.weights[r] : 1) * d[r]) / B;
      perExample[idx[r]] += term;
      sum += term;
    }
    perStep[t] = sum;
    params = next.params;
    state = next.state;
  }
  cost.seconds = (performance.now() - t0) / 1000;
  const total = optimizerTerm + perStep.reduce((a, b) => a + b, 0);
  return { stage: stageIndex, total, optimizerTerm, perStep, perExample, cost };
}
