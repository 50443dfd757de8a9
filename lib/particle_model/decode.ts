import { connectedComponents } from "../image/components";
import { seededFlood } from "../particles/flood";
import { markRegionalMaxima } from "../particles/watershed";
import { reconstructByDilation } from "../image/reconstruct";
import { gaussianBlur } from "../image/gaussian";
import type { InstanceLabels } from "../particles/instances";

/** The network's per-pixel outputs at an image's native size (row-major, each [w·h]). */
export interface ParticleMaps {
  width: number;
  height: number;
  /** Softmax probabilities of background, interior and boundary (sum 1 per pixel). */
  background: Float32Array;
  interior: Float32Array;
  boundary: Float32Array;
  /** Predicted distance to the particle's outside / its largest distance, in [0,1]. */
  distance: Float32Array;
}

/**
 * How instances are read from {@link ParticleMaps}:
 *  - "boundary" (3-class): seeds are the 4-connected parts where interior / (interior + boundary) > `seed`,
 *    grown over the foreground in order of decreasing interior probability;
 *  - "distance": the predicted distance map, smoothed by a Gaussian of σ 1 px, seeds at its h-maxima
 *    (regional maxima of reconstruct(d − h, d), 8-connected plateaus: two peaks whose saddle lies less
 *    than `h` below the lower one share a seed), grown in order of decreasing distance. Relative
 *    maxima rather than a fixed level, because the distance a network predicts is rarely calibrated.
 * Both: foreground = background probability < 1 − `foreground`; a foreground part without a seed is one
 * particle; seeds smaller than `minSeed` px are dropped (their pixels are grown over like any other).
 */
export interface DecodeOptions {
  /** Default "boundary" (the design measured better on the tuning images, see the model manifest). */
  design?: "boundary" | "distance";
  /** Foreground probability threshold, default 0.5. */
  foreground?: number;
  /** "boundary": seed threshold on interior / (interior + boundary), default 0.5. */
  seed?: number;
  /** "distance": dynamic of a seed in distance units (0..1), default 0.1. */
  h?: number;
  /** Smallest seed kept, px (native). Default 3. */
  minSeed?: number;
  /**
   * The network sees the micrograph resampled by this factor, and its maps are resampled back to the
   * native grid before decoding (lib/particle_model/predict.ts). Below 1 the network's fixed context
   * (≈ 200 px) covers larger particles whole, which at native size it fragments. Default 1.
   */
  scale?: number;
}

/** Instances from the network's maps (see {@link DecodeOptions}). Throws on a bad design name or threshold. */
export function decodeInstances(m: ParticleMaps, opts: DecodeOptions = {}): InstanceLabels {
  const design = opts.design ?? "boundary";
  if (design !== "boundary" && design !== "distance") throw new Error(`decodeInstances: design must be 'boundary' or 'distance', got '${design}'`);
  const fgT = opts.foreground ?? 0.5, seedT = opts.seed ?? 0.5, minSeed = opts.minSeed ?? 3, h = opts.h ?? 0.1;
  if (!(h >= 0 && h < 1)) throw new Error(`decodeInstances: h must be in [0,1), got ${h}`);
  for (const [k, v] of [["foreground", fgT], ["seed", seedT]] as const) {
    if (!(v > 0 && v < 1)) throw new Error(`decodeInstances: ${k} threshold must be in (0,1), got ${v}`);
  }
  const { width: w, height: ht } = m;
  const n = w * ht;
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = m.background[i] < 1 - fgT ? 1 : 0;
  let prio: Float32Array;
  const seedMask = new Uint8Array(n);
  if (design === "boundary") {
    prio = m.interior;
    for (let i = 0; i < n; i++) seedMask[i] = fg[i] && m.interior[i] > seedT * (m.interior[i] + m.boundary[i]) ? 1 : 0;
  } else {
    prio = gaussianBlur(m.distance, w, ht, 1);
    let field: ArrayLike<number> = prio;
    if (h > 0) {
      const lowered = new Float64Array(n);
      for (let i = 0; i < n; i++) lowered[i] = Math.max(0, prio[i] - h);
      field = reconstructByDilation(lowered, prio, w, ht);
    }
    seedMask.set(fg);
    markRegionalMaxima(field, fg, w, ht, seedMask);
  }
  const cc = connectedComponents({ width: w, height: ht, data: seedMask }, design === "boundary" ? 4 : 8);
  const keep = new Int32Array(cc.count).fill(-1);
  let k = 0;
  for (let c = 0; c < cc.count; c++) if (cc.sizes[c] >= minSeed) keep[c] = k++;
  const seeds = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (cc.labels[i] >= 0) seeds[i] = keep[cc.labels[i]];
  return seededFlood(seeds, fg, prio, w, ht);
}
