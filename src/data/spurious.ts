import type { Dataset } from './dataset.js';
import { correlatedAttribute, labelGroups, withSpuriousGroups, type LabelGroupOptions } from './labelGroup.js';
import { createRng, mixSeed } from './rng.js';
import { validateDataset } from './validate.js';

export interface SpuriousOptions extends LabelGroupOptions {
  /** P(attribute = label group): 1 fully aligned, 0.5 independent, 0 fully reversed. */
  correlation: number;
  seed: number;
}

function imageDims(ds: Dataset, fn: string, channels?: number): [number, number, number] {
  const s = ds.featureShape;
  if (s.length !== 3 || (channels !== undefined && s[0] !== channels)) {
    const want = channels === undefined ? '[C, H, W]' : `[${channels}, H, W]`;
    throw new Error(`${fn}: "${ds.name}" has featureShape [${s}], expected ${want} (load images with shape: 'image')`);
  }
  return [s[0] as number, s[1] as number, s[2] as number];
}

export const COLOUR_NAMES: [string, string] = ['red', 'green'];

/**
 * Coloured-MNIST construction: a grayscale [1, H, W] set becomes [3, H, W] (RGB planes, CHW)
 * with the strokes in the red (colour 0) or green (colour 1) plane and the others zero. With
 * probability `correlation` the colour equals the label group, otherwise it is the other one.
 * Adds groups colour, labelGroup and group = 2 * labelGroup + colour. Uses ds.y as given, so
 * apply label noise afterwards if colour should follow the clean label.
 */
export function colourise(ds: Dataset, opts: SpuriousOptions & { colours?: 2 }): Dataset {
  if (opts.colours !== undefined && opts.colours !== 2) throw new Error(`colourise: only colours: 2 is supported, got ${opts.colours}`);
  const [, h, w] = imageDims(ds, 'colourise', 1);
  const plane = h * w;
  const lg = labelGroups(ds, opts);
  const colour = correlatedAttribute(lg.codes, opts.correlation, createRng(mixSeed(opts.seed, 'colourise')).next);
  const x = new Float64Array(ds.n * 3 * plane);
  for (let i = 0; i < ds.n; i++) {
    x.set(ds.x.subarray(i * plane, (i + 1) * plane), (3 * i + (colour[i] as number)) * plane);
  }
  return validateDataset({
    ...ds,
    name: `${ds.name}-coloured`,
    featureShape: [3, h, w],
    x,
    y: ds.y.slice(),
    ...withSpuriousGroups(ds, { key: 'colour', codes: colour, names: COLOUR_NAMES }, lg),
    source: `${ds.source}; colourised red/green, P(colour = label group) = ${opts.correlation}, seed ${opts.seed}`,
  });
}

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export interface PatchOptions extends SpuriousOptions {
  /** Side of the square in pixels (default 4). */
  size?: number;
  corner?: Corner;
  /** Pixel value written in every channel (default 1, the maximum brightness). */
  value?: number;
}

/**
 * Background-patch construction for [C, H, W] images: a bright size x size square in a corner,
 * present (patch = 1) with probability `correlation` when the label group is 1, and with
 * probability 1 - correlation when it is 0. Adds groups patch, labelGroup and
 * group = 2 * labelGroup + patch.
 */
export function addPatch(ds: Dataset, opts: PatchOptions): Dataset {
  const [c, h, w] = imageDims(ds, 'addPatch');
  const { size = 4, corner = 'bottom-right', value = 1 } = opts;
  if (!Number.isInteger(size) || size < 1 || size > h || size > w) throw new Error(`addPatch: size must be an integer in 1..${Math.min(h, w)}, got ${size}`);
  const lg = labelGroups(ds, opts);
  const patch = correlatedAttribute(lg.codes, opts.correlation, createRng(mixSeed(opts.seed, 'patch')).next);
  const top = corner.startsWith('top') ? 0 : h - size;
  const left = corner.endsWith('left') ? 0 : w - size;
  const x = ds.x.slice();
  const per = c * h * w;
  for (let i = 0; i < ds.n; i++) {
    if (patch[i] !== 1) continue;
    for (let ch = 0; ch < c; ch++) {
      for (let r = top; r < top + size; r++) {
        const start = i * per + ch * h * w + r * w + left;
        x.fill(value, start, start + size);
      }
    }
  }
  return validateDataset({
    ...ds,
    name: `${ds.name}-patched`,
    featureShape: [c, h, w],
    x,
    y: ds.y.slice(),
    ...withSpuriousGroups(ds, { key: 'patch', codes: patch, names: ['nopatch', 'patch'] }, lg),
    source: `${ds.source}; ${size}px patch at ${corner}, P(patch = label group) = ${opts.correlation}, seed ${opts.seed}`,
  });
}
