import { fnv1a32 } from './hash.js';

/**
 * Runs of Unicode letters, digits and underscores. Underscores are kept so injected marker
 * tokens such as "group_a" stay one token.
 */
const TOKEN = /[\p{L}\p{N}_]+/gu;

export function tokenize(text: string, opts: { lowercase?: boolean } = {}): string[] {
  const source = opts.lowercase === false ? text : text.toLowerCase();
  return source.match(TOKEN) ?? [];
}

export interface HashedBowOptions {
  /** Number of hash buckets (feature dimension). */
  dim: number;
  /** 1: unigrams; 2: unigrams plus bigrams of adjacent tokens. */
  ngrams: 1 | 2;
  /** Presence (0/1) instead of counts. Default false. */
  binary?: boolean;
  /** Lowercase before tokenising. Default true. */
  lowercase?: boolean;
  /** Scale each row to unit L2 norm (empty texts stay zero). Default false. */
  l2normalize?: boolean;
}

/**
 * The hashing trick: feature index = fnv1a32(term) mod dim, where a term is a token or, for
 * bigrams, "tok1 tok2" joined by one space (tokens never contain spaces, so the two kinds of
 * term cannot be confused before hashing). Collisions add up. Returns texts.length * dim values.
 */
export function hashedBagOfWords(texts: readonly string[], opts: HashedBowOptions): Float64Array {
  const { dim, ngrams, binary = false, lowercase = true, l2normalize = false } = opts;
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`hashedBagOfWords: dim must be a positive integer, got ${dim}`);
  if (ngrams !== 1 && ngrams !== 2) throw new Error(`hashedBagOfWords: ngrams must be 1 or 2, got ${String(ngrams)}`);
  const out = new Float64Array(texts.length * dim);
  texts.forEach((text, row) => {
    const base = row * dim;
    const add = (term: string): void => {
      const k = base + (fnv1a32(term) % dim);
      out[k] = binary ? 1 : (out[k] as number) + 1;
    };
    const tokens = tokenize(text, { lowercase });
    for (let i = 0; i < tokens.length; i++) {
      add(tokens[i] as string);
      if (ngrams === 2 && i > 0) add(`${tokens[i - 1] as string} ${tokens[i] as string}`);
    }
    if (l2normalize) {
      let sq = 0;
      for (let j = base; j < base + dim; j++) sq += (out[j] as number) ** 2;
      if (sq > 0) {
        const inv = 1 / Math.sqrt(sq);
        for (let j = base; j < base + dim; j++) out[j] = (out[j] as number) * inv;
      }
    }
  });
  return out;
}
