/**
 * Denoising for label text on speckled texture (white TEM labels over bright-speckled amorphous film):
 * a Gaussian blur of about the speckle size averages bright specks down while solid strokes a few pixels
 * wide keep their level, so a threshold relative to the bar then separates text from texture; and the
 * median stroke width, to check that the strokes were wide enough for that.
 */
import { gaussianBlur } from "../../image/gaussian";

/** Gaussian blur (lib/image/gaussian: separable, cut at 3σ, mirrored borders) of 8-bit grey samples `v` (w×h, row-major), rounded back to 8 bits; `sigma` ≤ 0 returns a copy. */
export function blurGrey8(v: Uint8Array, w: number, h: number, sigma: number): Uint8Array {
  if (!(sigma > 0)) return v.slice();
  return Uint8Array.from(gaussianBlur(Float32Array.from(v), w, h, sigma), (x) => Math.round(x));
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
