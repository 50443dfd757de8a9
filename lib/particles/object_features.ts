/**
 * Per-object features for telling particles from what a threshold or a network also finds: panel
 * letters and other text, fragments of a textured particle, noise specks, the halo around a particle.
 * Everything is relative (to the image's grey spread, its size, the other objects found in it), so the
 * same rule works at any magnification, bit depth and contrast. The object filter
 * (object_filter.ts) weighs these; its weights are learned from labelled micrographs.
 */
import { quantile } from "../stats/quantiles";
import type { ExtractedParticles } from "./extract";

/** A grey micrograph as the features read it (e.g. `GreyImage` of image_particles.ts): values in any range. */
export interface GreyPixels { width: number; height: number; grey: ArrayLike<number> }

/** Names of the feature columns, in order. */
export const OBJECT_FEATURES = [
  "logRelArea", // log(area / median area of the image's kept objects)
  "logRelAreaSq", // its square: too small and too large are both unusual
  "logImageFraction", // log(area / image pixels)
  "solidity",
  "circularity", // capped at 1.2 (digitisation makes tiny objects exceed 1)
  "logAspect",
  "extent", // area / bounding-box area
  "contrast", // |mean inside − mean of the background around it| / the image's grey s.d.
  "polarityAgrees", // 1 when it is darker/brighter than its surroundings as most objects of the image are
  "insideSpread", // s.d. inside / the image's s.d. (texture)
  "aroundSpread", // s.d. of the background around it / the image's s.d.
  "edgeStrength", // mean gradient on its outline / the image's mean gradient
  "touchingOthers", // fraction of its outline next to another object
  "borderDistance", // distance of its box to the nearest image edge / the image's shorter side
  "inCorner", // centre within 15 % of the shorter side from a corner (where panel letters sit)
  "logObjects", // log(1 + kept objects in the image)
] as const;

/** Number of feature columns. */
export const OBJECT_FEATURE_COUNT = OBJECT_FEATURES.length;

/** What the features need of the whole image, computed once per image ({@link imageStats}). */
export interface ImageStats {
  /** Grey mean and s.d. (1e-6 for a flat image). */
  mean: number;
  sd: number;
  /** Central-difference gradient magnitude per pixel (0 on the image's outer rows and columns), and its mean inside. */
  grad: Float32Array;
  gradMean: number;
}

/** {@link ImageStats} of `g`: pass them to {@link objectFeatures} when several labellings of one image are scored. */
export function imageStats(g: GreyPixels): ImageStats {
  const { width: w, height: h, grey } = g, n = w * h;
  let s = 0, ss = 0;
  for (let i = 0; i < n; i++) { s += grey[i]; ss += grey[i] * grey[i]; }
  const mean = s / n, sd = Math.sqrt(Math.max(ss / n - mean * mean, 0)) || 1e-6;
  const grad = new Float32Array(n);
  let gradSum = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = grey[i + 1] - grey[i - 1], gy = grey[i + w] - grey[i - w];
      grad[i] = Math.hypot(gx, gy);
      gradSum += grad[i];
    }
  }
  return { mean, sd, grad, gradMean: gradSum / Math.max(1, (w - 2) * (h - 2)) || 1e-6 };
}

/**
 * Features of every kept particle of `ex` (rows in `ex.particles` order, {@link OBJECT_FEATURE_COUNT}
 * columns, row-major). `g` is the micrograph the instances were found in (same size; throws otherwise).
 */
export function objectFeatures(g: GreyPixels, ex: ExtractedParticles, stats: ImageStats = imageStats(g)): Float64Array {
  const { width: w, height: h, labels } = ex.instances;
  if (g.width !== w || g.height !== h) throw new Error(`objectFeatures: image is ${g.width}x${g.height}, instances ${w}x${h}`);
  const P = ex.particles, F = OBJECT_FEATURE_COUNT, out = new Float64Array(P.length * F);
  if (!P.length) return out;
  const grey = g.grey, n = w * h;
  const { mean: gMean, sd: gSd, grad, gradMean } = stats;
  const medArea = quantile(P.map((p) => p.areaPixels), 0.5);
  const short = Math.min(w, h);
  const signed: number[] = [];
  const rows: number[][] = [];
  for (const p of P) {
    const [bx0, by0, bx1, by1] = p.bbox;
    // Inside statistics, outline pixels (4-neighbour outside the object) and who is next to them.
    let si = 0, ssi = 0, ni = 0, edge = 0, nEdge = 0, touch = 0;
    for (let y = by0; y <= by1; y++) {
      for (let x = bx0; x <= bx1; x++) {
        const i = y * w + x;
        if (labels[i] !== p.id) continue;
        si += grey[i]; ssi += grey[i] * grey[i]; ni++;
        let outline = false, other = false;
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) { outline = true; continue; }
          const l = labels[yy * w + xx];
          if (l !== p.id) { outline = true; if (l >= 0) other = true; }
        }
        if (outline) { edge += grad[i]; nEdge++; if (other) touch++; }
      }
    }
    // Background around it: pixels of no object in its box grown by half its size (at least 3 px).
    const m = Math.max(3, Math.round(0.5 * Math.max(bx1 - bx0 + 1, by1 - by0 + 1)));
    let sa = 0, ssa = 0, na = 0;
    for (let y = Math.max(0, by0 - m); y <= Math.min(h - 1, by1 + m); y++) {
      for (let x = Math.max(0, bx0 - m); x <= Math.min(w - 1, bx1 + m); x++) {
        const i = y * w + x;
        if (labels[i] >= 0) continue;
        sa += grey[i]; ssa += grey[i] * grey[i]; na++;
      }
    }
    const mi = si / ni, sdi = Math.sqrt(Math.max(ssi / ni - mi * mi, 0));
    const ma = na ? sa / na : gMean, sda = na ? Math.sqrt(Math.max(ssa / na - ma * ma, 0)) : gSd;
    signed.push(mi - ma);
    const relA = Math.log(p.areaPixels / medArea);
    const cx = p.centroid[0], cy = p.centroid[1];
    const cornerR = 0.15 * short;
    const inCorner = (Math.min(cx, w - 1 - cx) < cornerR && Math.min(cy, h - 1 - cy) < cornerR) ? 1 : 0;
    rows.push([
      relA, relA * relA, Math.log(p.areaPixels / n), p.solidity, Math.min(p.circularity, 1.2), Math.log(Math.max(p.aspectRatio, 1)),
      p.areaPixels / ((bx1 - bx0 + 1) * (by1 - by0 + 1)), Math.abs(mi - ma) / gSd, 0, sdi / gSd, sda / gSd,
      nEdge ? edge / nEdge / gradMean : 0, nEdge ? touch / nEdge : 0,
      Math.min(bx0, by0, w - 1 - bx1, h - 1 - by1) / short, inCorner, Math.log(1 + P.length),
    ]);
  }
  const majority = Math.sign(quantile(signed, 0.5)) || 1;
  rows.forEach((r, k) => {
    r[8] = Math.sign(signed[k]) === majority ? 1 : 0;
    out.set(r, k * F);
  });
  return out;
}
