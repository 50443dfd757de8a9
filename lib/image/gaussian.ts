/**
 * Gaussian smoothing of a float image (row-major Float32Array of width·height values): used by the
 * Otsu foreground of particle analysis and by the synthetic-data generators.
 */

/** Separable Gaussian blur with mirrored borders (edge pixel repeated: d c b a | a b c d), kernel cut at 3σ. `sigma` in pixels; sigma ≤ 0 returns a copy. */
export function gaussianBlur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (sigma <= 0) return src.slice();
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += k[i + r];
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const mirror = (i: number, n: number): number => {
    if (n === 1) return 0;
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j - 1 : 2 * n - j - 1;
    return j;
  };
  // Rows, then columns, each tap added in the same order (−r…r) as a plain loop would, in doubles; the
  // interior without the mirror's index arithmetic, the columns a whole row at a time (contiguous reads).
  const tmp = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (x >= r && x + r < width) for (let i = -r, j = row + x - r; i <= r; i++, j++) acc += k[i + r] * src[j];
      else for (let i = -r; i <= r; i++) acc += k[i + r] * src[row + mirror(x + i, width)];
      tmp[row + x] = acc;
    }
  }
  const out = new Float32Array(src.length);
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let i = -r; i <= r; i++) {
      const w = k[i + r], from = mirror(y + i, height) * width;
      for (let x = 0; x < width; x++) acc[x] += w * tmp[from + x];
    }
    out.set(acc, y * width);
  }
  return out;
}
