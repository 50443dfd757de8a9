/**
 * Bilinear resampling of a single-channel float image (row-major, `w`×`h` → `W`×`H`), pixel centres
 * aligned (a source pixel x covers [x, x+1)), samples clamped at the edges. Used to run a network on a
 * micrograph at another scale and bring its output maps back to the native grid.
 * @throws when a size is not a positive integer or `src` has the wrong length
 */
export function resampleBilinear(src: ArrayLike<number>, w: number, h: number, W: number, H: number): Float32Array {
  for (const [k, v] of [["w", w], ["h", h], ["W", W], ["H", H]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`resampleBilinear: ${k} must be a positive integer, got ${v}`);
  }
  if (src.length !== w * h) throw new Error(`resampleBilinear: ${src.length} values for ${w}x${h}`);
  const out = new Float32Array(W * H);
  const kx = w / W, ky = h / H;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) * ky - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(h - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const sx = Math.min(w - 1, Math.max(0, (x + 0.5) * kx - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(w - 1, x0 + 1), fx = sx - x0;
      const top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
      const bottom = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
      out[y * W + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
