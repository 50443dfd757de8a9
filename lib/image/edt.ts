import type { Mask } from "./mask";

/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance transforms of sampled
 * functions"): for every foreground pixel, the distance from its centre to the centre of the nearest
 * background pixel; 0 on background. Same definition as `scipy.ndimage.distance_transform_edt(mask)`.
 * Columns by two sweeps, then the 1-D lower envelope of parabolas along rows: O(width·height).
 * A mask with no background pixel at all gets `Infinity` everywhere (scipy has no defined answer there).
 */
export function distanceTransform(mask: Mask): Float64Array {
  const { width: w, height: h, data } = mask;
  const n = Math.max(w, h);
  const f = new Float64Array(n), d = new Float64Array(n);
  const v = new Int32Array(n), z = new Float64Array(n + 1);
  // Pass 1: distance to the nearest background pixel of the same column, by a sweep down and one up
  // over whole rows (the 1-D transform of a binary column needs no parabolas, and rows are contiguous
  // in memory where columns are not); then squared.
  const sq = new Float64Array(w * h);
  for (let x = 0; x < w; x++) sq[x] = data[x] ? Infinity : 0;
  for (let y = 1; y < h; y++) {
    for (let i = y * w, end = i + w; i < end; i++) sq[i] = data[i] ? sq[i - w] + 1 : 0;
  }
  for (let y = h - 2; y >= 0; y--) {
    for (let i = y * w, end = i + w; i < end; i++) if (sq[i + w] + 1 < sq[i]) sq[i] = sq[i + w] + 1;
  }
  for (let i = 0; i < sq.length; i++) sq[i] *= sq[i];
  // Pass 2: along each row, over the column results.
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = sq[y * w + x];
    envelope(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[y * w + x] = Math.sqrt(d[x]);
  }
  return out;
}

/**
 * 1-D squared distance transform of the sampled function f[0..len): d[q] = min_p (q−p)² + f[p].
 * Sites with f = Infinity never win and are skipped (they would give NaN intersections).
 */
function envelope(f: Float64Array, len: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = -1;
  for (let q = 0; q < len; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0; v[0] = q; z[0] = -Infinity; z[1] = Infinity;
      continue;
    }
    let s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q; z[k] = s; z[k + 1] = Infinity;
  }
  if (k < 0) {
    for (let q = 0; q < len; q++) d[q] = Infinity;
    return;
  }
  let j = 0;
  for (let q = 0; q < len; q++) {
    while (z[j + 1] < q) j++;
    const t = q - v[j];
    d[q] = t * t + f[v[j]];
  }
}
