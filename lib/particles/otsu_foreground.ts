/**
 * Otsu's threshold of a micrograph as a particle foreground: smoothing, the threshold, the side that
 * holds the particles, an opening and hole filling (see {@link otsuForeground}).
 */
import { otsuMask, type OtsuPolarity } from "../image/otsu";
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
 * default route thresholds and splits both sides, see object_polarity.ts).
 */
export function otsuForegroundSides(g: GreyImage, opts: Omit<OtsuOptions, "polarity"> = {}): { dark: Mask; bright: Mask } {
  const bright = otsuMask(smoothedGrey(g, opts), g.width, g.height, "bright");
  const dark = new Uint8Array(bright.data.length);
  for (let i = 0; i < dark.length; i++) dark[i] = bright.data[i] ? 0 : 1;
  return { dark: cleanSide({ width: g.width, height: g.height, data: dark }, g, opts), bright: cleanSide(bright, g, opts) };
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
