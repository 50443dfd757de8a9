/**
 * Per-pixel features of a micrograph for a learned foreground (outline_refiner.ts): grey smoothed at
 * five scales, gradient magnitude at two, blob and ridge measures (scale-normalised Hessian eigenvalues
 * and Laplacian) at several, local contrast, a band-pass, and the signed distance to Otsu's cut. The grey
 * is first put on one scale for every image: particles dark, 0 at Otsu's cut, the two classes' means
 * about ±0.5 apart, so one model serves micrographs of any exposure and either polarity.
 */
import { gaussianBlur } from "../image/gaussian";
import { gradientMagnitude, hessianEigen } from "../image/derivatives";
import { otsuThreshold } from "../image/otsu";
import { distanceTransform } from "../image/edt";
import type { Mask } from "../image/mask";
import type { GreyImage } from "./grey_image";

/** Names of the features, in the order of {@link pixelFeatureMaps}' maps (σ in px). */
export const PIXEL_FEATURES = [
  "grey σ0.7", "grey σ1.5", "grey σ3", "grey σ6", "grey σ12", "gradient σ1", "gradient σ2.5", "laplacian σ1.5", "laplacian σ3",
  "laplacian σ6", "hessian max σ2", "hessian min σ2", "local sd σ3", "grey σ1.5 − σ12", "signed distance to Otsu's cut", "hessian max σ4", "hessian min σ4",
];

/** How far the signed distance to Otsu's cut reaches, px (beyond: clipped). */
const MAX_DISTANCE_PX = 15;

/**
 * `g`'s grey on a common scale: (grey − t) / (m₁ − m₀) with Otsu's threshold t and the means m₀, m₁ of
 * the pixels at or below and above it, negated when the particles are bright, so particles are
 * negative; missing pixels 0.5 (background). One value per pixel, row-major.
 */
export function normalisedGrey(g: GreyImage, particles: "dark" | "bright"): Float32Array {
  const n = g.width * g.height;
  const values: number[] = [];
  for (let i = 0; i < n; i++) if (!g.missing || !g.missing[i]) values.push(g.grey[i]);
  const out = new Float32Array(n).fill(0.5);
  if (values.length === 0) return out;
  const t = otsuThreshold(values);
  let lo = 0, nl = 0, hi = 0, nh = 0;
  for (const v of values) { if (v <= t) { lo += v; nl++; } else { hi += v; nh++; } }
  const spread = Math.max(1e-6, (nh ? hi / nh : t) - (nl ? lo / nl : t));
  const sign = particles === "dark" ? 1 : -1;
  for (let i = 0; i < n; i++) if (!g.missing || !g.missing[i]) out[i] = (sign * (g.grey[i] - t)) / spread;
  return out;
}

/**
 * The {@link PIXEL_FEATURES} maps of `g` (each width·height values, row-major) for particles of polarity
 * `particles`, with `side` the Otsu mask of the particles' side (1 = particle side). Throws when `side`
 * is not `g`'s size.
 */
export function pixelFeatureMaps(g: GreyImage, particles: "dark" | "bright", side: Mask): Float32Array[] {
  const { width: w, height: h } = g;
  if (side.width !== w || side.height !== h) throw new Error(`pixelFeatureMaps: side mask ${side.width}x${side.height} for a ${w}x${h} image`);
  const z = normalisedGrey(g, particles);
  const blur = (s: number): Float32Array => gaussianBlur(z, w, h, s);
  const g07 = blur(0.7), g15 = blur(1.5), g3 = blur(3), g6 = blur(6), g12 = blur(12);
  const h2 = hessianEigen(blur(2), w, h, 4), h4 = hessianEigen(blur(4), w, h, 16);
  const sq = new Float32Array(w * h);
  for (let i = 0; i < sq.length; i++) sq[i] = z[i] * z[i];
  const sq3 = gaussianBlur(sq, w, h, 3);
  const sd3 = new Float32Array(w * h), band = new Float32Array(w * h), signed = new Float32Array(w * h);
  for (let i = 0; i < sd3.length; i++) {
    sd3[i] = Math.sqrt(Math.max(0, sq3[i] - g3[i] * g3[i]));
    band[i] = g15[i] - g12[i];
  }
  // Inside the particles' side: distance to its edge; outside: minus the distance to it.
  const inside = distanceTransform(side);
  const outside = distanceTransform({ width: w, height: h, data: side.data.map((v) => (v ? 0 : 1)) });
  for (let i = 0; i < signed.length; i++) signed[i] = Math.max(-MAX_DISTANCE_PX, Math.min(MAX_DISTANCE_PX, side.data[i] ? inside[i] : -outside[i]));
  return [
    g07, g15, g3, g6, g12, gradientMagnitude(blur(1), w, h), gradientMagnitude(blur(2.5), w, h),
    hessianEigen(g15, w, h, 2.25).trace, hessianEigen(g3, w, h, 9).trace, hessianEigen(g6, w, h, 36).trace,
    h2.max, h2.min, sd3, band, signed, h4.max, h4.min,
  ];
}
