import type { Dataset } from './dataset.js';
import { mixSeed, seededPermutation } from './rng.js';
import { subset } from './subset.js';

/** The data set in a seeded random order. */
export function shuffleDataset(ds: Dataset, seed: number): Dataset {
  return subset(ds, seededPermutation(ds.n, seed));
}

/** Indices of each class, each list in a seeded random order. */
export function shuffledIndicesByClass(y: Int32Array, numClasses: number, seed: number): number[][] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i] as number]?.push(i);
  return byClass.map((idx, c) => {
    const perm = seededPermutation(idx.length, mixSeed(seed, `class${c}`));
    return Array.from(perm, (p) => idx[p] as number);
  });
}

/**
 * Indices of exactly `perClass` examples of every class, drawn without replacement, in a
 * seeded random order (so classes are interleaved for minibatching). Throws if a class is too
 * small. Loaders use this directly to avoid materialising examples they will not keep.
 */
export function balancedIndices(
  y: Int32Array,
  numClasses: number,
  perClass: number,
  seed: number,
  describe: (c: number) => string = String,
): number[] {
  if (!Number.isInteger(perClass) || perClass < 0) {
    throw new Error(`perClass must be a non-negative integer, got ${perClass}`);
  }
  const picked: number[] = [];
  shuffledIndicesByClass(y, numClasses, seed).forEach((idx, c) => {
    if (idx.length < perClass) {
      throw new Error(`class ${describe(c)} has ${idx.length} examples, fewer than perClass = ${perClass}`);
    }
    picked.push(...idx.slice(0, perClass));
  });
  const order = seededPermutation(picked.length, mixSeed(seed, 'order'));
  return Array.from(order, (k) => picked[k] as number);
}

/** Exactly `perClass` examples of every class in a seeded random order (see balancedIndices). */
export function classBalancedSample(ds: Dataset, perClass: number, seed: number): Dataset {
  let indices: number[];
  try {
    indices = balancedIndices(ds.y, ds.numClasses, perClass, seed, (c) => ds.classNames?.[c] ?? String(c));
  } catch (e) {
    throw new Error(`classBalancedSample of "${ds.name}": ${(e as Error).message}`);
  }
  return subset(ds, indices);
}

export interface SplitOptions {
  /** Fraction of examples that go to the test part, in [0, 1]. */
  testFraction: number;
  seed: number;
  /** Keep class proportions equal in both parts (default true). */
  stratify?: boolean;
}

/** Seeded train/test split; with stratify, each class is split separately (rounded per class). */
export function trainTestSplit(ds: Dataset, opts: SplitOptions): { train: Dataset; test: Dataset } {
  const { testFraction, seed, stratify = true } = opts;
  if (!(testFraction >= 0 && testFraction <= 1)) {
    throw new Error(`trainTestSplit: testFraction must be in [0, 1], got ${testFraction}`);
  }
  const train: number[] = [];
  const test: number[] = [];
  const pools = stratify
    ? shuffledIndicesByClass(ds.y, ds.numClasses, seed)
    : [Array.from(seededPermutation(ds.n, seed))];
  for (const idx of pools) {
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  const mix = (idx: number[], salt: string): number[] =>
    Array.from(seededPermutation(idx.length, mixSeed(seed, salt)), (k) => idx[k] as number);
  return {
    train: subset(ds, mix(train, 'train'), `${ds.name}/train`),
    test: subset(ds, mix(test, 'test'), `${ds.name}/test`),
  };
}
