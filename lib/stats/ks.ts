/**
 * Two-sample Kolmogorov–Smirnov statistic: the largest gap between the empirical CDFs of `a` and `b`
 * (scipy.stats.ks_2samp's `statistic`), in [0, 1]; 0 for identical samples. Throws on an empty sample.
 */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  if (!a.length || !b.length) throw new Error(`ksStatistic: empty sample (${a.length} and ${b.length} values)`);
  const x = a.slice().sort((p, q) => p - q), y = b.slice().sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
