import { distanceTransform } from "../image/edt";
import { connectedComponents } from "../image/components";
import type { InstanceLabels } from "../particles/instances";

/** Pixel classes the model learns: background, particle interior, particle boundary. */
export const CLASS_BACKGROUND = 0;
export const CLASS_INTERIOR = 1;
export const CLASS_BOUNDARY = 2;

/**
 * Training targets of one labelled image, at its native size (row-major):
 * `classes` 0 background / 1 interior / 2 boundary, where a particle pixel is boundary when a pixel of
 * its 3×3 neighbourhood (inside the image) belongs to another particle or the background, so two
 * touching particles are parted by a 2-px boundary band; `distance` is each particle pixel's
 * Euclidean distance to the nearest pixel outside its particle, divided by that particle's largest
 * such distance, ×255 (0 on background, 255 at each particle's centre), as uint8.
 */
export interface InstanceTargets {
  width: number;
  height: number;
  classes: Uint8Array;
  distance: Uint8Array;
}

/** {@link InstanceTargets} of an instance labelling. Distances are exact (lib/quantify/edt) per particle. */
export function instanceTargets(inst: InstanceLabels): InstanceTargets {
  const { width: w, height: h, labels } = inst;
  const n = w * h;
  const classes = new Uint8Array(n), distance = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, id = labels[p];
      if (id < 0) continue;
      let edge = false;
      for (let dy = -1; dy <= 1 && !edge; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          if (labels[yy * w + xx] !== id) { edge = true; break; }
        }
      }
      classes[p] = edge ? CLASS_BOUNDARY : CLASS_INTERIOR;
    }
  }
  // Distance to the outside of one's own particle: the EDT of the mask with every particle's
  // outline cut (a pixel whose 4-neighbour has another id is set to background for the EDT).
  const cut = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const id = labels[p];
    if (id < 0) continue;
    const x = p % w, y = (p / w) | 0;
    const other = (q: number): boolean => labels[q] >= 0 && labels[q] !== id;
    if ((x > 0 && other(p - 1)) || (y > 0 && other(p - w))) continue;
    cut[p] = 1;
  }
  const dt = distanceTransform({ width: w, height: h, data: cut });
  const maxPer = new Float64Array(inst.count);
  for (let p = 0; p < n; p++) if (labels[p] >= 0 && cut[p] && dt[p] !== Infinity && dt[p] > maxPer[labels[p]]) maxPer[labels[p]] = dt[p];
  for (let p = 0; p < n; p++) {
    const id = labels[p];
    if (id < 0) continue;
    const d = cut[p] ? (dt[p] === Infinity ? maxPer[id] : dt[p]) : 0.5;
    distance[p] = maxPer[id] > 0 ? Math.round((255 * Math.min(d, maxPer[id])) / maxPer[id]) : 255;
  }
  return { width: w, height: h, classes, distance };
}

/**
 * Instances from a user's label image: an instance map (one value per particle) is taken as it is;
 * a binary mask (one non-zero value), where touching particles are parted by a background line, is
 * split into its 4-connected parts (a one-pixel diagonal line then still separates).
 */
export function instancesFromLabelImage(values: ArrayLike<number>, width: number, height: number): InstanceLabels {
  if (values.length !== width * height) throw new Error(`instancesFromLabelImage: ${values.length} values for ${width}x${height}`);
  const distinct = new Set<number>();
  for (let i = 0; i < values.length && distinct.size < 3; i++) if (values[i] !== 0) distinct.add(values[i]);
  if (distinct.size <= 1) {
    const data = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i] !== 0 ? 1 : 0;
    const cc = connectedComponents({ width, height, data }, 4);
    return { width, height, labels: cc.labels, count: cc.count };
  }
  const ids = new Map<number, number>();
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 0) { labels[i] = -1; continue; }
    let id = ids.get(v);
    if (id === undefined) { id = ids.size; ids.set(v, id); }
    labels[i] = id;
  }
  return { width, height, labels, count: ids.size };
}
