/** An in-memory classification data set with optional group columns for subgroup analysis. */
export interface Dataset {
  name: string;
  /** Number of examples. */
  n: number;
  /** Per-example shape, e.g. [784], [1, 28, 28] (CHW), [3, 28, 28] for colour. */
  featureShape: number[];
  /** n * prod(featureShape) values, row-major, example-major. */
  x: Float64Array;
  /** Class labels in 0..numClasses-1. */
  y: Int32Array;
  numClasses: number;
  classNames?: string[];
  /** Named group columns (e.g. colour, spurious attribute): one integer code per example. */
  groups?: Record<string, Int32Array>;
  /** Code -> readable name, per group column. */
  groupNames?: Record<string, string[]>;
  /** Raw text per example when the features come from text (for reports). */
  text?: string[];
  /** Human-readable provenance. */
  source: string;
}

/** Number of values per example: the product of the feature shape. */
export function featureSize(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Example counts per class. */
export function classCounts(ds: Pick<Dataset, 'y' | 'numClasses'>): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (const label of ds.y) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
