import * as T from '../autodiff/index.js';
import { perExampleEffects, type BehaviourSet } from '../attribution/index.js';
import type { Run } from '../pipeline/index.js';
import type { TopExamples } from '../report/results.js';

/**
 * The blamed stage's training examples that pushed the behaviour most in each direction (half of
 * `count` each way), from E2 split per example (method.md §3, E2-data), with the stage's total:
 * single examples can exceed it because others offset them. Null when the split does not apply
 * (e.g. Adam stages).
 */
export function topExamples(run: Run, stageIndex: number, behaviours: BehaviourSet, behaviourIndex: number, count = 12): { top: TopExamples | null; note: string | null } {
  const pick = Int32Array.of(behaviourIndex);
  let split;
  try {
    split = perExampleEffects(run, stageIndex, (p) => T.take(behaviours.evaluate(p), pick, []));
  } catch (e) {
    return { top: null, note: (e as Error).message };
  }
  const stage = run.pipeline.stages[stageIndex];
  const ds = stage.data;
  const byContribution = Array.from(split.perExample.keys()).sort((a, b) => split.perExample[b] - split.perExample[a]);
  const half = Math.ceil(count / 2);
  const up = byContribution.slice(0, half).filter((i) => split.perExample[i] > 0);
  const down = byContribution.slice(-(count - half)).reverse().filter((i) => split.perExample[i] < 0 && !up.includes(i));
  const order = [...up, ...down];
  const examplesSum = split.perExample.reduce((a, b) => a + b, 0);
  const per = ds.featureShape.reduce((a, b) => a * b, 1);
  const imageShape = ds.featureShape.length === 3 ? ds.featureShape : per === 784 ? [1, 28, 28] : null;
  return {
    top: {
      stage: stageIndex,
      behaviour: behaviours.names[behaviourIndex],
      estimator: 'hessian-free per-example split (E2-data)',
      total: split.total,
      examplesSum,
      optimizerTerm: split.optimizerTerm,
      exampleCount: split.perExample.length,
      examples: order.map((i) => ({
        index: i,
        contribution: split.perExample[i],
        label: ds.classNames?.[ds.y[i]] ?? String(ds.y[i]),
        groups: ds.groups ? Object.fromEntries(Object.entries(ds.groups).map(([c, codes]) => [c, ds.groupNames?.[c]?.[codes[i]] ?? String(codes[i])])) : undefined,
        image: imageShape ? { channels: imageShape[0], height: imageShape[1], width: imageShape[2], pixels: Array.from(ds.x.subarray(i * per, (i + 1) * per)) } : undefined,
        text: ds.text?.[i],
      })),
    },
    note: null,
  };
}
