import type { Mask } from "../image/mask";
import { distanceTransform } from "../image/edt";
import { connectedComponents } from "../image/components";
import { reconstructByDilation } from "../image/reconstruct";
import { seededFlood } from "./flood";
import type { InstanceLabels } from "./instances";

/** Options of {@link separateParticles}. */
export interface WatershedOptions {
  /**
   * Dynamic (px) a distance-transform maximum needs to seed its own particle (h-maxima). Two touching
   * discs of radii r₁ ≤ r₂ are split when r₁ minus the distance value at their neck exceeds h, so a
   * larger h merges shallow necks and ignores ragged-edge maxima. Default 2 px. 0 seeds every
   * regional maximum (over-segments noisy masks).
   */
  h?: number;
  /** Skip the watershed and return the 8-connected components (no separation). Default false. */
  noSplit?: boolean;
}

/**
 * Split touching particles in a binary mask by a marker-controlled watershed of the distance
 * transform: markers are the h-maxima of the exact Euclidean distance transform, i.e. the regional
 * maxima (8-connected plateaus) of reconstruct(DT − h, DT): two peaks whose saddle lies less than `h`
 * below the lower one share a plateau and so one marker. A connected component left without a marker
 * gets one at its distance-transform maximum, so no foreground is lost. Then a priority flood from the markers
 * in order of decreasing DT (ties first-in first-out, 8-neighbours) assigns every foreground pixel to
 * one particle; particles tile the mask exactly (no watershed lines). Ids are those of the markers in
 * raster order. Throws on a negative `h`.
 */
export function separateParticles(mask: Mask, opts: WatershedOptions = {}): InstanceLabels {
  const h = opts.h ?? 2;
  if (!(h >= 0)) throw new Error(`separateParticles: h must be ≥ 0 px, got ${h}`);
  const { width: w, height: ht, data } = mask;
  const n = w * ht;
  const cc = connectedComponents(mask, 8);
  if (opts.noSplit) return { width: w, height: ht, labels: cc.labels, count: cc.count };
  const dt = distanceTransform(mask);
  // A mask without background has DT = Infinity: any finite ceiling keeps the order of the flood.
  for (let i = 0; i < n; i++) if (dt[i] === Infinity) dt[i] = w + ht;
  // Markers: the regional maxima of the h-maxima transform reconstruct(DT − h, DT), which levels every
  // dome of DT to h below its top, so peaks joined above (top − h) share one plateau and one marker.
  let field: Float64Array = dt;
  if (h > 0) {
    const seed = new Float64Array(n);
    for (let i = 0; i < n; i++) seed[i] = Math.max(0, dt[i] - h);
    field = reconstructByDilation(seed, dt, w, ht);
  }
  const markers = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (data[i]) markers[i] = 1;
  markRegionalMaxima(field, data, w, ht, markers);
  const mcc = connectedComponents({ width: w, height: ht, data: markers }, 8);
  const labels = new Int32Array(n).fill(-1);
  let count = mcc.count;
  const hasMarker = new Uint8Array(cc.count);
  for (let i = 0; i < n; i++) if (mcc.labels[i] >= 0) { labels[i] = mcc.labels[i]; hasMarker[cc.labels[i]] = 1; }
  // Components without a marker: seed at their DT maximum (first in raster order).
  const best = new Int32Array(cc.count).fill(-1);
  for (let i = 0; i < n; i++) {
    const c = cc.labels[i];
    if (c >= 0 && !hasMarker[c] && (best[c] < 0 || dt[i] > dt[best[c]])) best[c] = i;
  }
  for (let c = 0; c < cc.count; c++) if (!hasMarker[c]) labels[best[c]] = count++;
  // Every component has a marker now, so the flood reaches all foreground and keeps these ids.
  return seededFlood(labels, data, dt, w, ht);
}

/** Keep in `markers` only pixels that are regional maxima of `dt` (no 8-neighbour plateau reaches higher). */
export function markRegionalMaxima(dt: ArrayLike<number>, fg: Uint8Array, w: number, h: number, markers: Uint8Array): void {
  // A pixel with a strictly higher neighbour is not a maximum; the loss spreads over equal plateaus.
  // The neighbour loops are written out (no callback per pixel): this runs on every foreground pixel.
  const queue = new Int32Array(w * h);
  let tail = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!fg[p] || !markers[p]) continue;
      const v = dt[p];
      let higher = false;
      for (let dy = -1; dy <= 1 && !higher; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dx || dy) && xx >= 0 && xx < w && dt[yy * w + xx] > v) { higher = true; break; }
        }
      }
      if (higher) { markers[p] = 0; queue[tail++] = p; }
    }
  }
  for (let head = 0; head < tail; head++) {
    const p = queue[head];
    const x = p % w, y = (p / w) | 0, v = dt[p];
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (!(dx || dy) || xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (markers[q] && dt[q] === v) { markers[q] = 0; queue[tail++] = q; }
      }
    }
  }
}
