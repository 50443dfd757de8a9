import { connectedComponents } from "../quantify/components";
import { seededFlood } from "../particles/flood";
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
 *  - "boundary" (3-class): seeds are the 4-connected parts of interior probability > `seed`, grown over
 *    the foreground in order of decreasing interior probability;
 *  - "distance": seeds are the 4-connected parts of predicted distance > `seed`, grown in order of
 *    decreasing distance.
 * Both: foreground = background probability < 1 − `foreground`; a foreground part without a seed is one
 * particle; seeds smaller than `minSeed` px are dropped (their pixels are grown over like any other).
 */
export interface DecodeOptions {
  /** Default "boundary" (the design measured better on the tuning images, see the model manifest). */
  design?: "boundary" | "distance";
  /** Foreground probability threshold, default 0.5. */
  foreground?: number;
  /** Seed threshold on interior probability or distance, default 0.5. */
  seed?: number;
  /** Smallest seed kept, px. Default 3. */
  minSeed?: number;
}

/** Instances from the network's maps (see {@link DecodeOptions}). Throws on a bad design name or threshold. */
export function decodeInstances(m: ParticleMaps, opts: DecodeOptions = {}): InstanceLabels {
  const design = opts.design ?? "boundary";
  if (design !== "boundary" && design !== "distance") throw new Error(`decodeInstances: design must be 'boundary' or 'distance', got '${design}'`);
  const fgT = opts.foreground ?? 0.5, seedT = opts.seed ?? 0.5, minSeed = opts.minSeed ?? 3;
  for (const [k, v] of [["foreground", fgT], ["seed", seedT]] as const) {
    if (!(v > 0 && v < 1)) throw new Error(`decodeInstances: ${k} threshold must be in (0,1), got ${v}`);
  }
  const { width: w, height: h } = m;
  const n = w * h;
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = m.background[i] < 1 - fgT ? 1 : 0;
  const prio = design === "boundary" ? m.interior : m.distance;
  const seedMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) seedMask[i] = fg[i] && prio[i] > seedT ? 1 : 0;
  const cc = connectedComponents({ width: w, height: h, data: seedMask }, 4);
  const keep = new Int32Array(cc.count).fill(-1);
  let k = 0;
  for (let c = 0; c < cc.count; c++) if (cc.sizes[c] >= minSeed) keep[c] = k++;
  const seeds = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (cc.labels[i] >= 0) seeds[i] = keep[cc.labels[i]];
  return seededFlood(seeds, fg, prio, w, h);
}
