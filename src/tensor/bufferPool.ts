import type { Tensor } from './tensor.js';

/**
 * Float64 buffers recycled between the steps of one loop (a training loop's parameters and
 * optimizer slots), so a step writes its outputs into memory the loop has finished with instead of
 * allocating (and zero-filling, and later collecting) megabytes per step.
 *
 * Safe by construction: only arrays this pool allocated can come back (release ignores every other
 * tensor, e.g. a checkpoint's), each array is on the free list at most once, and an array is handed
 * out again only after its owner released it. The owner releases a tensor only when nothing will
 * read it again; a pooled array is fully overwritten by whoever takes it.
 */
export class BufferPool {
  private readonly mine = new WeakSet<Float64Array>();
  private readonly free = new Map<number, Float64Array[]>();
  private readonly onFreeList = new Set<Float64Array>();

  /** An array of n entries with arbitrary contents (the taker must write every entry). */
  take(n: number): Float64Array {
    const a = this.free.get(n)?.pop();
    if (a) {
      this.onFreeList.delete(a);
      return a;
    }
    const fresh = new Float64Array(n);
    this.mine.add(fresh);
    return fresh;
  }

  /** Declares these tensors dead: their arrays (if this pool made them) may be handed out again. */
  release(ts: Iterable<Tensor>): void {
    for (const t of ts) {
      const d = t.data;
      if (!(d instanceof Float64Array) || !this.mine.has(d) || this.onFreeList.has(d)) continue;
      this.onFreeList.add(d);
      const list = this.free.get(d.length);
      if (list) list.push(d);
      else this.free.set(d.length, [d]);
    }
  }

  /** Arrays waiting to be reused (for tests). */
  get freeCount(): number {
    return this.onFreeList.size;
  }
}

/** The tensors of `before` that `after` no longer holds (by identity): what a step retired. */
export function retired(before: readonly Tensor[], after: readonly Tensor[]): Tensor[] {
  const kept = new Set(after);
  return before.filter((t) => !kept.has(t));
}
