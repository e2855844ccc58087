import type { Dataset } from './dataset.js';
import type { TextCorpus } from './textCorpus.js';
import { hashedBagOfWords, type HashedBowOptions } from './textFeatures.js';
import { validateDataset } from './validate.js';

export interface TextDatasetOptions extends HashedBowOptions {
  /** Dataset name; defaults to the corpus name. */
  name?: string;
}

/**
 * Featurises a text corpus with hashed bag of words into a Dataset, keeping the raw text and
 * turning every record group key into a group column.
 */
export function loadTextDataset(corpus: TextCorpus, opts: TextDatasetOptions): Dataset {
  const { records } = corpus;
  const n = records.length;
  const keys = Object.keys(corpus.groupNames);
  const groups: Record<string, Int32Array> = {};
  for (const key of keys) groups[key] = new Int32Array(n);
  const y = new Int32Array(n);
  records.forEach((r, i) => {
    y[i] = r.label;
    for (const key of keys) {
      const code = r.groups?.[key];
      if (code === undefined) throw new Error(`loadTextDataset: record ${i} of "${corpus.name}" has no group "${key}"`);
      (groups[key] as Int32Array)[i] = code;
    }
  });
  const text = records.map((r) => r.text);
  const { dim, ngrams, binary = false, lowercase = true, l2normalize = false } = opts;
  const ds: Dataset = {
    name: opts.name ?? corpus.name,
    n,
    featureShape: [dim],
    x: hashedBagOfWords(text, opts),
    y,
    numClasses: corpus.numClasses,
    classNames: [...corpus.classNames],
    text,
    source:
      `${corpus.source}; features: hashed bag of words (FNV-1a mod ${dim}, ngrams ${ngrams}, ` +
      `${binary ? 'binary' : 'counts'}${lowercase ? ', lowercased' : ''}${l2normalize ? ', L2-normalised' : ''})`,
  };
  if (keys.length > 0) {
    ds.groups = groups;
    ds.groupNames = Object.fromEntries(keys.map((k) => [k, [...(corpus.groupNames[k] as string[])]]));
  }
  return validateDataset(ds);
}
