/**
 * Denoising for label text on speckled texture (white TEM labels over bright-speckled amorphous film):
 * a Gaussian blur of about the speckle size averages bright specks down while solid strokes a few pixels
 * wide keep their level, so a threshold relative to the bar then separates text from texture; and the
 * median stroke width, to check that the strokes were wide enough for that.
 */

/**
 * Gaussian blur of 8-bit grey samples `v` (w×h, row-major) with standard deviation `sigma` pixels
 * (separable, kernel radius ⌈3σ⌉, edges clamped). Returns a new array; `sigma` ≤ 0 returns a copy.
 */
export function gaussianBlur(v: Uint8Array, w: number, h: number, sigma: number): Uint8Array {
  if (!(sigma > 0)) return v.slice();
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  const t = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      for (let i = -r; i <= r; i++) a += k[i + r] * v[y * w + Math.min(w - 1, Math.max(0, x + i))];
      t[y * w + x] = a;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      for (let i = -r; i <= r; i++) a += k[i + r] * t[Math.min(h - 1, Math.max(0, y + i)) * w + x];
      out[y * w + x] = Math.round(a);
    }
  }
  return out;
}

/**
 * Median length of the horizontal ink runs of mask `m` (w×h, 1 = ink), pixels (0 without ink): about
 * the stroke width of text, whose vertical strokes dominate digits and "nm".
 */
export function medianRunLength(m: Uint8Array, w: number, h: number): number {
  const runs: number[] = [];
  for (let y = 0; y < h; y++) {
    let run = 0;
    for (let x = 0; x <= w; x++) {
      if (x < w && m[y * w + x]) run++;
      else if (run) { runs.push(run); run = 0; }
    }
  }
  if (runs.length === 0) return 0;
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}
