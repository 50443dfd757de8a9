/**
 * Grey-level morphological reconstruction by dilation (Vincent 1993, "Morphological grayscale
 * reconstruction in image analysis", the hybrid algorithm): the largest image ≤ `mask` obtained by
 * repeatedly dilating `marker` (8-neighbourhood) under `mask`. Both are row-major `width*height`
 * arrays; `marker` must be ≤ `mask` pixel-wise (values above are clipped to `mask`). Returns a new
 * array. Throws on a size mismatch.
 */
export function reconstructByDilation(marker: ArrayLike<number>, mask: ArrayLike<number>, width: number, height: number): Float64Array {
  const n = width * height;
  if (marker.length !== n || mask.length !== n) throw new Error(`reconstructByDilation: expected ${n} values for ${width}x${height}, got marker ${marker.length}, mask ${mask.length}`);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.min(marker[i], mask[i]);
  // Raster scan: propagate from the causal half-neighbourhood (left, up-left, up, up-right).
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let m = r[p];
      if (x > 0 && r[p - 1] > m) m = r[p - 1];
      if (y > 0) {
        const u = p - width;
        if (r[u] > m) m = r[u];
        if (x > 0 && r[u - 1] > m) m = r[u - 1];
        if (x < width - 1 && r[u + 1] > m) m = r[u + 1];
      }
      r[p] = Math.min(m, mask[p]);
    }
  }
  // Anti-raster scan, queueing pixels that could still raise an anti-causal neighbour.
  const queue: number[] = [];
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const p = y * width + x;
      let m = r[p];
      if (x < width - 1 && r[p + 1] > m) m = r[p + 1];
      if (y < height - 1) {
        const d = p + width;
        if (r[d] > m) m = r[d];
        if (x < width - 1 && r[d + 1] > m) m = r[d + 1];
        if (x > 0 && r[d - 1] > m) m = r[d - 1];
      }
      r[p] = Math.min(m, mask[p]);
      const v = r[p];
      // The four anti-causal neighbours written out (no list per pixel): this runs on every pixel.
      let raises = false;
      for (let k = 0; k < 4 && !raises; k++) {
        const q = k === 0 ? (x < width - 1 ? p + 1 : -1) : y === height - 1 ? -1
          : k === 1 ? p + width : k === 2 ? (x < width - 1 ? p + width + 1 : -1) : (x > 0 ? p + width - 1 : -1);
        raises = q >= 0 && r[q] < v && r[q] < mask[q];
      }
      if (raises) queue.push(p);
    }
  }
  // FIFO propagation until stable.
  for (let head = 0; head < queue.length; head++) {
    const p = queue[head];
    const x = p % width, y = (p / width) | 0;
    const v = r[p];
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if ((dx === 0 && dy === 0) || xx < 0 || xx >= width) continue;
        const q = yy * width + xx;
        if (r[q] < v && r[q] !== mask[q]) {
          r[q] = Math.min(v, mask[q]);
          queue.push(q);
        }
      }
    }
  }
  return r;
}
