/**
 * The outline refiner: gradient-boosted trees (lib/stats/gbdt.ts) on per-pixel features
 * (pixel_features.ts) that give each pixel the probability of lying inside a particle as the people who
 * drew the EMPS instance maps outline them. The default route's particles, already grown to their edge
 * level (edge_growth.ts), grow on by up to `maxPx` more pixels into background the refiner scores ≥
 * `threshold`: where a fixed edge level falls short (soft halos, textured rims), the learned foreground
 * reaches the drawn outline. Measured on held-out EMPS images in docs/particles.md. The bundled refiner
 * (models/outline-refiner/gbdt.json) was fitted by bench/particles/outline_refiner.ts; the file records how.
 */
import * as path from "path";
import { checkGbdt, flatGbdtOf, flatProbability, type Gbdt } from "../stats/gbdt";
import { gaussianBlur } from "../image/gaussian";
import { squareFilter8 } from "../image/top_hat";
import type { Mask } from "../image/mask";
import { projectRoot } from "../util/paths";
import { checkModelHeader, readModelJson } from "../util/json_model";
import { PIXEL_FEATURES, pixelFeatureMaps } from "./pixel_features";
import type { GreyImage } from "./grey_image";
import type { InstanceLabels } from "./instances";

/** The file format's name and version. */
export const OUTLINE_REFINER_FORMAT = "nanomorph-outline-refiner";
export const OUTLINE_REFINER_VERSION = 1;

/** A fitted refiner as stored in its JSON file. */
export interface OutlineRefiner {
  format: typeof OUTLINE_REFINER_FORMAT;
  version: number;
  /** Feature names, in column order (must equal PIXEL_FEATURES). */
  features: string[];
  model: Gbdt;
  /** A background pixel may join a particle when its probability, smoothed (σ `smoothPx`), is ≥ this. */
  threshold: number;
  /** The most px (4-connected layers) a particle grows by the refiner. */
  maxPx: number;
  /** σ of the Gaussian smoothing of the probabilities, px (0: none). */
  smoothPx: number;
  /** How it was made (command, data, split, code commit) and what it scored; free-form. */
  training?: Record<string, unknown>;
}

/** Name of the refiner shipped in the repository. */
export const BUNDLED_OUTLINE_REFINER = "bundled";

/** Path of the bundled refiner inside the installed package. */
export function bundledOutlineRefinerPath(): string {
  return path.join(projectRoot(), "models", "outline-refiner", "gbdt.json");
}

/** Check a parsed refiner file; throws naming `where` and what is wrong. */
export function checkOutlineRefiner(o: unknown, where: string): OutlineRefiner {
  checkModelHeader(o, OUTLINE_REFINER_FORMAT, OUTLINE_REFINER_VERSION, PIXEL_FEATURES, `outline refiner ${where}`, "bench/particles/outline_refiner.ts");
  const r = o as OutlineRefiner;
  const bad = (why: string): never => { throw new Error(`outline refiner ${where}: ${why}`); };
  checkGbdt(r.model, PIXEL_FEATURES.length, `outline refiner ${where}`);
  if (!(r.threshold >= 0 && r.threshold <= 1)) bad(`threshold must be in 0…1, got ${r.threshold}`);
  if (!(Number.isInteger(r.maxPx) && r.maxPx >= 0)) bad(`maxPx must be a whole number ≥ 0, got ${r.maxPx}`);
  if (!(r.smoothPx >= 0)) bad(`smoothPx must be ≥ 0, got ${r.smoothPx}`);
  return r;
}

/** Read a refiner: `spec` is "bundled" or a JSON file. Throws naming the file when missing or invalid. */
export function loadOutlineRefiner(spec: string): OutlineRefiner {
  const { file, parsed } = readModelJson(spec, bundledOutlineRefinerPath(), "outline refiner", {
    bundled: "use --edge-refiner none", file: "give a JSON file from bench/particles/outline_refiner.ts, 'bundled' or 'none'",
  });
  return checkOutlineRefiner(parsed, file);
}

