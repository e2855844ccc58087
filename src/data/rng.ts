// Small seeded PRNG for the data layer. Only 32-bit integer arithmetic (Math.imul, shifts)
// feeds the uniform stream, so the same seed gives the same numbers on every platform.

/** A seeded random stream. */
export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal (Marsaglia polar method). */
  normal(): number;
}

function checkSeed(seed: number): void {
  if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
    throw new Error(`seed must be a finite integer, got ${seed}`);
  }
}

/** Murmur3's 32-bit finaliser: spreads nearby seeds (0, 1, 2, ...) across the state space. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derives an independent seed from `seed` and a salt, so one user seed can drive several
 * streams (per class, per step) without the streams overlapping trivially.
 */
export function mixSeed(seed: number, salt: number | string): number {
  checkSeed(seed);
  let h = fmix32((seed | 0) ^ 0x9e3779b9);
  // Seeds beyond 32 bits: fold the high part in too, so 2^32 and 0 differ.
  h = fmix32(h ^ Math.floor(seed / 0x100000000));
  const s = typeof salt === 'number' ? String(salt) : salt;
  for (let i = 0; i < s.length; i++) h = fmix32(h ^ s.charCodeAt(i));
  return h;
}

/** mulberry32 generator seeded with an integer. */
export function createRng(seed: number): Rng {
  checkSeed(seed);
  let state = mixSeed(seed, 'rng') | 0;
  let spare: number | null = null;

  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 4294967296;

  return {
    next,
    uint32,
    int(maxExclusive: number): number {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 4294967296) {
        throw new Error(`int(maxExclusive) needs an integer in [1, 2^32], got ${maxExclusive}`);
      }
      // Rejection sampling keeps the draw exactly uniform.
      const limit = 4294967296 - (4294967296 % maxExclusive);
      let u = uint32();
      while (u >= limit) u = uint32();
      return u % maxExclusive;
    },
    normal(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Polar method avoids trig; log/sqrt in V8 are fdlibm ports, so results are stable.
      for (;;) {
        const u = 2 * next() - 1;
        const v = 2 * next() - 1;
        const s = u * u + v * v;
        if (s > 0 && s < 1) {
          const f = Math.sqrt((-2 * Math.log(s)) / s);
          spare = v * f;
          return u * f;
        }
      }
    },
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function seededPermutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`permutation size must be a non-negative integer, got ${n}`);
  const rng = createRng(seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}

/** A shuffled copy of `items`; the input is left untouched. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const perm = seededPermutation(items.length, seed);
  return Array.from(perm, (i) => items[i] as T);
}
