import { Rng } from "../../util/rng";
import { gaussianBlur } from "../../image/gaussian";

/**
 * Float image fields for the synthetic generators: row-major Float32Array of width·height values.
 * Everything here is deterministic given the Rng.
 */

/** Re-exported for the generators that import their fields from here. */
export { gaussianBlur };

/** White Gaussian noise, mean 0, std 1. */
export function whiteNoise(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Rescale a field in place to mean 0 and std 1 (a constant field becomes all zeros). */
export function standardise(f: Float32Array): Float32Array {
  let m = 0;
  for (let i = 0; i < f.length; i++) m += f[i];
  m /= f.length;
  let v = 0;
  for (let i = 0; i < f.length; i++) v += (f[i] - m) ** 2;
  const s = Math.sqrt(v / f.length);
  for (let i = 0; i < f.length; i++) f[i] = s > 1e-12 ? (f[i] - m) / s : 0;
  return f;
}

/**
 * Band-limited "grain" noise: white noise blurred with `sigma` px, standardised (mean 0, std 1).
 * Models the speckle of an amorphous carbon support film.
 */
export function grainNoise(rng: Rng, width: number, height: number, sigma: number): Float32Array {
  return standardise(gaussianBlur(whiteNoise(rng, width * height), width, height, sigma));
}

/**
 * Smooth low-frequency noise: a (cells+1)² grid of N(0,1) values, interpolated with a smoothstep
 * (C¹) bilinear blend to width×height. Standardised. `cells` ≈ number of bumps across the image.
 */
export function smoothNoise(rng: Rng, width: number, height: number, cells: number): Float32Array {
  const g = Math.max(1, Math.round(cells));
  const grid = new Float32Array((g + 1) * (g + 1));
  for (let i = 0; i < grid.length; i++) grid[i] = rng.normal();
  const out = new Float32Array(width * height);
  const ss = (t: number): number => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    const gy = ((y + 0.5) / height) * g;
    const iy = Math.min(g - 1, Math.floor(gy));
    const ty = ss(gy - iy);
    for (let x = 0; x < width; x++) {
      const gx = ((x + 0.5) / width) * g;
      const ix = Math.min(g - 1, Math.floor(gx));
      const tx = ss(gx - ix);
      const a = grid[iy * (g + 1) + ix];
      const b = grid[iy * (g + 1) + ix + 1];
      const c = grid[(iy + 1) * (g + 1) + ix];
      const d = grid[(iy + 1) * (g + 1) + ix + 1];
      out[y * width + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return standardise(out);
}

/** Clamp to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Linear interpolation a→b at t. */
export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
