import type { RawImage } from "../plots/png";
import { renderDigits } from "../plots/pixel_font";
import type { GreyImage } from "./grey_image";
import type { ExtractedParticles, PixelBox } from "./extract";
import { instanceIdOf } from "./instance_map";

/**
 * What each pixel of a particle overlay shows (the `kinds` layer of {@link renderParticleOverlay}):
 * the micrograph, the outline of a kept particle, the outline / fill of a particle dropped at the
 * border or as too small, the scale-bar region (the excluded boxes: bar, label, data strip; and particles dropped on them) and
 * its edge, an id's ink and the dark rim around it.
 */
export const OVERLAY_KIND = {
  image: 0, keptOutline: 1, droppedOutline: 2, droppedFill: 3, scaleBar: 4, scaleBarEdge: 5, text: 6, textShadow: 7,
} as const;

/** RGB bytes of the overlay's marks. Kept outlines cycle through `kept` by id; fills are blended over the micrograph. */
export const OVERLAY_COLOURS = {
  kept: [[0, 230, 90], [255, 220, 0], [0, 220, 255], [255, 130, 230]] as ReadonlyArray<readonly [number, number, number]>,
  dropped: [255, 40, 40] as const,
  scaleBar: [40, 110, 255] as const,
  text: [255, 255, 255] as const,
  textShadow: [0, 0, 0] as const,
};

/** Options of {@link renderParticleOverlay}. */
export interface OverlayOptions {
  /** Write each kept particle's `instanceId` at its centroid. Default true. */
  ids?: boolean;
  /** Font pixel size of the ids (the 5×7 digits are drawn `fontScale`× larger). Default max(1, round(min(width, height) / 700)). */
  fontScale?: number;
  /** Opacity of the fills (dropped particles, scale-bar region) over the micrograph, 0..1. Default 0.4. */
  fillAlpha?: number;
}

/** An overlay: the RGB picture and, per pixel, which {@link OVERLAY_KIND} it shows. */
export interface ParticleOverlay {
  image: RawImage & { channels: 3; data: Uint8Array };
  kinds: Uint8Array;
}

/**
 * Pixels on the inner boundary of their instance: labelled pixels with a 4-neighbour of another
 * label, of background, or outside the image (as scikit-image's `find_boundaries(mode="inner",
 * connectivity=1)` on the label map padded with background). Returns 0/1 per pixel.
 */
export function instanceBoundaries(labels: Int32Array, width: number, height: number): Uint8Array {
  if (labels.length !== width * height) throw new Error(`instanceBoundaries: ${labels.length} labels for ${width}x${height}`);
  const out = new Uint8Array(labels.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const p = y * width + x, id = labels[p];
    if (id < 0) continue;
    if (x === 0 || y === 0 || x === width - 1 || y === height - 1 || labels[p - 1] !== id || labels[p + 1] !== id || labels[p - width] !== id || labels[p + width] !== id) out[p] = 1;
  }
  return out;
}

/**
 * The micrograph (grey, native size) with every particle marked for checking by eye: kept particles
 * outlined (one colour per id, cycling through `OVERLAY_COLOURS.kept`) with their `instanceId` written
 * at the centroid in white on a dark rim; particles dropped at the border or as too small outlined in
 * red and tinted red; the excluded boxes (`exclude`, the scale bar and its label) and particles
 * dropped on them tinted blue with a blue edge. Throws when image and labels differ in size.
 */
