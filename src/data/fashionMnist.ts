import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './dataset.js';
import { readIdxFile } from './idx.js';
import { sampleImages, type ImageLoadOptions, type ImageSource } from './imageSet.js';

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
/** Environment variable naming another directory with the same four files. */
export const FASHION_MNIST_ENV = 'STAGECREDIT_FASHION_MNIST_DIR';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
  'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

export type FashionSplit = 'train' | 'test';

const SIDE = 28;
const FILE_PREFIX: Record<FashionSplit, string> = { train: 'train', test: 't10k' };

/** Path of a split's file, gzipped or not, or undefined when absent. */
function findFile(dir: string, split: FashionSplit, kind: 'images-idx3' | 'labels-idx1'): string | undefined {
  const base = join(dir, `${FILE_PREFIX[split]}-${kind}-ubyte`);
  return [`${base}.gz`, base].find((p) => existsSync(p));
}

// An explicit directory wins over the env var, which wins over the Debian path; no fallback
// past an explicit choice, so a misconfigured path fails loudly instead of reading other data.
function chosenDir(dir?: string): string {
  return dir ?? (process.env[FASHION_MNIST_ENV] || FASHION_MNIST_SYSTEM_DIR);
}

/** The directory to read if it holds all four files, else undefined (tests use this to skip). */
export function findFashionMnistDir(dir?: string): string | undefined {
  const d = chosenDir(dir);
  const complete = (['train', 'test'] as const).every((s) => findFile(d, s, 'images-idx3') && findFile(d, s, 'labels-idx1'));
  return complete ? d : undefined;
}

// Parsed once per process and split, kept as bytes (47 MB for train); only the images a
// caller keeps are converted to Float64.
const cache = new Map<string, ImageSource>();

function loadSplit(dir: string, split: FashionSplit): ImageSource {
  const key = `${dir}\0${split}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const images = readIdxFile(findFile(dir, split, 'images-idx3') as string);
  const labels = readIdxFile(findFile(dir, split, 'labels-idx1') as string);
  const [n = 0, h, w] = images.dims;
  if (images.dims.length !== 3 || h !== SIDE || w !== SIDE) throw new Error(`Fashion-MNIST ${split} images have dims [${images.dims}], expected [n, 28, 28]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== n) throw new Error(`Fashion-MNIST ${split}: ${labels.dims[0]} labels for ${n} images`);
  const src: ImageSource = {
    name: `fashion-mnist-${split}`,
    height: SIDE,
    width: SIDE,
    pixels: images.data,
    maxValue: 255,
    labels: Int32Array.from(labels.data),
    numClasses: 10,
    classNames: FASHION_MNIST_CLASSES,
    source: `Fashion-MNIST ${split} split (${n} images, 28x28 grayscale scaled to [0,1]) from ${dir}`,
  };
  cache.set(key, src);
  return src;
}

export interface FashionMnistOptions extends ImageLoadOptions {
  split?: FashionSplit;
  /** Directory with the IDX files; defaults to $STAGECREDIT_FASHION_MNIST_DIR, then the Debian path. */
  dir?: string;
}

/**
 * Fashion-MNIST (Zalando, MIT): 60,000 train / 10,000 test, 10 balanced classes, values in
 * [0, 1]. Reads the IDX files installed by Debian's `dataset-fashion-mnist`.
 */
export function loadFashionMnist(opts: FashionMnistOptions): Dataset {
  const found = findFashionMnistDir(opts.dir);
  if (found === undefined) {
    throw new Error(
      `Fashion-MNIST not found in ${chosenDir(opts.dir)}. ` +
        `Install it with: sudo apt-get install dataset-fashion-mnist ` +
        `(or set ${FASHION_MNIST_ENV} to a directory holding train-images-idx3-ubyte.gz, ` +
        `train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz).`,
    );
  }
  return sampleImages(loadSplit(found, opts.split ?? 'train'), opts);
}
