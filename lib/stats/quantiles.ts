/**
 * Order statistics used for the boxes of the sweep figures: quantiles with numpy's default
 * ("linear", type 7) interpolation, median and interquartile range.
 */

/** Quantile q ∈ [0,1] of xs with linear interpolation between order statistics (numpy's default). Throws on empty input or q outside [0,1]. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) throw new Error("quantile: empty sample");
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0,1], got ${q}`);
  const s = Float64Array.from(xs).sort();
  const h = (s.length - 1) * q;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Median (numpy.median). */
export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

/** Median, quartiles and count of a sample. */
export interface Summary {
  median: number;
  q1: number;
  q3: number;
  /** q3 − q1. */
  iqr: number;
  n: number;
  mean: number;
}

/** Median, q1, q3, IQR, mean and size of a sample. Throws on an empty sample. */
export function summarize(xs: ArrayLike<number>): Summary {
  const q1 = quantile(xs, 0.25), q3 = quantile(xs, 0.75);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return { median: median(xs), q1, q3, iqr: q3 - q1, n: xs.length, mean: s / xs.length };
}
