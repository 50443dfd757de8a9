/**
 * Split a mask along the grey level instead of its shape: a marker-controlled watershed of the smoothed
 * grey. Close-packed spheres whose thin bright rims the threshold closes, or touching particles with a
 * faint line between them, form one blob whose distance transform has no neck; their grey still has a
 * ridge between them.
 */
import type { Mask } from "../image/mask";
import { reconstructByDilation } from "../image/reconstruct";
import { connectedComponents } from "../image/components";
import { markRegionalMaxima } from "./watershed";
import { seededFlood } from "./flood";
import type { InstanceLabels } from "./instances";

/** Options of {@link separateByGrey}. */
export interface GreyWatershedOptions {
  /** Dynamic a basin needs to seed its own particle, in units of the grey's spread (`spread`). */
  h: number;
  /** The grey's spread (e.g. the difference of Otsu's two class means); `h` is a fraction of it. */
  spread: number;
}

/**
 * Instances of `mask`, the particles on side `particles` of `smoothed` (the grey, smoothed by the caller
 * so both sides share it; w·h, row-major): its basins (darkest first for dark particles, brightest first
 * for bright ones) seeded at its h-extrema inside the mask and flooded over the mask (seededFlood: no
 * lines, nothing lost; a part of the mask without a seed is one instance). Throws on a negative h or a
 * size mismatch.
 */
export function separateByGrey(smoothed: Float32Array, mask: Mask, particles: "dark" | "bright", opts: GreyWatershedOptions): InstanceLabels {
  if (!(opts.h >= 0)) throw new Error(`separateByGrey: h must be ≥ 0, got ${opts.h}`);
  const { width: w, height: ht, data } = mask;
  const n = w * ht;
  if (smoothed.length !== n) throw new Error(`separateByGrey: ${smoothed.length} grey values for a ${w}x${ht} mask`);
  const s = smoothed;
  const sign = particles === "dark" ? -1 : 1;
  let lo = Infinity;
  for (let i = 0; i < n; i++) if (data[i] && sign * s[i] < lo) lo = sign * s[i];
  // Outside the mask the field lies below every inside value, so no maximum leans on it.
  const field = new Float64Array(n);
  for (let i = 0; i < n; i++) field[i] = data[i] ? sign * s[i] : lo - 1;
  const hAbs = opts.h * Math.max(1e-9, opts.spread);
  let top: Float64Array = field;
  if (hAbs > 0) {
    const seed = new Float64Array(n);
    for (let i = 0; i < n; i++) seed[i] = field[i] - hAbs;
    top = reconstructByDilation(seed, field, w, ht);
  }
  const markers = Uint8Array.from(data);
  markRegionalMaxima(top, data, w, ht, markers);
  const mcc = connectedComponents({ width: w, height: ht, data: markers }, 8);
  return seededFlood(mcc.labels, data, field, w, ht);
}