export function renderParticleOverlay(grey: GreyImage, parts: ExtractedParticles, exclude: readonly PixelBox[] = [], opts: OverlayOptions = {}): ParticleOverlay {
  const { width: w, height: h } = grey;
  const inst = parts.instances;
  if (inst.width !== w || inst.height !== h) throw new Error(`renderParticleOverlay: image is ${w}x${h} but its labels are ${inst.width}x${inst.height}`);
  const alpha = opts.fillAlpha ?? 0.4;
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`renderParticleOverlay: fillAlpha must be in [0, 1], got ${alpha}`);
  const K = OVERLAY_KIND;
  const L = inst.labels;
  const edge = instanceBoundaries(L, w, h);
  const kinds = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) {
    const id = L[p];
    if (id < 0) continue;
    const s = parts.status[id];
    kinds[p] = s === "kept" ? (edge[p] ? K.keptOutline : K.image) : s === "scaleBar" ? (edge[p] ? K.scaleBarEdge : K.scaleBar) : (edge[p] ? K.droppedOutline : K.droppedFill);
  }
  for (const b of exclude) {
    const x0 = Math.max(0, b.x0), y0 = Math.max(0, b.y0), x1 = Math.min(w, b.x1), y1 = Math.min(h, b.y1);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      const p = y * w + x;
      if (x === b.x0 || y === b.y0 || x === b.x1 - 1 || y === b.y1 - 1) kinds[p] = K.scaleBarEdge;
      else if (kinds[p] !== K.scaleBarEdge) kinds[p] = K.scaleBar;
    }
  }
  const idAt = new Int32Array(w * h).fill(-1); // which kept particle's colour an outline pixel takes
  for (let p = 0; p < w * h; p++) if (kinds[p] === K.keptOutline) idAt[p] = L[p];
  if (opts.ids ?? true) {
    const scale = opts.fontScale ?? Math.max(1, Math.round(Math.min(w, h) / 700));
    for (const m of parts.particles) stampText(kinds, w, h, String(instanceIdOf(m.id)), m.centroid, m.bbox, scale);
  }
  const data = new Uint8Array(w * h * 3);
  const C = OVERLAY_COLOURS;
  // Solid colour per kind (kept outlines: per id), or a fill blended over the grey.
  const solid: Array<readonly number[] | null> = [null, null, C.dropped, null, null, C.scaleBar, C.text, C.textShadow];
  const fill: Array<readonly number[] | null> = [null, null, null, C.dropped, C.scaleBar, null, null, null];
  for (let p = 0, o = 0; p < w * h; p++, o += 3) {
    const g = Math.round(Math.max(0, Math.min(1, grey.grey[p])) * 255);
    const k = kinds[p];
    const c = k === K.keptOutline ? C.kept[idAt[p] % C.kept.length] : solid[k];
    if (c) { data[o] = c[0]; data[o + 1] = c[1]; data[o + 2] = c[2]; continue; }
    const f = fill[k];
    if (f) {
      data[o] = Math.round((1 - alpha) * g + alpha * f[0]); data[o + 1] = Math.round((1 - alpha) * g + alpha * f[1]); data[o + 2] = Math.round((1 - alpha) * g + alpha * f[2]);
    } else data[o] = data[o + 1] = data[o + 2] = g;
  }
  return { image: { width: w, height: h, channels: 3, data }, kinds };
}

/**
 * Mark `text` as ink with a one-pixel dark rim around it, kept inside the image: centred on the
 * centroid when the particle's box holds it, else just right of the box, so a small particle's
 * outline stays visible.
 */
function stampText(kinds: Uint8Array, w: number, h: number, text: string, centroid: readonly [number, number], bbox: readonly number[], scale: number): void {
  const t = renderDigits(text, scale);
  const fits = bbox[2] - bbox[0] + 1 >= t.width + 4 && bbox[3] - bbox[1] + 1 >= t.height + 4;
  const cx = fits ? centroid[0] : bbox[2] + 3 + t.width / 2, cy = centroid[1];
  const x0 = Math.max(1, Math.min(w - t.width - 1, Math.round(cx - t.width / 2)));
  const y0 = Math.max(1, Math.min(h - t.height - 1, Math.round(cy - t.height / 2)));
  for (let y = -1; y <= t.height; y++) for (let x = -1; x <= t.width; x++) {
    const X = x0 + x, Y = y0 + y;
    if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
    const ink = x >= 0 && y >= 0 && x < t.width && y < t.height && t.on[y * t.width + x] === 1;
    if (ink) { kinds[Y * w + X] = OVERLAY_KIND.text; continue; }
    let near = false;
    for (let dy = -1; dy <= 1 && !near; dy++) for (let dx = -1; dx <= 1; dx++) {
      const u = x + dx, v = y + dy;
      if (u >= 0 && v >= 0 && u < t.width && v < t.height && t.on[v * t.width + u] === 1) { near = true; break; }
    }
    if (near && kinds[Y * w + X] !== OVERLAY_KIND.text) kinds[Y * w + X] = OVERLAY_KIND.textShadow;
  }
}
