import * as path from "path";
import { Rng } from "../../util/rng";
import { writeFileAtomic, writeJsonAtomic } from "../../util/fsx";
import { renderTem, type TemParams } from "./tem";
import { encodeGreyPng } from "./png";

/**
 * Nanoparticle micrographs with KNOWN particle sizes, for validating size measurements: elliptical
 * (default round) dark particles whose equivalent diameters follow a lognormal distribution, a chosen
 * fraction placed touching an earlier particle (so the watershed has necks to cut), rendered with the
 * same bright-field TEM image formation as the other stand-ins. Every particle's size is returned,
 * with the true instance label of every pixel.
 */
export interface SizedParticleSpec {
  /** Image width and height, px. Default 256. */
  size?: number;
  /** Particles to place (fewer when the image fills up). Default 30. */
  count?: number;
  /** Median equivalent diameter, px. Default 20. */
  medianDiameter?: number;
  /** Standard deviation of ln(diameter) (lognormal shape). Default 0.25; 0 gives equal sizes. */
  sigmaLog?: number;
  /** Fraction of particles placed touching (slightly overlapping) an earlier one. Default 0.3. */
  touchingFraction?: number;
  /** Largest axis ratio of the ellipses (drawn uniformly in [1, maxAspect]). Default 1 (discs). */
  maxAspect?: number;
  /** Smallest diameter drawn, px (lognormal draws below are redrawn). Default 6. */
  minDiameter?: number;
}

/** One placed particle: the ellipse drawn, in pixel coordinates (x right, y down, origin at the image corner). */
export interface SizedParticle {
  x: number;
  y: number;
  /** Equivalent-circle diameter of the ellipse, 2√(ab), px. */
  diameter: number;
  /** Semi-axes a ≥ b, px. */
  a: number;
  b: number;
  /** Direction of the a-axis, degrees counter-clockwise from +x with y up. */
  angleDeg: number;
  /** Index of the particle it was placed against, or -1. */
  touching: number;
  /** Pixels assigned to it in `labels` (its digitised area). */
  pixels: number;
}

/** A generated image with its truth. */
export interface SizedParticleSample {
  width: number;
  height: number;
  /** 8-bit grey micrograph, row-major. */
  image: Uint8Array;
  /** True instance per pixel: particle index, -1 background. A pixel is a particle's when its centre is inside the ellipse (overlaps go to the nearer in ellipse-normalised distance). */
  labels: Int32Array;
  particles: SizedParticle[];
  spec: Required<SizedParticleSpec>;
}

/** Normalised ellipse distance of (px, py) from a particle: < 1 inside. */
function ellipseRho(p: SizedParticle, px: number, py: number): number {
  const t = (p.angleDeg * Math.PI) / 180;
  const dx = px - p.x, dy = -(py - p.y);
  const u = dx * Math.cos(t) + dy * Math.sin(t), v = -dx * Math.sin(t) + dy * Math.cos(t);
  return Math.sqrt((u / p.a) ** 2 + (v / p.b) ** 2);
}

/**
 * Generate one image (deterministic for the same spec and rng). Particles stay ≥ 2 px inside the image,
 * so none touches the border. Throws on a non-positive size, count or median.
 */
