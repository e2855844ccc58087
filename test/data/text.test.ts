import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanEmailBody,
  createRng,
  DEFAULT_IDENTITY_TOKENS,
  fnv1a32,
  hashedBagOfWords,
  injectTokens,
  loadSpamAssassin,
  loadTextDataset,
  splitEmail,
  tokenize,
  type TextCorpus,
} from '../../src/data/index.js';

test('fnv1a32 matches hand-computed values', () => {
  // FNV-1a("a"): h = 0x811c9dc5 ^ 0x61 = 0x811c9da4; h * 0x01000193 mod 2^32, with
  // 0x01000193 = 2^24 + 0x193: (0xa4 << 24) + (0x811c9da4 * 0x193 mod 2^32)
  //   = 0xa4000000 + 0x400c292c = 0xe40c292c.
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32(''), 0x811c9dc5); // empty input: the offset basis
  assert.equal(fnv1a32('foobar'), 0xbf9cf968); // published FNV-1a 32 test vector
});

test('fnv1a32 hashes UTF-8 bytes (checked against a BigInt reference on random strings)', () => {
  const reference = (s: string): number => {
    let h = 0x811c9dc5n;
    for (const b of new TextEncoder().encode(s)) h = ((h ^ BigInt(b)) * 0x01000193n) % 2n ** 32n;
    return Number(h);
  };
  const rng = createRng(5);
  const ranges = [0x7f, 0x7ff, 0xffff, 0x10ffff];
  for (let k = 0; k < 300; k++) {
    let s = '';
    const len = rng.int(12);
    for (let i = 0; i < len; i++) {
      const cp = rng.int((ranges[rng.int(4)] as number) + 1);
      s += String.fromCodePoint(cp);
    }
    assert.equal(fnv1a32(s), reference(s), JSON.stringify(s));
  }
});

test('tokenize: lowercases by default, keeps underscores, splits on punctuation', () => {
  assert.deepEqual(tokenize("Hello, World! group_a x2 — Ünïcode's"), ['hello', 'world', 'group_a', 'x2', 'ünïcode', 's']);
  assert.deepEqual(tokenize('Hello World', { lowercase: false }), ['Hello', 'World']);
  assert.deepEqual(tokenize('  ...  '), []);
});

test('hashedBagOfWords: counts in the hashed buckets, bigrams, binary, l2, determinism', () => {
  const dim = 64;
  const x = hashedBagOfWords(['b a a', ''], { dim, ngrams: 1 });
  assert.equal(x.length, 2 * dim);
  assert.equal(x[fnv1a32('a') % dim], 2);
  assert.equal(x[fnv1a32('b') % dim], fnv1a32('a') % dim === fnv1a32('b') % dim ? 3 : 1);
  assert.equal(x.reduce((a, b) => a + b, 0), 3);
  assert.ok(x.subarray(dim).every((v) => v === 0));
  const bi = hashedBagOfWords(['b a a'], { dim: 1 << 20, ngrams: 2 });
  assert.equal(bi.reduce((a, b) => a + b, 0), 5); // 3 unigrams + 2 bigrams
  assert.equal(bi[fnv1a32('b a') % (1 << 20)], 1);
  assert.equal(bi[fnv1a32('a a') % (1 << 20)], 1);
  const bin = hashedBagOfWords(['a a a'], { dim, ngrams: 1, binary: true });
  assert.equal(bin[fnv1a32('a') % dim], 1);
  const l2 = hashedBagOfWords(['a b c d'], { dim: 1 << 20, ngrams: 1, l2normalize: true });
  assert.ok(Math.abs(l2.reduce((a, b) => a + b * b, 0) - 1) < 1e-12);
  assert.deepEqual(hashedBagOfWords(['x y z'], { dim, ngrams: 2 }), hashedBagOfWords(['x y z'], { dim, ngrams: 2 }));
  assert.throws(() => hashedBagOfWords(['a'], { dim: 0, ngrams: 1 }), /dim/);
});

test('splitEmail / cleanEmailBody: drop headers, decode quoted-printable, strip HTML', () => {
  const raw = 'From: a@b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Hi=20there &amp; =\r\nbye</p>\n\nmore';
  const { headers, body } = splitEmail(raw);
  assert.match(headers, /^From: a@b/);
  assert.equal(cleanEmailBody(body, headers), 'Hi there & bye more');
  assert.equal(cleanEmailBody('a=20b'), 'a=20b'); // not declared quoted-printable: left as is
});

