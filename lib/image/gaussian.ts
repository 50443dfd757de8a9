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
  const tmp = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r] * src[row + mirror(x + i, width)];
      tmp[row + x] = acc;
    }
  }
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = -r; i <= r; i++) acc += k[i + r] * tmp[mirror(y + i, height) * width + x];
      out[y * width + x] = acc;
    }
  }
  return out;
}
