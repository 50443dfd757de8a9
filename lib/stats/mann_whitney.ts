/**
 * Two-sided Mann–Whitney U test, matching scipy.stats.mannwhitneyu(x, y, use_continuity=True,
 * alternative="two-sided", method="auto") (scipy 1.10):
 * - "auto" picks the exact null distribution when either sample has ≤ 8 values and there are no
 *   ties, else the normal approximation with tie correction and a 0.5 continuity correction;
 * - the statistic reported is U1 (for x); the p-value uses max(U1, U2), doubled and clipped to 1.
 */
import { normalSf } from "./normal";

/** Result of `mannWhitneyU`. */
export interface MannWhitneyResult {
  /** U statistic of the first sample (scipy's `statistic`). */
  u1: number;
  /** Two-sided p-value. */
  p: number;
  /** Which null distribution was used. */
  method: "exact" | "asymptotic";
  /** Standardised statistic (asymptotic method only, else NaN). */
  z: number;
}

/** Options for `mannWhitneyU`; defaults match scipy. */
export interface MannWhitneyOptions {
  /** "auto" (default), "exact" or "asymptotic". */
  method?: "auto" | "exact" | "asymptotic";
  /** Continuity correction in the normal approximation. Default true. */
  continuity?: boolean;
}

/** Mid-ranks (1-based, ties get their average rank) of xs, plus Σ(t³ − t) over tie groups. */
export function rankWithTies(xs: ArrayLike<number>): { ranks: Float64Array; tieTerm: number } {
  const n = xs.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && xs[idx[j + 1]] === xs[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/**
 * Null distribution of U for sample sizes m, n without ties: counts[k] = number of rank
 * arrangements with U = k, k = 0..mn (coefficients of the Gaussian binomial [m+n choose m]_q),
 * divided by C(m+n, m). Built as Π_{i=1..s} (1 − q^{L+i}) / (1 − q^i) with s = min(m,n), L = max(m,n).
 */
export function exactUPmf(m: number, n: number): Float64Array {
  const s = Math.min(m, n), L = Math.max(m, n);
  const K = m * n;
  let poly = new Float64Array(K + 1);
  poly[0] = 1;
  let deg = 0;
  for (let i = 1; i <= s; i++) {
    // multiply by (1 − q^{L+i}) …
    const a = L + i;
    const next = new Float64Array(K + 1 + a);
    for (let k = 0; k <= deg; k++) { next[k] += poly[k]; next[k + a] -= poly[k]; }
    deg += a;
    // … and divide by (1 − q^i): running sum with stride i.
    for (let k = i; k <= deg; k++) next[k] += next[k - i];
    deg -= i;
    poly = next.slice(0, K + 1);
  }
  let total = 0;
  for (let k = 0; k <= K; k++) total += poly[k];
  for (let k = 0; k <= K; k++) poly[k] /= total;
  return poly;
}

/**
 * Two-sided Mann–Whitney U test of x vs y (scipy semantics, see the file comment).
 * Throws on empty samples or NaN values.
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, opts: MannWhitneyOptions = {}): MannWhitneyResult {
  const n1 = x.length, n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error(`mannWhitneyU: samples must be non-empty (sizes ${n1}, ${n2})`);
  const xy = new Float64Array(n1 + n2);
  for (let i = 0; i < n1; i++) xy[i] = x[i];
  for (let i = 0; i < n2; i++) xy[n1 + i] = y[i];
  if (xy.some(Number.isNaN)) throw new Error("mannWhitneyU: samples contain NaN");
  const { ranks, tieTerm } = rankWithTies(xy);
  let R1 = 0;
  for (let i = 0; i < n1; i++) R1 += ranks[i];
  const u1 = R1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const U = Math.max(u1, u2);
  let method = opts.method ?? "auto";
  if (method === "auto") method = (n1 > 8 && n2 > 8) || tieTerm > 0 ? "asymptotic" : "exact";
  let p: number, z = NaN;
  if (method === "exact") {
    const pmf = exactUPmf(n1, n2);
    // sf(U) = P(U' ≥ U) = cdf(mn − U) by symmetry (scipy sums from the left).
    const k = n1 * n2 - Math.floor(U);
    let cdf = 0;
    for (let i = 0; i <= k; i++) cdf += pmf[i];
    p = 2 * cdf;
  } else {
    const n = n1 + n2;
    const s = Math.sqrt((n1 * n2 / 12) * ((n + 1) - tieTerm / (n * (n - 1))));
    let num = U - (n1 * n2) / 2;
    if (opts.continuity ?? true) num -= 0.5;
    z = num / s;
    p = 2 * normalSf(z);
  }
  return { u1, p: Math.min(1, Math.max(0, p)), method, z };
}
