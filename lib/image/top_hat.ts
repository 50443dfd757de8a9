/**
 * Grey-level morphology by a square: the minimum / maximum filters and the white top-hat built on them.
 * The top-hat keeps what is brighter than its surround and narrower than the square (text strokes,
 * thin lines) and flattens slowly varying background (a lit particle, a vignetted panel) to 0.
 */

/**
 * Minimum (`min` true) or maximum filter of 8-bit samples `v` (w×h, row-major) over the (2r+1)×(2r+1)
 * square, separable (rows, then columns), the edge pixel repeated beyond the borders. r = 0 returns a copy.
 * Throws for a negative or fractional `r` or a size that does not match `v`.
 */
export function squareFilter8(v: Uint8Array, w: number, h: number, r: number, min: boolean): Uint8Array {
  if (!(Number.isInteger(r) && r >= 0)) throw new Error(`squareFilter8: radius must be a whole number ≥ 0 px, got ${r}`);
  if (v.length !== w * h) throw new Error(`squareFilter8: ${v.length} samples for a ${w}×${h} image`);
  if (r === 0) return v.slice();
  const pick = min ? (a: number, b: number): number => (a < b ? a : b) : (a: number, b: number): number => (a > b ? a : b);
  const tmp = new Uint8Array(w * h), out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let m = v[row + x];
      for (let d = 1; d <= r; d++) m = pick(pick(m, v[row + (x - d < 0 ? 0 : x - d)]), v[row + (x + d >= w ? w - 1 : x + d)]);
      tmp[row + x] = m;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = tmp[y * w + x];
      for (let d = 1; d <= r; d++) m = pick(pick(m, tmp[(y - d < 0 ? 0 : y - d) * w + x]), tmp[(y + d >= h ? h - 1 : y + d) * w + x]);
      out[y * w + x] = m;
    }
  }
  return out;
}

/**
 * White top-hat of 8-bit samples `v` (w×h): v − opening(v), the opening being the minimum then the
 * maximum filter over the (2r+1)² square ({@link squareFilter8}); grey levels 0…255, ≥ 0 everywhere.
 * As scipy.ndimage.white_tophat(v, size=2r+1, mode="nearest"). Throws as squareFilter8.
 */
export function whiteTopHat8(v: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const open = squareFilter8(squareFilter8(v, w, h, r, true), w, h, r, false);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = v[i] - open[i];
  return out;
}
