import type { Better } from '../attribution/behaviours.js';
import { isNum } from './format.js';
import { behaviourUnit, figureTag } from './headline.js';
import { COLOURS, stageColour } from './palette.js';
import type { HeadlineEffects, Results } from './results.js';

// The numbers the page's inline script draws, keyed by canvas id. Everything here comes from
// results.json; scatter plots thin out very large behaviour sets so the page stays light.

export const MAX_SCATTER_POINTS_PER_STAGE = 1500;

export interface ChartData {
  colours: typeof COLOURS;
  effects: {
    canvas: string;
    stages: string[];
    estimate: (number | null)[];
    /** The estimate's interval per stage (null: none; equal to the estimate when replayed). */
    lo: (number | null)[];
    hi: (number | null)[];
    /** Per stage: "exact (replayed)" or "±0.03 medium"; shown under the stage name. */
    tags: string[];
    exact: boolean[];
    truth: (number | null)[] | null;
    better: Better;
    axisLabel: string;
    estimateLabel: string;
  };
  scatters: { canvas: string; unit: string; stages: { name: string; colour: string; points: [number, number][] }[] }[];
  intervention: { canvas: string; groups: string[]; before: number[]; after: number[] } | null;
}

export const scatterCanvasId = (i: number): string => `chart-scatter-${i}`;

/** Every behaviour when few, else an evenly spaced subset (deterministic, so pages diff cleanly). */
export function thinIndices(n: number, max = MAX_SCATTER_POINTS_PER_STAGE): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, j) => Math.floor((j * n) / max));
}

export function chartData(r: Results, effects: HeadlineEffects): ChartData {
  const stages = r.run.stages.map((s) => s.name);
  const v = r.validation;
  const truth = v?.truth?.leaveOneOut;
  const unit = effects.unit ? ` (${effects.unit})` : '';
  // A scatter holds every behaviour: one unit when they share it, else say so.
  const units = new Set(r.attribution.behaviours.names.map(behaviourUnit));
  const scatterUnit = units.size === 1 ? [...units][0] || 'unitless' : 'each behaviour\'s own units';
  return {
    colours: COLOURS,
    effects: {
      canvas: 'chart-effects',
      stages,
      estimate: effects.perStage.map((s) => (isNum(s.estimate) ? s.estimate : null)),
      lo: effects.perStage.map((s) => (isNum(s.lo) ? s.lo : null)),
      hi: effects.perStage.map((s) => (isNum(s.hi) ? s.hi : null)),
      tags: effects.perStage.map((s) => figureTag(s)),
      exact: effects.perStage.map((s) => s.exact),
      truth: effects.perStage.every((s) => s.truth === null) ? null : effects.perStage.map((s) => s.truth),
      better: effects.better,
      axisLabel: `effect on ${effects.behaviour}${unit}`,
      estimateLabel: effects.estimate,
    },
    scatters: truth ? (v?.estimates ?? []).map((e, i) => ({
      canvas: scatterCanvasId(i),
      unit: scatterUnit,
      stages: stages.map((name, k) => {
        const est = e.effects[k] ?? [];
        const tru = truth[k] ?? [];
        const points: [number, number][] = [];
        for (const j of thinIndices(Math.min(est.length, tru.length))) {
          if (isNum(est[j]) && isNum(tru[j])) points.push([est[j], tru[j]]);
        }
        return { name, colour: stageColour(k), points };
      }),
    })) : [],
    intervention: r.intervention && r.intervention.before.perGroup.length > 0 ? {
      canvas: 'chart-intervention',
      groups: r.intervention.before.perGroup.map((g) => g.name),
      before: r.intervention.before.perGroup.map((g) => g.accuracy),
      after: r.intervention.before.perGroup.map((g) => r.intervention!.after.perGroup.find((a) => a.name === g.name)?.accuracy ?? NaN),
    } : null,
  };
}
