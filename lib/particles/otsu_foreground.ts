/**
 * Otsu's threshold of a micrograph as a particle foreground: smoothing, the threshold, the side that
 * holds the particles, an opening and hole filling (see {@link otsuForeground}).
 */
import { otsuMask, otsuThreshold, type OtsuPolarity } from "../image/otsu";
import type { Mask } from "../image/mask";
import { gaussianBlur } from "../image/gaussian";
import { fillHoles } from "../image/fill_holes";
import { openMask } from "../image/opening";
import { borderPolarity } from "./polarity";
import type { GreyImage } from "./grey_image";

/** Otsu foreground settings (defaults: smooth 1 px, polarity "border", open 3 px, fill holes). */
export interface OtsuOptions {
  polarity?: ParticlePolarity;
  /** Gaussian σ before thresholding, px. Default 1. */
  smooth?: number;
  /** Opening radius after thresholding, px. Default 3 (particles narrower than 6 px are removed). */
  open?: number;
  /** Fill holes. Default true. */
  fillHoles?: boolean;
}

/** Foreground side for Otsu: lib/quantify's `bright` | `dark` | `auto` (minority), or `border` (see `borderPolarity`, the default). */
export type ParticlePolarity = OtsuPolarity | "border";

/** Otsu foreground of a grey image: Gaussian σ `smooth`, Otsu's cut, the `polarity` side, opening by `open`, holes filled (why these defaults: `foregroundMask` in image_particles.ts). */
export function otsuForeground(g: GreyImage, opts: OtsuOptions = {}): Mask {
  const pol = opts.polarity ?? "border";
  const smoothed = smoothedGrey(g, opts);
  const m = pol === "border" ? borderPolarity(otsuMask(smoothed, g.width, g.height, "bright")) : otsuMask(smoothed, g.width, g.height, pol);
  return cleanSide(m, g, opts);
}

/**
 * Both sides of Otsu's cut as particle foregrounds, each exactly as {@link otsuForeground} with
 * polarity "dark" or "bright" gives it; the smoothing and the cut are computed once (why: the
 * default route thresholds and splits both sides, see object_polarity.ts). `shift` (default 0) moves
 * each side's cut that fraction of the way from Otsu's threshold toward the mean of the other class,
 * so that each side also takes fainter objects (the candidates of candidate_objects.ts); the two
 * sides then overlap. Throws on a `shift` outside [0, 1).
 */
export function otsuForegroundSides(g: GreyImage, opts: Omit<OtsuOptions, "polarity"> & { shift?: number } = {}): { dark: Mask; bright: Mask } {
  const shift = opts.shift ?? 0;
  if (!(shift >= 0 && shift < 1)) throw new Error(`otsuForegroundSides: shift must be in [0, 1), got ${shift}`);
  const smoothed = smoothedGrey(g, opts);
  const t = otsuThreshold(smoothed);
  let tDark = t, tBright = t;
  if (shift > 0) {
    let sLo = 0, nLo = 0, sHi = 0, nHi = 0;
    for (const v of smoothed) { if (v > t) { sHi += v; nHi++; } else { sLo += v; nLo++; } }
    tDark = t + shift * ((nHi ? sHi / nHi : t) - t);
    tBright = t - shift * (t - (nLo ? sLo / nLo : t));
  }
  const n = smoothed.length, dark = new Uint8Array(n), bright = new Uint8Array(n);
  // Bright is above the cut, as otsuMask has it; dark is the rest.
  for (let i = 0; i < n; i++) { dark[i] = smoothed[i] > tDark ? 0 : 1; bright[i] = smoothed[i] > tBright ? 1 : 0; }
  const mask = (data: Uint8Array): Mask => ({ width: g.width, height: g.height, data });
  return { dark: cleanSide(mask(dark), g, opts), bright: cleanSide(mask(bright), g, opts) };
}

function smoothedGrey(g: GreyImage, opts: OtsuOptions): Float32Array {
  const sigma = opts.smooth ?? 1;
  if (!(sigma >= 0)) throw new Error(`foregroundMask: smooth must be ≥ 0 px, got ${sigma}`);
  return sigma > 0 ? gaussianBlur(g.grey, g.width, g.height, sigma) : g.grey;
}

/** Opening, hole filling and the image's missing pixels cleared, on one side's raw mask. */
function cleanSide(m: Mask, g: GreyImage, opts: OtsuOptions): Mask {
  const opened = openMask(m, opts.open ?? 3);
  const out = opts.fillHoles === false ? opened : fillHoles(opened);
  if (g.missing) for (let i = 0; i < g.missing.length; i++) if (g.missing[i]) out.data[i] = 0;
  return out;
}
