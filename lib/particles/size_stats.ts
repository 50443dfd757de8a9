import { quantile } from "../stats/quantiles";

/** A histogram with equal-width bins: `counts[i]` values in [edges[i], edges[i+1]) (last bin closed). */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** Distribution summary of one measurement over a set of particles. NaN fields when there is no value. */
export interface DistributionStats {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN for fewer than 2 values. */
  sd: number;
  /** Coefficient of variation sd / mean. */
  cv: number;
  median: number;
  q1: number;
  q3: number;
  /** q3 − q1 (numpy's linear quantiles). */
  iqr: number;
  min: number;
  max: number;
  histogram: Histogram;
}

/**
 * Equal-width histogram of `values` over [min, max] with `bins` bins (default: Sturges' rule,
 * ⌈log₂ n⌉ + 1, at most 50). Non-finite values are ignored. An empty input gives no bins; a constant
 * input one bin.
 */
export function histogramOf(values: readonly number[], bins?: number): Histogram {
  const xs = values.filter((v) => Number.isFinite(v));
  if (!xs.length) return { edges: [], counts: [] };
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const k = hi > lo ? Math.max(1, Math.min(50, bins ?? Math.ceil(Math.log2(xs.length)) + 1)) : 1;
  const width = hi > lo ? (hi - lo) / k : 1;
  const counts = new Array<number>(k).fill(0);
  for (const v of xs) counts[Math.min(k - 1, Math.floor((v - lo) / width))]++;
  return { edges: Array.from({ length: k + 1 }, (_, i) => (i === k && hi > lo ? hi : lo + i * width)), counts };
}

/** Count, mean, sd, CV, median, quartiles, IQR, range and histogram of the finite values. */
export function distributionStats(values: readonly number[], bins?: number): DistributionStats {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (!n) return { count: 0, mean: NaN, sd: NaN, cv: NaN, median: NaN, q1: NaN, q3: NaN, iqr: NaN, min: NaN, max: NaN, histogram: { edges: [], counts: [] } };
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  const q1 = quantile(xs, 0.25), q3 = quantile(xs, 0.75);
  return {
    count: n, mean, sd, cv: sd / mean, median: quantile(xs, 0.5), q1, q3, iqr: q3 - q1,
    min: Math.min(...xs), max: Math.max(...xs), histogram: histogramOf(xs, bins),
  };
}
