import type { Mask } from "./mask";

/** Connected-component labelling of a mask. */
export interface Components {
  /** Label per pixel (row-major): 0..count-1 in raster order of each component's first pixel, -1 on background. */
  labels: Int32Array;
  /** Number of components. */
  count: number;
  /** Pixel count per component. */
  sizes: Int32Array;
}

/**
 * Label the connected foreground domains of a mask with 8-connectivity (or 4 when asked), by a
 * breadth-first flood fill from each unlabelled pixel in raster order. O(pixels).
 */
export function connectedComponents(mask: Mask, connectivity: 4 | 8 = 8): Components {
  const { width: w, height: h, data } = mask;
  if (connectivity !== 4 && connectivity !== 8) throw new Error(`connectedComponents: connectivity must be 4 or 8, got ${connectivity}`);
  const labels = new Int32Array(w * h).fill(-1);
  const queue = new Int32Array(w * h);
  const sizes: number[] = [];
  // Neighbour offsets as two typed arrays: no destructuring per visited neighbour.
  const dxs = Int8Array.from(connectivity === 8 ? [-1, 0, 1, -1, 1, -1, 0, 1] : [0, -1, 1, 0]);
  const dys = Int8Array.from(connectivity === 8 ? [-1, -1, -1, 0, 0, 1, 1, 1] : [-1, 0, 0, 1]);
  const k = dxs.length;
  let count = 0;
  for (let p = 0; p < w * h; p++) {
    if (!data[p] || labels[p] >= 0) continue;
    let head = 0, tail = 0;
    queue[tail++] = p;
    labels[p] = count;
    while (head < tail) {
      const q = queue[head++];
      const x = q % w, y = (q / w) | 0;
      for (let j = 0; j < k; j++) {
        const xx = x + dxs[j], yy = y + dys[j];
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const r = yy * w + xx;
        if (data[r] && labels[r] < 0) { labels[r] = count; queue[tail++] = r; }
      }
    }
    sizes.push(tail);
    count++;
  }
  return { labels, count, sizes: Int32Array.from(sizes) };
}