export function generateSizedParticles(spec: SizedParticleSpec, rng: Rng): SizedParticleSample {
  const s: Required<SizedParticleSpec> = {
    size: spec.size ?? 256, count: spec.count ?? 30, medianDiameter: spec.medianDiameter ?? 20, sigmaLog: spec.sigmaLog ?? 0.25,
    touchingFraction: spec.touchingFraction ?? 0.3, maxAspect: spec.maxAspect ?? 1, minDiameter: spec.minDiameter ?? 6,
  };
  if (!(Number.isInteger(s.size) && s.size >= 16)) throw new Error(`generateSizedParticles: size must be an integer ≥ 16 px, got ${s.size}`);
  if (!(Number.isInteger(s.count) && s.count >= 1)) throw new Error(`generateSizedParticles: count must be a positive integer, got ${s.count}`);
  if (!(s.medianDiameter > 0) || !(s.sigmaLog >= 0) || !(s.maxAspect >= 1)) throw new Error(`generateSizedParticles: need medianDiameter > 0, sigmaLog ≥ 0, maxAspect ≥ 1 (got ${s.medianDiameter}, ${s.sigmaLog}, ${s.maxAspect})`);
  const W = s.size, H = s.size;
  const place = rng.fork("place");
  const parts: SizedParticle[] = [];
  for (let tries = 0; parts.length < s.count && tries < s.count * 50; tries++) {
    let d = 0;
    for (let k = 0; k < 20 && !(d >= s.minDiameter); k++) d = s.medianDiameter * Math.exp(s.sigmaLog * place.normal());
    if (!(d >= s.minDiameter)) d = s.minDiameter;
    const aspect = place.uniform(1, s.maxAspect);
    const a = (d / 2) * Math.sqrt(aspect), b = (d / 2) / Math.sqrt(aspect);
    const angleDeg = place.uniform(0, 180);
    const touchWanted = parts.length > 0 && place.bernoulli(s.touchingFraction);
    let x: number, y: number, touching = -1;
    if (touchWanted) {
      touching = place.int(parts.length);
      const q = parts[touching];
      const phi = place.uniform(0, 2 * Math.PI);
      // centre distance so the two equivalent circles overlap by 0–8 % of the smaller diameter
      const dist = (q.diameter + d) / 2 - place.uniform(0, 0.08) * Math.min(q.diameter, d);
      x = q.x + dist * Math.cos(phi); y = q.y + dist * Math.sin(phi);
    } else {
      x = place.uniform(0, W); y = place.uniform(0, H);
    }
    if (x - a < 2 || y - a < 2 || x + a > W - 2 || y + a > H - 2) continue;
    const clash = parts.some((q, j) => {
      const gap = Math.hypot(q.x - x, q.y - y) - (q.a + a);
      return j === touching ? false : gap < 3;
    });
    if (clash) continue;
    parts.push({ x, y, diameter: d, a, b, angleDeg, touching, pixels: 0 });
  }
  // Truth labels and the absorbance map (soft edges; overlaps absorb once, as one particle's thickness).
  const labels = new Int32Array(W * H).fill(-1);
  const absorb = new Float32Array(W * H);
  const amp = place.uniform(1.3, 2.0);
  const soft = 0.6;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let best = -1, bestRho = Infinity, edge = 0;
      for (let j = 0; j < parts.length; j++) {
        const p = parts[j];
        if (Math.abs(x + 0.5 - p.x) > p.a + 3 || Math.abs(y + 0.5 - p.y) > p.a + 3) continue;
        const rho = ellipseRho(p, x + 0.5, y + 0.5);
        // signed distance ≈ (rho − 1)·b near the edge: a soft step of the TEM image
        edge = Math.max(edge, 1 / (1 + Math.exp(((rho - 1) * p.b) / soft)) * (0.6 + 0.4 * Math.sqrt(Math.max(0, 1 - rho * rho))));
        if (rho < 1 && rho < bestRho) { bestRho = rho; best = j; }
      }
      labels[y * W + x] = best;
      if (best >= 0) parts[best].pixels++;
      absorb[y * W + x] = amp * edge;
    }
  }
  const tem: TemParams = {
    beam: rng.uniform(0.55, 0.7), gradient: rng.uniform(0.03, 0.1), mottle: rng.uniform(0.02, 0.05),
    grain: rng.uniform(0.05, 0.1), grainSigma: rng.uniform(0.7, 1.0), psfSigma: rng.uniform(0.5, 0.8),
    dose: rng.uniform(80, 200), gain: rng.uniform(0.9, 1.2), offset: rng.uniform(-0.03, 0.03), noiseScale: 1,
  };
  const image = renderTem(absorb, W, H, tem, rng.fork("tem"));
  return { width: W, height: H, image, labels, particles: parts, spec: s };
}

/** One class of a sized-particle set: its folder name and generator spec. */
export interface SizedClassSpec {
  name: string;
  spec: SizedParticleSpec;
}

/**
 * Write a sized-particle set: `images/<class>/<class>_NNN.png`, `masks/<class>/<class>_NNN.png` (true
 * foreground, 255) and `truth/<class>/<class>_NNN.json` ({particles}). Returns the written image paths.
 * Same arguments → same files.
 */
export async function writeSizedParticleSet(outDir: string, classes: readonly SizedClassSpec[], perClass: number, seed: number): Promise<string[]> {
  if (!(Number.isInteger(perClass) && perClass >= 1)) throw new Error(`writeSizedParticleSet: perClass must be a positive integer, got ${perClass}`);
  const master = new Rng(seed);
  const files: string[] = [];
  for (const c of classes) {
    for (let i = 0; i < perClass; i++) {
      const smp = generateSizedParticles(c.spec, master.fork(`sized/${c.name}/${i}`));
      const stem = `${c.name}_${String(i).padStart(3, "0")}`;
      const img = path.join(outDir, "images", c.name, `${stem}.png`);
      writeFileAtomic(img, await encodeGreyPng(smp.image, smp.width, smp.height));
      const mask = new Uint8Array(smp.labels.length);
      for (let k = 0; k < mask.length; k++) mask[k] = smp.labels[k] >= 0 ? 255 : 0;
      writeFileAtomic(path.join(outDir, "masks", c.name, `${stem}.png`), await encodeGreyPng(mask, smp.width, smp.height));
      writeJsonAtomic(path.join(outDir, "truth", c.name, `${stem}.json`), { particles: smp.particles, spec: smp.spec });
      files.push(img);
    }
  }
  return files;
}