/**
 * Each pixel's probability of lying inside a particle (width·height values), smoothed as the refiner
 * says; computed only where `where` is 1 (0 elsewhere), e.g. {@link refinerBand}, to spare the trees.
 */
export function particleProbabilityMap(refiner: OutlineRefiner, g: GreyImage, particles: "dark" | "bright", side: Mask, where?: Uint8Array): Float32Array {
  const maps = pixelFeatureMaps(g, particles, side);
  const trees = flatGbdtOf(refiner.model), row = new Float64Array(maps.length);
  const p = new Float32Array(g.width * g.height);
  for (let i = 0; i < p.length; i++) {
    if (where && !where[i]) continue;
    for (let f = 0; f < maps.length; f++) row[f] = maps[f][i];
    p[i] = flatProbability(trees, row);
  }
  return refiner.smoothPx > 0 ? gaussianBlur(p, g.width, g.height, refiner.smoothPx) : p;
}

/**
 * Where {@link refineOutlines} reads probabilities: the background pixels within `maxPx` (Chebyshev
 * distance) of an object whose `grows[id]` is 1, widened by the smoothing's reach ⌈3σ⌉, so that
 * probabilities computed only there ({@link particleProbabilityMap}'s `where`) are exact where they are
 * used while the objects' insides are spared.
 */
export function refinerBand(inst: InstanceLabels, grows: Uint8Array, refiner: Pick<OutlineRefiner, "maxPx" | "smoothPx">): Uint8Array {
  const { width: w, height: h, labels } = inst;
  const growing = new Uint8Array(w * h);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && grows[labels[i]]) growing[i] = 1;
  // A maximum filter of a 0/1 mask over the (2r+1)² square is its dilation by r in Chebyshev distance.
  const near = squareFilter8(growing, w, h, refiner.maxPx, false);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) near[i] = 0;
  return squareFilter8(near, w, h, Math.ceil(3 * refiner.smoothPx), false);
}

/**
 * `inst` with each object whose `grows[id]` is 1 grown, layer by layer (4-connected) up to the refiner's
 * `maxPx`, into background pixels (label −1) whose probability (`probability(i)`, pixel index i) is ≥
 * its threshold and whose labelled 4-neighbours all belong to that one object. Never enters another
 * object or a pixel where `frozen` is 1. Returns a new labelling with the same ids. Throws on size
 * mismatches.
 */
export function refineOutlines(refiner: Pick<OutlineRefiner, "threshold" | "maxPx">, probability: (i: number) => number, inst: InstanceLabels, grows: Uint8Array, frozen: Uint8Array | null = null): InstanceLabels {
  const { width: w, height: h, count } = inst;
  if (grows.length !== count) throw new Error(`refineOutlines: ${grows.length} grow flags for ${count} objects`);
  if (frozen && frozen.length !== w * h) throw new Error(`refineOutlines: ${frozen.length} frozen flags for a ${w}x${h} labelling`);
  const labels = Int32Array.from(inst.labels);
  for (let layer = 0; layer < refiner.maxPx; layer++) {
    const add: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (labels[i] >= 0 || (frozen && frozen[i])) continue;
        let l = -1, mixed = false;
        const see = (j: number): void => { const v = labels[j]; if (v < 0) return; if (l < 0) l = v; else if (v !== l) mixed = true; };
        if (x > 0) see(i - 1);
        if (x < w - 1) see(i + 1);
        if (y > 0) see(i - w);
        if (y < h - 1) see(i + w);
        if (l < 0 || mixed || !grows[l] || probability(i) < refiner.threshold) continue;
        add.push(i, l);
      }
    }
    if (add.length === 0) break;
    for (let k = 0; k < add.length; k += 2) labels[add[k]] = add[k + 1];
  }
  return { width: w, height: h, labels, count };
}
