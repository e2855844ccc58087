import type { Dataset } from './dataset.js';
import { createRng, mixSeed, seededPermutation } from './rng.js';
import { validateDataset } from './validate.js';

function checkCount(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}, got ${v}`);
}

/** Balanced labels (i mod k) in a seeded order, so every class has floor or ceil of n/k. */
function balancedLabels(n: number, k: number, seed: number): Int32Array {
  const perm = seededPermutation(n, mixSeed(seed, 'labels'));
  return Int32Array.from(perm, (p) => p % k);
}

export interface BlobOptions {
  n: number;
  dim: number;
  numClasses: number;
  seed: number;
  /** Distance of every class centre from the origin (default 3); noise is unit Gaussian. */
  sep?: number;
}

/** Isotropic Gaussian blobs around seeded random centres at radius `sep`. */
export function gaussianBlobs(opts: BlobOptions): Dataset {
  const { n, dim, numClasses, seed, sep = 3 } = opts;
  checkCount('gaussianBlobs: n', n, 0);
  checkCount('gaussianBlobs: dim', dim, 1);
  checkCount('gaussianBlobs: numClasses', numClasses, 1);
  const centreRng = createRng(mixSeed(seed, 'centres'));
  const centres = new Float64Array(numClasses * dim);
  for (let c = 0; c < numClasses; c++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = centreRng.normal();
      centres[c * dim + j] = v;
      norm += v * v;
    }
    const scale = sep / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) centres[c * dim + j] = (centres[c * dim + j] as number) * scale;
  }
  const y = balancedLabels(n, numClasses, seed);
  const noise = createRng(mixSeed(seed, 'noise'));
  const x = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = y[i] as number;
    for (let j = 0; j < dim; j++) x[i * dim + j] = (centres[c * dim + j] as number) + noise.normal();
  }
  return validateDataset({
    name: 'gaussian-blobs',
    n,
    featureShape: [dim],
    x,
    y,
    numClasses,
    source: `synthetic: ${numClasses} Gaussian blobs in ${dim}-d, centre radius ${sep}, unit noise, seed ${seed}`,
  });
}

export interface TwoDOptions {
  n: number;
  seed: number;
  /** Std of the Gaussian noise added to each coordinate (default 0.1). */
  noise?: number;
}

/** Two interleaved half circles in 2-d (class 0 upper, class 1 lower and shifted). */
export function twoMoons(opts: TwoDOptions): Dataset {
  const { n, seed, noise = 0.1 } = opts;
  checkCount('twoMoons: n', n, 0);
  const y = balancedLabels(n, 2, seed);
  const rng = createRng(mixSeed(seed, 'points'));
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * rng.next();
    const [a, b] = y[i] === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    x[2 * i] = a + noise * rng.normal();
    x[2 * i + 1] = b + noise * rng.normal();
  }
  return validateDataset({
    name: 'two-moons',
    n,
    featureShape: [2],
    x,
    y,
    numClasses: 2,
    source: `synthetic: two moons, noise ${noise}, seed ${seed}`,
  });
}

/**
 * XOR in 2-d: points uniform in [-1, 1]^2 away from the axes by `margin`, label 1 when the
 * two coordinates have opposite signs. Not linearly separable: a check that hidden layers work.
 */
export function xorData(opts: TwoDOptions & { margin?: number }): Dataset {
  const { n, seed, noise = 0, margin = 0.1 } = opts;
  checkCount('xorData: n', n, 0);
  if (!(margin >= 0 && margin < 1)) throw new Error(`xorData: margin must be in [0, 1), got ${margin}`);
  const y = balancedLabels(n, 2, seed);
  const rng = createRng(mixSeed(seed, 'points'));
  const coord = (): number => margin + (1 - margin) * rng.next();
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const sa = rng.next() < 0.5 ? -1 : 1;
    const sb = y[i] === 1 ? -sa : sa;
    x[2 * i] = sa * coord() + noise * rng.normal();
    x[2 * i + 1] = sb * coord() + noise * rng.normal();
  }
  return validateDataset({
    name: 'xor',
    n,
    featureShape: [2],
    x,
    y,
    numClasses: 2,
    source: `synthetic: XOR quadrants, margin ${margin}, noise ${noise}, seed ${seed}`,
  });
}
