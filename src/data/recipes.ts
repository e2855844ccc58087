import { z } from 'zod';
import type { Dataset } from './dataset.js';
import { loadFashionMnist } from './fashionMnist.js';
import { addLabelNoise } from './labelNoise.js';
import { loadMnist } from './mnist.js';
import { loadSpamAssassin } from './spamAssassin.js';
import { addPatch, colourise } from './spurious.js';
import { subset } from './subset.js';
import { gaussianBlobs } from './synthetic.js';
import { loadTextDataset } from './text.js';
import { injectTokens } from './tokenInjection.js';

// Data recipes: a manifest names a source and a chain of transforms, so a case study is a plain
// JSON file. Every recipe is deterministic in its seeds.

const seed = z.number().int();
const range = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);

const transform = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('slice'), range }).strict(),
  z.object({ kind: z.literal('classes'), keep: z.array(z.number().int().nonnegative()).min(1) }).strict(),
  /** Relabels to the binary label group (label < threshold -> 0, else 1; default ceil(C/2)). */
  z.object({ kind: z.literal('binarize'), threshold: z.number().int().positive().optional() }).strict(),
  z.object({ kind: z.literal('colourise'), correlation: z.number().min(0).max(1), seed }).strict(),
  z.object({ kind: z.literal('patch'), correlation: z.number().min(0).max(1), seed, size: z.number().int().positive().optional() }).strict(),
  z.object({ kind: z.literal('labelNoise'), rate: z.number().min(0).max(1), seed }).strict(),
  /** Crosses the label with a group column into a new column (default "group"), e.g. spam/identity. */
  z.object({ kind: z.literal('labelGroups'), column: z.string().min(1), as: z.string().min(1).optional() }).strict(),
]);
export type DataTransform = z.infer<typeof transform>;

const imageSource = z.object({
  perClass: z.number().int().positive().optional(),
  seed: seed.default(0),
  shape: z.enum(['flat', 'image']).default('flat'),
  transforms: z.array(transform).default([]),
}).strict();

const recipes = {
  mnist: imageSource,
  'fashion-mnist': imageSource.extend({ split: z.enum(['train', 'test']).default('train') }),
  blobs: z.object({
    n: z.number().int().positive(), dim: z.number().int().positive(), numClasses: z.number().int().min(2),
    seed: seed.default(0), sep: z.number().positive().optional(), transforms: z.array(transform).default([]),
  }).strict(),
  spam: z.object({
    perClass: z.number().int().positive().optional(),
    seed: seed.default(0),
    dim: z.number().int().positive().default(2048),
    ngrams: z.union([z.literal(1), z.literal(2)]).default(1),
    /** Cap on each email body's length in characters. */
    maxChars: z.number().int().positive().optional(),
    /** Identity-like tokens co-occurring with the spam (toxic-like) label. */
    inject: z.object({ rateInToxic: z.number().min(0).max(1), rateInClean: z.number().min(0).max(1), seed, tokens: z.array(z.string()).optional() }).strict().optional(),
    transforms: z.array(transform).default([]),
  }).strict(),
};
export type RecipeName = keyof typeof recipes;
export const RECIPE_NAMES = Object.keys(recipes) as RecipeName[];

function applyTransform(ds: Dataset, t: DataTransform): Dataset {
  switch (t.kind) {
    case 'slice': {
      const [a, b] = t.range;
      if (b > ds.n || a >= b) throw new Error(`slice [${a}, ${b}) is out of range for ${ds.n} examples`);
      return subset(ds, Array.from({ length: b - a }, (_, i) => a + i));
    }
    case 'classes': {
      const keep = new Set(t.keep);
      return subset(ds, Array.from(ds.y.keys()).filter((i) => keep.has(ds.y[i])));
    }
    case 'binarize': {
      const th = t.threshold ?? Math.ceil(ds.numClasses / 2);
      return { ...ds, y: Int32Array.from(ds.y, (c) => (c < th ? 0 : 1)), numClasses: 2, classNames: [`y<${th}`, `y>=${th}`] };
    }
    case 'colourise': return colourise(ds, { correlation: t.correlation, seed: t.seed });
    case 'patch': return addPatch(ds, { correlation: t.correlation, seed: t.seed, size: t.size });
    case 'labelNoise': return addLabelNoise(ds, { rate: t.rate, seed: t.seed });
    case 'labelGroups': return crossWithLabel(ds, t.column, t.as ?? 'group');
  }
}

function crossWithLabel(ds: Dataset, column: string, as: string): Dataset {
  const codes = ds.groups?.[column];
  if (!codes) throw new Error(`no group column "${column}" (columns: ${Object.keys(ds.groups ?? {}).join(', ') || 'none'})`);
  const values = Math.max(...codes) + 1;
  const valueNames = ds.groupNames?.[column] ?? Array.from({ length: values }, (_, v) => String(v));
  const classNames = ds.classNames ?? Array.from({ length: ds.numClasses }, (_, c) => String(c));
  const crossed = Int32Array.from(codes, (v, i) => ds.y[i] * values + v);
  const names = classNames.flatMap((c) => valueNames.slice(0, values).map((v) => `${c}/${v}`));
  return { ...ds, groups: { ...ds.groups, [as]: crossed }, groupNames: { ...ds.groupNames, [as]: names } };
}

/** Builds a data set from a recipe name and options; errors name `where` and the field. */
export function buildRecipe(name: string, options: unknown, where: string): Dataset {
  if (!Object.hasOwn(recipes, name)) throw new Error(`${where}.recipe: unknown recipe "${name}" (known: ${RECIPE_NAMES.join(', ')})`);
  const schema = recipes[name as RecipeName];
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${where}.options${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
  }
  const o = parsed.data;
  let ds: Dataset;
  switch (name as RecipeName) {
    case 'mnist': {
      const m = o as z.infer<typeof imageSource>;
      ds = loadMnist({ perClass: m.perClass, seed: m.seed, shape: m.shape });
      break;
    }
    case 'fashion-mnist': {
      const f = o as z.infer<(typeof recipes)['fashion-mnist']>;
      ds = loadFashionMnist({ split: f.split, perClass: f.perClass, seed: f.seed, shape: f.shape });
      break;
    }
    case 'blobs': {
      const b = o as z.infer<(typeof recipes)['blobs']>;
      ds = gaussianBlobs({ n: b.n, dim: b.dim, numClasses: b.numClasses, seed: b.seed, sep: b.sep });
      break;
    }
    case 'spam': {
      const s = o as z.infer<(typeof recipes)['spam']>;
      let corpus = loadSpamAssassin({ perClass: s.perClass, seed: s.seed, maxChars: s.maxChars });
      if (s.inject) corpus = injectTokens(corpus, s.inject);
      ds = loadTextDataset(corpus, { dim: s.dim, ngrams: s.ngrams, l2normalize: true });
      break;
    }
  }
  const transforms = (o as { transforms: DataTransform[] }).transforms;
  transforms.forEach((t, i) => {
    try {
      ds = applyTransform(ds, t);
    } catch (e) {
      throw new Error(`${where}.options.transforms[${i}] (${t.kind}): ${(e as Error).message}`);
    }
  });
  return ds;
}
