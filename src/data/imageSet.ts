import type { Dataset } from './dataset.js';
import { seededPermutation } from './rng.js';
import { balancedIndices } from './split.js';
import { validateDataset } from './validate.js';

/** 'flat' gives featureShape [h*w]; 'image' gives [1, h, w] (CHW, for convolutions). */
export type ImageLayout = 'flat' | 'image';

export interface ImageLoadOptions {
  /** Exactly this many examples per class; omit for every example. */
  perClass?: number;
  /** Seed for sampling and for the (always shuffled) example order. */
  seed: number;
  shape?: ImageLayout;
}

/** A cached grayscale image collection in its stored form (bytes or floats). */
export interface ImageSource {
  name: string;
  height: number;
  width: number;
  /** n * height * width stored values. */
  pixels: Uint8Array | Float64Array;
  /** Divisor mapping stored values to [0, 1] (255 for bytes, 1 for floats); dividing keeps 255 -> exactly 1. */
  maxValue: number;
  labels: Int32Array;
  numClasses: number;
  classNames: readonly string[];
  source: string;
}

/**
 * Shared tail of the grayscale loaders: choose indices first, then convert only the kept
 * images to Float64 (the full Fashion-MNIST train set would be 376 MB as Float64).
 * Index choice matches shuffleDataset / classBalancedSample on the full set.
 */
export function sampleImages(src: ImageSource, opts: ImageLoadOptions): Dataset {
  const { perClass, seed, shape = 'flat' } = opts;
  if (shape !== 'flat' && shape !== 'image') throw new Error(`shape must be 'flat' or 'image', got ${String(shape)}`);
  const n = src.labels.length;
  let indices: ArrayLike<number>;
  try {
    indices =
      perClass === undefined
        ? seededPermutation(n, seed)
        : balancedIndices(src.labels, src.numClasses, perClass, seed, (c) => src.classNames[c] ?? String(c));
  } catch (e) {
    throw new Error(`loading ${src.name}: ${(e as Error).message}`);
  }
  const size = src.height * src.width;
  const m = indices.length;
  const x = new Float64Array(m * size);
  const y = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = indices[k] as number;
    y[k] = src.labels[i] as number;
    const from = i * size;
    const to = k * size;
    for (let j = 0; j < size; j++) x[to + j] = (src.pixels[from + j] as number) / src.maxValue;
  }
  return validateDataset({
    name: src.name,
    n: m,
    featureShape: shape === 'image' ? [1, src.height, src.width] : [size],
    x,
    y,
    numClasses: src.numClasses,
    classNames: [...src.classNames],
    source: src.source,
  });
}
