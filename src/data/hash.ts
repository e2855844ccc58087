/** FNV-1a 32-bit parameters (Fowler–Noll–Vo; see draft-eastlake-fnv). */
export const FNV32_OFFSET_BASIS = 0x811c9dc5;
export const FNV32_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a of the UTF-8 bytes of `s`: start from the offset basis, and for each byte
 * XOR it in, then multiply by the prime modulo 2^32. Lone surrogates hash as U+FFFD, as
 * TextEncoder would encode them. Returns an unsigned 32-bit integer.
 */
export function fnv1a32(s: string): number {
  let h = FNV32_OFFSET_BASIS;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp < 0x80) {
      h = Math.imul(h ^ cp, FNV32_PRIME); // ASCII fast path: one byte
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const lo = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) cp = 0xfffd;

    // UTF-8: lead byte, then 6-bit continuation bytes from the most significant end.
    const extra = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
    const lead = extra === 1 ? 0xc0 : extra === 2 ? 0xe0 : 0xf0;
    h = Math.imul(h ^ (lead | (cp >> (6 * extra))), FNV32_PRIME);
    for (let k = extra - 1; k >= 0; k--) h = Math.imul(h ^ (0x80 | ((cp >> (6 * k)) & 0x3f)), FNV32_PRIME);
  }
  return h >>> 0;
}