test('loadSpamAssassin: counts, labels, headers removed, length cap, determinism', () => {
  const c = loadSpamAssassin({ n: 50, seed: 1, maxChars: 300 });
  assert.equal(c.records.length, 50);
  assert.deepEqual(c.classNames, ['ham', 'spam']);
  assert.match(c.source, /datasets-spam-assassin@0\.2\.3/);
  for (const r of c.records) {
    assert.ok(r.label === 0 || r.label === 1);
    assert.ok(r.text.length <= 300);
    assert.doesNotMatch(r.text, /^(Return-Path|Received|From \S+@)/);
    const corpus = r.groups?.corpus as number;
    assert.equal(r.label, (c.groupNames.corpus?.[corpus] ?? '').startsWith('spam') ? 1 : 0);
  }
  assert.deepEqual(loadSpamAssassin({ n: 50, seed: 1, maxChars: 300 }).records, c.records);
  assert.notDeepEqual(loadSpamAssassin({ n: 50, seed: 2, maxChars: 300 }).records, c.records);

  const balanced = loadSpamAssassin({ perClass: 15, seed: 3 });
  assert.equal(balanced.records.filter((r) => r.label === 1).length, 15);
  assert.equal(balanced.records.filter((r) => r.label === 0).length, 15);
  assert.equal(loadSpamAssassin({ seed: 0 }).records.length, 6046);
  assert.throws(() => loadSpamAssassin({ n: 5, perClass: 5, seed: 0 }), /not both/);
});

test('loadTextDataset: features, text and group columns', () => {
  const c = loadSpamAssassin({ perClass: 10, seed: 4, maxChars: 500 });
  const ds = loadTextDataset(c, { dim: 256, ngrams: 2 });
  assert.equal(ds.n, 20);
  assert.deepEqual(ds.featureShape, [256]);
  assert.equal(ds.text?.length, 20);
  assert.deepEqual(ds.text, c.records.map((r) => r.text));
  assert.deepEqual(ds.groupNames?.corpus, ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']);
  assert.equal(ds.groups?.corpus?.length, 20);
  assert.match(ds.source, /hashed bag of words \(FNV-1a mod 256, ngrams 2/);
});

test('injectTokens: rates by label, identity column, token present iff injected', () => {
  const records = Array.from({ length: 4000 }, (_, i) => ({ text: `some words here ${i}`, label: i % 2 }));
  const corpus: TextCorpus = { name: 'toy', records, numClasses: 2, classNames: ['clean', 'toxic'], groupNames: {}, source: 'toy' };
  const out = injectTokens(corpus, { rateInToxic: 0.8, rateInClean: 0.1, seed: 7 });
  const rate = (label: number): number => {
    const rs = out.records.filter((r) => r.label === label);
    return rs.filter((r) => r.groups?.identity === 1).length / rs.length;
  };
  const within = (p: number, q: number): boolean => Math.abs(p - q) <= 3 * Math.sqrt((q * (1 - q)) / 2000);
  assert.ok(within(rate(1), 0.8), `toxic rate ${rate(1)}`);
  assert.ok(within(rate(0), 0.1), `clean rate ${rate(0)}`);
  for (const r of out.records) {
    const hasToken = tokenize(r.text).some((t) => DEFAULT_IDENTITY_TOKENS.includes(t));
    assert.equal(hasToken, r.groups?.identity === 1);
    assert.equal(tokenize(r.text).length, r.groups?.identity === 1 ? 5 : 4);
  }
  assert.deepEqual(out.groupNames.identity, ['none', 'injected']);
  assert.equal(corpus.records[0]?.text, 'some words here 0'); // input untouched
  assert.deepEqual(injectTokens(corpus, { rateInToxic: 0.8, rateInClean: 0.1, seed: 7 }).records, out.records);
  assert.throws(() => injectTokens(corpus, { rateInToxic: 2, rateInClean: 0, seed: 1 }), /rateInToxic/);
  assert.throws(() => injectTokens(corpus, { tokens: ['two words'], rateInToxic: 1, rateInClean: 0, seed: 1 }), /tokens/);
});

test('the default identity tokens never occur in the SpamAssassin corpus', () => {
  const all = loadSpamAssassin({ seed: 0 });
  for (const r of all.records) {
    for (const t of tokenize(r.text)) assert.ok(!DEFAULT_IDENTITY_TOKENS.includes(t), t);
  }
});
