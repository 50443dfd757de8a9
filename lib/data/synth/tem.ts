import { Rng } from "../../util/rng";
import { clamp, gaussianBlur, grainNoise, smoothNoise } from "./field";

/**
 * Bright-field TEM image formation for the synthetic sets: an absorbance (optical density) map becomes
 * a transmitted-intensity image under a slightly uneven beam, with the speckle of an amorphous support
 * film, a small point-spread blur, electron shot noise and a per-image brightness/contrast.
 */
export interface TemParams {
  /** Beam intensity at the centre, as a fraction of the 8-bit range before gain. Default 0.55. */
  beam?: number;
  /** Strength of the linear illumination gradient across the image (relative). Default 0.12. */
  gradient?: number;
  /** Strength of slow mottling of the film thickness (relative). Default 0.05. */
  mottle?: number;
  /** Relative amplitude of the film grain. Default 0.12. */
  grain?: number;
  /** Grain correlation length, px. Default 0.8. */
  grainSigma?: number;
  /** Point-spread blur, px. Default 0.6. */
  psfSigma?: number;
  /** Electrons per pixel at full beam (shot noise std = √(I/dose)). Default 120. */
  dose?: number;
  /** Display gain (contrast) applied around the mean. Default 1. */
  gain?: number;
  /** Display offset added after the gain (fraction of range). Default 0. */
  offset?: number;
  /**
   * Factor on the grain amplitude and the shot-noise std, for images that stand for a larger micrograph
   * resized down (averaging pixels lowers both). Default 1; the generators use √min(1, size/512).
   */
  noiseScale?: number;
}

/** The noise factor for an image of `size` px standing for a micrograph resized down: √min(1, size/512). */
export function resizeNoiseScale(size: number): number {
  return Math.sqrt(Math.min(1, size / 512));
}

/** Render absorbance → 8-bit grey image (row-major width×height). Consumes the rng deterministically. */
export function renderTem(absorb: Float32Array, width: number, height: number, p: TemParams, rng: Rng): Uint8Array {
  const n = width * height;
  const beam = p.beam ?? 0.55;
  const grad = p.gradient ?? 0.12;
  const mottle = smoothNoise(rng.fork("mottle"), width, height, 3);
  const grain = grainNoise(rng.fork("grain"), width, height, p.grainSigma ?? 0.8);
  const ga = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(ga);
  const gy = Math.sin(ga);
  const mAmp = p.mottle ?? 0.05;
  const ns = p.noiseScale ?? 1;
  const gAmp = (p.grain ?? 0.12) * ns;
  const inten = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5) / height - 0.5;
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width - 0.5;
      const i = y * width + x;
      const i0 = beam * (1 + grad * (gx * u + gy * v) + mAmp * mottle[i]);
      inten[i] = i0 * Math.exp(-absorb[i]) * (1 + gAmp * grain[i]);
    }
  }
  const blurred = gaussianBlur(inten, width, height, p.psfSigma ?? 0.6);
  const dose = p.dose ?? 120;
  const noise = rng.fork("shot");
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, blurred[i]);
    blurred[i] = v + ns * noise.normal() * Math.sqrt(v / dose);
    mean += blurred[i];
  }
  mean /= n;
  const gain = p.gain ?? 1;
  const off = p.offset ?? 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = clamp(Math.round(255 * (mean + gain * (blurred[i] - mean) + off)), 0, 255);
  return out;
}

/** Where a scale bar was burnt in (pixels) and the length it stands for. */
export interface ScaleBar {
  x: number;
  y: number;
  width: number;
  height: number;
  nm: number;
}

/**
 * Burn a scale bar into the bottom-right corner of an 8-bit image: a white bar with a black outline,
 * `nm` long at `nmPerPx`, rounded to a "nice" length (1, 2, 5 × 10^k nm) near a quarter of the width.
 */
export function drawScaleBar(img: Uint8Array, width: number, height: number, nmPerPx: number): ScaleBar {
  const target = (width / 4) * nmPerPx;
  const p10 = Math.pow(10, Math.floor(Math.log10(target)));
  const nice = [1, 2, 5, 10].map((m) => m * p10).reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best));
  const bw = Math.max(4, Math.round(nice / nmPerPx));
  const bh = Math.max(2, Math.round(height / 60));
  const margin = Math.max(2, Math.round(width / 40));
  const x0 = width - margin - bw;
  const y0 = height - margin - bh;
  for (let y = y0 - 1; y <= y0 + bh; y++) {
    for (let x = x0 - 1; x <= x0 + bw; x++) {
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      const edge = y === y0 - 1 || y === y0 + bh || x === x0 - 1 || x === x0 + bw;
      img[y * width + x] = edge ? 0 : 255;
    }
  }
  return { x: x0, y: y0, width: bw, height: bh, nm: nice };
}
