// Correlation statistics for judging estimates (method.md §4). Degenerate inputs give NaN with
// the reason, never a throw: one constant behaviour vector must not stop a whole report.

/** A statistic that may be undefined; `reason` says why when value is NaN. */
export interface Stat {
  value: number;
  reason?: string;
}

const undefinedStat = (reason: string): Stat => ({ value: NaN, reason });

function checkPair(what: string, x: ArrayLike<number>, y: ArrayLike<number>): Stat | null {
  if (x.length !== y.length) throw new Error(`${what}: vectors of different lengths (${x.length} and ${y.length})`);
  if (x.length < 2) return undefinedStat(`${x.length} value${x.length === 1 ? '' : 's'} (needs at least 2)`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) return undefinedStat(`non-finite value at index ${i}`);
  }
  return null;
}

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Pearson's r, from centred sums (two passes, stable in float64). `names` label the reasons. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, names: [string, string] = ['x', 'y']): Stat {
  const bad = checkPair('pearson', x, y);
  if (bad) return bad;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 && syy === 0) return undefinedStat(`${names[0]} and ${names[1]} are both constant`);
  if (sxx === 0) return undefinedStat(`${names[0]} is constant`);
  if (syy === 0) return undefinedStat(`${names[1]} is constant`);
  return { value: Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))) };
}

/** Ranks 1..n; tied values share the average of the ranks they span. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(x.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && x[order[end]] === x[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let j = start; j < end; j++) ranks[order[j]] = rank;
    start = end;
  }
  return ranks;
}

/** Spearman's rho: Pearson's r of the average ranks (the tie-corrected form). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>, names: [string, string] = ['x', 'y']): Stat {
  const bad = checkPair('spearman', x, y);
  if (bad) return bad;
  return pearson(averageRanks(x), averageRanks(y), names);
}

/** Kendall's tau-b (ties corrected in both vectors), O(n^2): meant for short vectors such as stages. */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>, names: [string, string] = ['x', 'y']): Stat {
  const bad = checkPair('kendallTau', x, y);
  if (bad) return bad;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  let pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const sx = Math.sign(x[i] - x[j]);
      const sy = Math.sign(y[i] - y[j]);
      pairs++;
      if (sx === 0) tiedX++;
      if (sy === 0) tiedY++;
      if (sx * sy > 0) concordant++;
      else if (sx * sy < 0) discordant++;
    }
  }
  if (tiedX === pairs && tiedY === pairs) return undefinedStat(`${names[0]} and ${names[1]} are both constant`);
  if (tiedX === pairs) return undefinedStat(`${names[0]} is constant`);
  if (tiedY === pairs) return undefinedStat(`${names[1]} is constant`);
  return { value: (concordant - discordant) / Math.sqrt((pairs - tiedX) * (pairs - tiedY)) };
}
