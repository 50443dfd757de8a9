/** Small statistics helpers for the benchmark harness. */

/** Median of a non-empty list (mean of the two middle values for an even length). @throws on empty input */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error("bench/stats.ts median: empty list");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Round to `digits` decimals (for a readable JSON report). */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
