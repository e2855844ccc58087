import { allocate, DEFAULT_DTYPE, type DType } from './dtype.js';
import { sizeOf, type Shape } from './shape.js';
import { Tensor } from './tensor.js';

// The project's one seeded generator: mulberry32 on a murmur3-mixed seed. Only 32-bit integer
// arithmetic (Math.imul, shifts) feeds the stream, so a seed gives the same numbers on every
// platform: initialisations, batch orders, data recipes and tests are reproducible.

function checkSeed(seed: number): void {
  if (!Number.isFinite(seed) || !Number.isInteger(seed)) throw new Error(`seed must be a finite integer, got ${seed}`);
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
 * streams (per class, per epoch) without the streams overlapping trivially.
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

export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = mixSeed(seed, 'rng') | 0;
  }

  /** Uniform unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), this.state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next = (): number => this.uint32() / 4294967296;

  /** Uniform in [0, 1) with 53 random bits (for float64 initialisation). */
  uniform(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, maxExclusive), exactly uniform (rejection sampling). */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 4294967296) {
      throw new Error(`int(maxExclusive) needs an integer in [1, 2^32], got ${maxExclusive}`);
    }
    const limit = 4294967296 - (4294967296 % maxExclusive);
    let u = this.uint32();
    while (u >= limit) u = this.uint32();
    return u % maxExclusive;
  }

  /** Standard normal. The polar method avoids trig; V8's log/sqrt are fdlibm ports, so results are stable. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) throw new Error(`permutation size must be a non-negative integer, got ${n}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

export function createRng(seed: number): Rng {
  return new Rng(seed);
}

export function seededPermutation(n: number, seed: number): Int32Array {
  return new Rng(seed).permutation(n);
}

/** A shuffled copy of `items`; the input is left untouched. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  return Array.from(seededPermutation(items.length, seed), (i) => items[i] as T);
}

export function randn(shape: Shape, rng: Rng, std = 1, dtype: DType = DEFAULT_DTYPE): Tensor {
  const d = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = rng.normal() * std;
  return new Tensor(d, shape);
}

export function randUniform(shape: Shape, rng: Rng, low = 0, high = 1, dtype: DType = DEFAULT_DTYPE): Tensor {
  const d = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.uniform();
  return new Tensor(d, shape);
}
