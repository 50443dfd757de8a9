import { PriorityQueue } from "../util/heap";
import type { InstanceLabels } from "./instances";

/**
 * Seeded region growing (a marker-controlled watershed without lines): every pixel of `seeds` ≥ 0
 * starts its instance; the foreground pixels of `fg` (non-zero) are then claimed by their first
 * labelled 8-neighbour in order of decreasing `priority` (ties first-in first-out). A connected part of
 * `fg` that no seed reaches becomes one instance of its own, so no foreground is lost. Seeds outside
 * `fg` are added to it. Ids: the seeds' ids (0..k−1, as given), then the unseeded parts in raster order.
 * `seeds` [w·h] Int32 ids (−1 = none, ids 0..k−1 dense), `fg` [w·h] 0/1, `priority` [w·h] any finite numbers.
 * Throws when the arrays' lengths differ from w·h.
 */
export function seededFlood(seeds: Int32Array, fg: Uint8Array, priority: ArrayLike<number>, width: number, height: number): InstanceLabels {
  const n = width * height;
  if (seeds.length !== n || fg.length !== n || priority.length !== n) {
    throw new Error(`seededFlood: seeds ${seeds.length}, fg ${fg.length}, priority ${priority.length} values for ${width}x${height}`);
  }
  const labels = new Int32Array(n).fill(-1);
  let count = 0;
  const q = new PriorityQueue();
  for (let i = 0; i < n; i++) {
    if (seeds[i] >= 0) { labels[i] = seeds[i]; count = Math.max(count, seeds[i] + 1); q.push(-priority[i], i); }
  }
  const grow = (): void => {
    while (q.size) {
      const p = q.pop();
      const x = p % width, y = (p / width) | 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width || (dx === 0 && dy === 0)) continue;
          const r = yy * width + xx;
          if (fg[r] && labels[r] < 0) { labels[r] = labels[p]; q.push(-priority[r], r); }
        }
      }
    }
  };
  grow();
  // Unreached foreground: one instance per part, seeded at its first pixel.
  for (let i = 0; i < n; i++) {
    if (fg[i] && labels[i] < 0) { labels[i] = count++; q.push(-priority[i], i); grow(); }
  }
  return { width, height, labels, count };
}
