import type { Dataset } from './dataset.js';
import { createRng, mixSeed, seededPermutation } from './rng.js';
import { validateDataset } from './validate.js';

/**
 * Flips exactly round(rate * n) labels, chosen uniformly without replacement, each to a
 * uniformly random different class. An exact count (not a Bernoulli per example) keeps small
 * test sets at the intended noise level. Adds groups.noisy (0 clean, 1 flipped).
 */
export function addLabelNoise(ds: Dataset, opts: { rate: number; seed: number }): Dataset {
  const { rate, seed } = opts;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`addLabelNoise: rate must be in [0, 1], got ${rate}`);
  if (ds.numClasses < 2 && rate > 0) throw new Error(`addLabelNoise: "${ds.name}" has one class; nothing to flip to`);
  const count = Math.round(rate * ds.n);
  const chosen = seededPermutation(ds.n, mixSeed(seed, 'which')).subarray(0, count);
  const rng = createRng(mixSeed(seed, 'to'));
  const y = ds.y.slice();
  const noisy = new Int32Array(ds.n);
  for (const i of chosen) {
    // Shift by 1..k-1 so the new label always differs from the old one.
    y[i] = ((y[i] as number) + 1 + rng.int(ds.numClasses - 1)) % ds.numClasses;
    noisy[i] = 1;
  }
  return validateDataset({
    ...ds,
    name: `${ds.name}-noisy`,
    x: ds.x,
    y,
    groups: { ...ds.groups, noisy },
    groupNames: { ...ds.groupNames, noisy: ['clean', 'flipped'] },
    source: `${ds.source}; ${count} labels flipped (rate ${rate}), seed ${seed}`,
  });
}
