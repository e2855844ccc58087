import { subset, type Dataset } from '../data/index.js';
import { evaluate, evaluateByGroup, replaySkipping, type Run } from '../pipeline/index.js';
import type { Tensor } from '../tensor/index.js';
import type { CaseStudy } from './registry.js';

export interface GroupedMetrics {
  accuracy: number;
  /** Null when the case has no group column: there is no worst group to speak of. */
  worstGroupAccuracy: number | null;
  /** Mean test loss. */
  loss: number;
  perGroup: { name: string; accuracy: number; loss: number }[];
}

export interface InterventionResult {
  description: string;
  stage: string;
  before: GroupedMetrics;
  after: GroupedMetrics;
}

export function groupedMetrics(run: Run, params: Tensor[], column?: string): GroupedMetrics {
  const { model, evaluation } = run.pipeline;
  if (!evaluation) throw new Error('the pipeline has no evaluation data');
  const all = evaluate(model, params, evaluation);
  if (!column) return { accuracy: all.accuracy, worstGroupAccuracy: null, loss: all.loss, perGroup: [] };
  const groups = evaluateByGroup(model, params, evaluation, column);
  return {
    accuracy: all.accuracy,
    loss: all.loss,
    worstGroupAccuracy: Math.min(...groups.map((g) => g.metrics.accuracy)),
    perGroup: groups.map((g) => ({ name: g.name, accuracy: g.metrics.accuracy, loss: g.metrics.loss })),
  };
}

/** Applies the case's fix to the blamed stage by exact retraining, and measures before and after. */
export function runIntervention(run: Run, cs: CaseStudy, blamed: number): InterventionResult | null {
  const iv = cs.intervention;
  if (!iv) return null;
  const before = groupedMetrics(run, run.finalParams(), cs.groupColumn);
  let stage = blamed;
  let params: Tensor[];
  if (iv.kind === 'replace-data') {
    stage = run.pipeline.stages.findIndex((s) => s.name === iv.stage);
    if (stage < 0) throw new Error(`case ${cs.name}: no stage named "${iv.stage}"`);
    const spec = run.pipeline.stages[stage].spec;
    let data: Dataset | undefined = run.pipeline.datasets[iv.data];
    if (!data) throw new Error(`case ${cs.name}: no data set "${iv.data}" in the manifest`);
    if (Array.isArray(spec.subset)) data = subset(data, spec.subset);
    params = replaySkipping(run, [], { replaceData: new Map([[stage, data]]) });
  } else {
    params = replaySkipping(run, [stage]);
  }
  return { description: iv.description, stage: run.pipeline.stages[stage].name, before, after: groupedMetrics(run, params, cs.groupColumn) };
}
