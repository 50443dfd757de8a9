/**
 * The standard normal upper tail, accurate to ~1e-14 relative: erfc by its Taylor series for
 * |x| < 2 and by Lentz's continued fraction beyond.
 */

/** Complementary error function erfc(x) = 1 − erf(x), for any finite x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/√π Σ (−1)^k x^(2k+1) / (k! (2k+1))
    let term = x, sum = x;
    const x2 = x * x;
    for (let k = 1; k < 200; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), modified Lentz.
  const tiny = 1e-300;
  let f = x, C = x, D = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    D = x + a * D; if (Math.abs(D) < tiny) D = tiny; D = 1 / D;
    C = x + a / C; if (Math.abs(C) < tiny) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal survival function P(Z > z) (scipy.stats.norm.sf). */
export function normalSf(z: number): number {
  if (z === Infinity) return 0;
  if (z === -Infinity) return 1;
  return 0.5 * erfc(z / Math.SQRT2);
}
