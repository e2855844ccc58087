import { createRng } from './rng.js';
import type { TextCorpus, TextRecord } from './textCorpus.js';

/**
 * Default injected "identity" markers: neutral placeholders, not real identity words. They
 * never occur in the source corpora, so the identity group is known exactly (a real word like
 * "christian" also appears naturally in emails), and reports carry no loaded terms. Pass real
 * words via `tokens` to mimic the toxicity-bias setting more literally.
 */
export const DEFAULT_IDENTITY_TOKENS = ['group_a', 'group_b', 'group_c'];

export interface InjectTokensOptions {
  tokens?: readonly string[];
  /** P(inject) for records with the positive ("toxic") label. */
  rateInToxic: number;
  /** P(inject) for the other records. */
  rateInClean: number;
  seed: number;
  /** Label treated as toxic (default 1). */
  positiveLabel?: number;
  /** Group key to record (default "identity"; 0 none, 1 injected). */
  column?: string;
}

/**
 * Inserts one token (uniform from `tokens`) at a uniformly chosen word boundary of each selected
 * text; a record is selected with probability rateInToxic or rateInClean by its label, so the
 * token becomes a spurious cue for the positive class when rateInToxic > rateInClean.
 * Returns a new corpus; the input is untouched.
 */
export function injectTokens(corpus: TextCorpus, opts: InjectTokensOptions): TextCorpus {
  const { tokens = DEFAULT_IDENTITY_TOKENS, rateInToxic, rateInClean, seed, positiveLabel = 1, column = 'identity' } = opts;
  for (const [what, r] of [['rateInToxic', rateInToxic], ['rateInClean', rateInClean]] as const) {
    if (!(r >= 0 && r <= 1)) throw new Error(`injectTokens: ${what} must be in [0, 1], got ${r}`);
  }
  if (tokens.length === 0 || tokens.some((t) => !/^[\p{L}\p{N}_]+$/u.test(t))) {
    throw new Error('injectTokens: tokens must be non-empty words of letters, digits or underscores (one token each)');
  }
  const rng = createRng(seed);
  const records: TextRecord[] = corpus.records.map((r) => {
    const rate = r.label === positiveLabel ? rateInToxic : rateInClean;
    const inject = rng.next() < rate;
    let text = r.text;
    if (inject) {
      const token = tokens[rng.int(tokens.length)] as string;
      // Boundaries: the start, every whitespace run, and the end.
      const cuts = [0];
      for (const m of text.matchAll(/\s+/g)) cuts.push(m.index ?? 0);
      cuts.push(text.length);
      const at = cuts[rng.int(cuts.length)] as number;
      text = `${text.slice(0, at)} ${token} ${text.slice(at)}`.replace(/^ | $/g, '');
    }
    return { text, label: r.label, groups: { ...r.groups, [column]: inject ? 1 : 0 } };
  });
  return {
    ...corpus,
    records,
    classNames: [...corpus.classNames],
    groupNames: { ...corpus.groupNames, [column]: ['none', 'injected'] },
    source: `${corpus.source}; tokens {${tokens.join(', ')}} injected, P = ${rateInToxic} (label ${positiveLabel}) / ${rateInClean} (others), seed ${seed}`,
  };
}
