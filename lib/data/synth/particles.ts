import * as path from "path";
import { Rng } from "../../util/rng";
import { Progress } from "../../util/progress";
import { writeFileAtomic, writeJsonAtomic } from "../../util/fsx";
import { clamp, grainNoise, lerp, smoothNoise } from "./field";
import { renderTem, resizeNoiseScale, TemParams } from "./tem";
import { encodeGreyPng } from "./png";
import { ClassSetSpec, DatasetManifest, GENERATOR_VERSION, SplitSetSpec, stemFor, writeAtomically } from "./common";

/**
 * Stand-ins for the paper's transfer sets, built on the same TEM image formation as the nanowires:
 * - metal nanoparticles (AutoDetect-mNP stand-in): dark, sharp-edged particles of one shape class per
 *   image (sphere, rod, triangle; cube optional) with size and density varying per image;
 * - virus-like particles (TEM virus stand-in): negatively stained, light particles with class-specific
 *   outline and internal texture, 9 classes, in split folders with a fixed test set.
 */

/** Nanoparticle shape classes. The default set mirrors AutoDetect-mNP's three classes; `cube` is extra. */
export const PARTICLE_CLASSES = ["rod", "sphere", "triangle", "cube"] as const;
/** The default nanoparticle classes (3, as in AutoDetect-mNP). */
export const DEFAULT_PARTICLE_CLASSES = ["rod", "sphere", "triangle"];
/** One nanoparticle shape class. */
export type ParticleClass = (typeof PARTICLE_CLASSES)[number];

/** Virus-like stand-in classes (named by shape, not by real virus). The first `n` are used for n classes. */
export const VIRUS_CLASSES = ["hexagonal", "spiky_round", "filament", "brick", "wheel", "enveloped", "small_dense", "halo_oval", "grainy_round"] as const;

/** One placed particle in a stand-in image. */
export interface ParticleTruth {
  x: number;
  y: number;
  /** Characteristic radius, px. */
  radius: number;
  /** Rotation, radians. */
  angle: number;
  /** Aspect ratio (length / width) where it applies. */
  aspect: number;
}

/** Ground truth of one stand-in image. */
export interface StandInTruth {
  class: string;
  size: number;
  difficulty: number;
  particles: ParticleTruth[];
}

/** One generated stand-in image and its truth. */
export interface StandInSample {
  image: Uint8Array;
  truth: StandInTruth;
}

function triangleSd(px: number, py: number, r: number): number {
  // equilateral triangle centred at 0 with circumradius r: max of three half-plane distances
  const h = r * 0.5; // inradius
  let m = -Infinity;
  for (let k = 0; k < 3; k++) {
    const a = -Math.PI / 2 + (k * 2 * Math.PI) / 3 + Math.PI; // outward normals pointing away from vertices
    m = Math.max(m, px * Math.cos(a) + py * Math.sin(a) - h);
  }
  return m;
}

function boxSd(px: number, py: number, hx: number, hy: number, round: number): number {
  const qx = Math.abs(px) - hx + round;
  const qy = Math.abs(py) - hy + round;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - round;
}

function capsuleSd(px: number, py: number, half: number, r: number): number {
  const x = Math.max(-half, Math.min(half, px));
  return Math.hypot(px - x, py) - r;
}

/** Shape of one nanoparticle: signed distance (px, negative inside) and relative thickness in [0, 1]. */
function particleField(cls: ParticleClass, u: number, v: number, r: number, aspect: number, round: number): { sd: number; thick: number } {
  if (cls === "sphere") {
    const d = Math.hypot(u, v);
    return { sd: d - r, thick: Math.sqrt(Math.max(0, 1 - (d / r) ** 2)) };
  }
  if (cls === "rod") {
    const w = r / Math.sqrt(aspect);
    const half = Math.max(0, r * Math.sqrt(aspect) - w);
    const sd = capsuleSd(u, v, half, w);
    return { sd, thick: Math.sqrt(Math.max(0, 1 - ((sd + w) / w - 1) ** 2)) };
  }
  if (cls === "cube") {
    const sd = boxSd(u, v, r * 0.8, r * 0.8, round * r);
    return { sd, thick: 1 };
  }
  const sd = triangleSd(u, v, r * 1.2) - round * r * 0.3;
  return { sd, thick: 1 };
}

/**
 * One synthetic TEM image of metal nanoparticles of a single shape class. Particle size (mean radius
 * 4–14 % of the side), count (3–40) and packing vary per image; difficulty makes rods stubbier,
 * corners rounder, sizes more varied and noise stronger, so the shapes are harder to tell apart.
 */
export function generateParticles(cls: ParticleClass, size: number, rng: Rng, difficulty = 0.3): StandInSample {
  if (!PARTICLE_CLASSES.includes(cls)) throw new Error(`generateParticles: unknown class '${cls}' (${PARTICLE_CLASSES.join(", ")})`);
  const d = clamp(difficulty, 0, 1);
  const n = size * size;
  const absorb = new Float32Array(n);
  const place = rng.fork("place");
  const meanR = size * place.uniform(0.04, 0.14);
  const count = Math.max(1, Math.round(lerp(3, 40, place.next() ** 1.5) * (0.08 / (meanR / size)) ** 1.2 * 0.25 + 2));
  const cv = lerp(0.08, 0.3, d);
  const round = lerp(0.05, 0.45, d);
  const amp = place.uniform(1.2, 2.2);
  const soft = Math.max(0.4, size / 400);
  const particles: ParticleTruth[] = [];
  for (let j = 0, tries = 0; j < count && tries < count * 20; tries++) {
    const r = Math.max(2, meanR * (1 + cv * place.normal()));
    const aspect = cls === "rod" ? place.uniform(lerp(2.2, 1.3, d), lerp(4.5, 2.2, d)) : 1;
    const x = place.uniform(0, size);
    const y = place.uniform(0, size);
    const angle = place.uniform(0, 2 * Math.PI);
    const reach = r * Math.sqrt(aspect) * 1.3 + 3;
    // mostly separate: reject heavy overlap with an earlier particle
    if (particles.some((p) => Math.hypot(p.x - x, p.y - y) < 0.8 * (reach + p.radius * Math.sqrt(p.aspect) * 1.3))) continue;
    const ca = Math.cos(angle);
    const sa = Math.sin(angle);
    for (let yy = Math.max(0, Math.floor(y - reach)); yy <= Math.min(size - 1, Math.ceil(y + reach)); yy++) {
      for (let xx = Math.max(0, Math.floor(x - reach)); xx <= Math.min(size - 1, Math.ceil(x + reach)); xx++) {
        const dx = xx + 0.5 - x;
        const dy = yy + 0.5 - y;
        const u = dx * ca + dy * sa;
        const v = -dx * sa + dy * ca;
        const f = particleField(cls, u, v, r, aspect, round);
        const edge = 1 / (1 + Math.exp(f.sd / soft));
        absorb[yy * size + xx] += amp * edge * (0.55 + 0.45 * f.thick);
      }
    }
    particles.push({ x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10, radius: Math.round(r * 100) / 100, angle: Math.round(angle * 1000) / 1000, aspect: Math.round(aspect * 100) / 100 });
    j++;
  }
  const tem: TemParams = {
    beam: rng.uniform(0.55, 0.7),
    gradient: rng.uniform(0.03, 0.15),
    mottle: rng.uniform(0.02, 0.06),
    grain: rng.uniform(0.06, 0.12) * (1 + d),
    grainSigma: rng.uniform(0.7, 1.0),
    psfSigma: rng.uniform(0.5, 0.9),
    dose: rng.uniform(60, 200) / (1 + d),
    gain: rng.uniform(0.9, 1.2),
    offset: rng.uniform(-0.05, 0.05),
    noiseScale: resizeNoiseScale(size),
  };
  const image = renderTem(absorb, size, size, tem, rng.fork("tem"));
  return { image, truth: { class: cls, size, difficulty: d, particles } };
}

/** Fields of one virus-like particle at local coordinates (u, v): `inside` ∈ [0,1] and stain inside. */
function virusField(cls: string, u: number, v: number, r: number, s: number, tex: number, soft: number): { inside: number; stain: number } {
  const sig = (sd: number, w = soft): number => 1 / (1 + Math.exp(sd / w));
  const rho = Math.hypot(u, v);
  const th = Math.atan2(v, u);
  switch (cls) {
    case "hexagonal": {
      // regular hexagon: the largest projection on the three face normals at 0°, 60°, 120°
      const hex = Math.max(Math.abs(u), Math.abs(0.5 * u + 0.8660254037844386 * v), Math.abs(-0.5 * u + 0.8660254037844386 * v)) - r * 0.87;
      const lattice = 0.5 + 0.5 * Math.cos((u * 2 * Math.PI) / (r * 0.22)) * Math.cos((v * 2 * Math.PI) / (r * 0.22));
      return { inside: sig(hex), stain: 0.15 + 0.25 * lattice * sig(-(hex + r * 0.15)) };
    }
    case "spiky_round": {
      const sd = rho - r * (1 + 0.1 * Math.cos(s * th));
      return { inside: sig(sd), stain: 0.1 + 0.3 * sig(-(rho - r * 0.85), soft * 2) };
    }
    case "filament": {
      const vv = v - (u * u) / (r * 6) * (s % 2 === 0 ? 1 : -1);
      const sd = capsuleSd(u, vv, r * 1.6, r * 0.28);
      return { inside: sig(sd), stain: 0.12 + 0.3 * Math.max(0, Math.cos((u * 2 * Math.PI) / (r * 0.15))) * sig(sd + r * 0.08) };
    }
    case "brick": {
      const sd = boxSd(u, v, r * 1.15, r * 0.8, r * 0.25);
      const core = boxSd(u, v, r * 0.7, r * 0.25 + 0.1 * r * Math.abs(Math.cos((u / r) * Math.PI)), r * 0.2);
      return { inside: sig(sd), stain: 0.1 + 0.5 * sig(core) };
    }
    case "wheel": {
      const sd = rho - r;
      const ring = Math.exp(-(((rho - r * 0.65) / (r * 0.08)) ** 2));
      const spokes = Math.pow(Math.max(0, Math.cos(s * th)), 8) * (rho < r * 0.65 ? 1 : 0);
      return { inside: sig(sd), stain: 0.1 + 0.55 * Math.max(ring, spokes * 0.8) };
    }
    case "enveloped": {
      const sd = rho - r * (1 + 0.06 * Math.sin(3 * th + s));
      const rim = Math.exp(-(((sd + r * 0.06) / (r * 0.05)) ** 2));
      return { inside: sig(sd, soft * 2), stain: 0.05 + 0.2 * tex + 0.45 * rim };
    }
    case "small_dense": {
      const sd = rho - r * 0.5;
      return { inside: sig(sd), stain: 0.02 + 0.7 * Math.exp(-((rho / (r * 0.22)) ** 2)) };
    }
    case "halo_oval": {
      const e = Math.hypot(u / 1.35, v) - r * 0.85;
      const halo = Math.exp(-((e / (r * 0.12)) ** 2));
      return { inside: sig(e - r * 0.12), stain: 0.15 + 0.1 * tex - 0.1 * halo };
    }
    case "grainy_round": {
      const sd = rho - r;
      return { inside: sig(sd), stain: 0.05 + 1.4 * Math.max(0, tex - 0.55) };
    }
    default:
      throw new Error(`virusField: unknown class '${cls}' (${VIRUS_CLASSES.join(", ")})`);
  }
}

/**
 * One synthetic negative-stain TEM image of virus-like particles of one class: a stained background
 * (absorbing) with 1–3 lighter particles whose outline and internal stain pattern are class-specific.
 * Difficulty shrinks the pattern contrast and raises the noise.
 */
export function generateVirus(cls: string, size: number, rng: Rng, difficulty = 0.3): StandInSample {
  if (!(VIRUS_CLASSES as readonly string[]).includes(cls)) throw new Error(`generateVirus: unknown class '${cls}' (${VIRUS_CLASSES.join(", ")})`);
  const d = clamp(difficulty, 0, 1);
  const n = size * size;
  const place = rng.fork("place");
  const stainBg = place.uniform(0.7, 1.0);
  const mott = smoothNoise(rng.fork("stain"), size, size, 4);
  const absorb = new Float32Array(n);
  for (let i = 0; i < n; i++) absorb[i] = stainBg * (1 + 0.15 * mott[i]);
  const tex = grainNoise(rng.fork("tex"), size, size, Math.max(1, size / 120));
  const count = 1 + Math.min(2, place.poisson(0.6));
  const particles: ParticleTruth[] = [];
  const patternGain = lerp(1, 0.55, d);
  for (let j = 0; j < count; j++) {
    const r = size * place.uniform(0.13, 0.22) * (j === 0 ? 1 : 0.8);
    const x = j === 0 ? size * place.uniform(0.35, 0.65) : place.uniform(0, size);
    const y = j === 0 ? size * place.uniform(0.35, 0.65) : place.uniform(0, size);
    const angle = place.uniform(0, 2 * Math.PI);
    const s = 6 + place.int(6);
    const ca = Math.cos(angle);
    const sa = Math.sin(angle);
    const reach = r * 2.2;
    const soft = Math.max(0.5, r / 25);
    for (let yy = Math.max(0, Math.floor(y - reach)); yy <= Math.min(size - 1, Math.ceil(y + reach)); yy++) {
      for (let xx = Math.max(0, Math.floor(x - reach)); xx <= Math.min(size - 1, Math.ceil(x + reach)); xx++) {
        const dx = xx + 0.5 - x;
        const dy = yy + 0.5 - y;
        const u = dx * ca + dy * sa;
        const v = -dx * sa + dy * ca;
        const i = yy * size + xx;
        const f = virusField(cls, u, v, r, s, 0.5 + 0.5 * clamp(tex[i], -1, 1), soft);
        const inner = stainBg * (0.25 + patternGain * f.stain);
        absorb[i] = absorb[i] * (1 - f.inside) + inner * f.inside;
      }
    }
    particles.push({ x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10, radius: Math.round(r * 100) / 100, angle: Math.round(angle * 1000) / 1000, aspect: 1 });
  }
  const tem: TemParams = {
    beam: rng.uniform(0.75, 0.95),
    gradient: rng.uniform(0.03, 0.15),
    mottle: rng.uniform(0.02, 0.05),
    grain: rng.uniform(0.06, 0.12) * (1 + d),
    grainSigma: rng.uniform(0.7, 1.1),
    psfSigma: rng.uniform(0.6, 1.0),
    dose: rng.uniform(50, 150) / (1 + d),
    gain: rng.uniform(0.9, 1.3),
    offset: rng.uniform(-0.05, 0.05),
    noiseScale: resizeNoiseScale(size),
  };
  const image = renderTem(absorb, size, size, tem, rng.fork("tem"));
  return { image, truth: { class: cls, size, difficulty: d, particles } };
}

/**
 * Write the nanoparticle stand-in: `<class>/<stem>.png`, `_truth/<class>/<stem>.json`, `dataset.json`.
 * Classes default to {@link DEFAULT_PARTICLE_CLASSES}. Same spec → byte-identical files.
 */
export async function writeParticleDataset(outDir: string, spec: ClassSetSpec, overwrite = false): Promise<DatasetManifest> {
  const classes = spec.classes ?? DEFAULT_PARTICLE_CLASSES;
  for (const c of classes) if (!(PARTICLE_CLASSES as readonly string[]).includes(c)) throw new Error(`synth: unknown nanoparticle class '${c}' (${PARTICLE_CLASSES.join(", ")})`);
  if (!(Number.isInteger(spec.perClass) && spec.perClass >= 1)) throw new Error(`synth: per-class must be an integer >= 1, got ${spec.perClass}`);
  const manifest: DatasetManifest = {
    kind: "nanoparticle",
    generator: "nanomorph synth (lib/data/synth/particles.ts)",
    generatorVersion: GENERATOR_VERSION,
    spec: { ...spec, classes },
    classes,
    layout: "class-folders",
    counts: Object.fromEntries(classes.map((c) => [c, spec.perClass])),
    extras: { _truth: "ground truth <class>/<stem>.json: particle centres, radii, angles, aspect ratios (px)" },
    synthetic: true,
  };
  const master = new Rng(spec.seed);
  await writeAtomically(outDir, overwrite, async (tmp) => {
    const bar = new Progress({ label: "synth nanoparticle", total: classes.length * spec.perClass, unit: "img" });
    for (const cls of classes) {
      for (let i = 0; i < spec.perClass; i++) {
        const s = generateParticles(cls as ParticleClass, spec.size, master.fork(`nanoparticle/${cls}/${i}`), spec.difficulty);
        const stem = stemFor(cls, i);
        writeFileAtomic(path.join(tmp, cls, `${stem}.png`), await encodeGreyPng(s.image, spec.size, spec.size));
        writeJsonAtomic(path.join(tmp, "_truth", cls, `${stem}.json`), s.truth);
        bar.tick(1);
      }
    }
    bar.finish();
    writeJsonAtomic(path.join(tmp, "dataset.json"), manifest);
  });
  return manifest;
}

/**
 * Write the virus-like stand-in in split folders: `train/`, `validation/`, `test/`, each
 * `<class>/<stem>.png`. Each split draws from its own seed stream, so the test set is fixed whatever
 * the train size. Same spec → byte-identical files.
 */
export async function writeVirusDataset(outDir: string, spec: SplitSetSpec, overwrite = false): Promise<DatasetManifest> {
  if (!(Number.isInteger(spec.classes) && spec.classes >= 2 && spec.classes <= VIRUS_CLASSES.length)) {
    throw new Error(`synth: virus classes must be an integer in 2..${VIRUS_CLASSES.length}, got ${spec.classes}`);
  }
  const classes = VIRUS_CLASSES.slice(0, spec.classes) as string[];
  const splits: [string, number][] = [["train", spec.train], ["validation", spec.validation], ["test", spec.test]];
  for (const [name, k] of splits) if (!(Number.isInteger(k) && k >= 1)) throw new Error(`synth: virus ${name} images per class must be an integer >= 1, got ${k}`);
  const manifest: DatasetManifest = {
    kind: "virus",
    generator: "nanomorph synth (lib/data/synth/particles.ts)",
    generatorVersion: GENERATOR_VERSION,
    spec: { ...spec },
    classes,
    layout: "split-folders",
    counts: Object.fromEntries(splits.map(([name, k]) => [name, Object.fromEntries(classes.map((c) => [c, k]))])),
    extras: {},
    synthetic: true,
  };
  const master = new Rng(spec.seed);
  const total = classes.length * (spec.train + spec.validation + spec.test);
  await writeAtomically(outDir, overwrite, async (tmp) => {
    const bar = new Progress({ label: "synth virus", total, unit: "img" });
    for (const [split, k] of splits) {
      for (const cls of classes) {
        for (let i = 0; i < k; i++) {
          const s = generateVirus(cls, spec.size, master.fork(`virus/${split}/${cls}/${i}`), spec.difficulty);
          writeFileAtomic(path.join(tmp, split, cls, `${stemFor(cls, i)}.png`), await encodeGreyPng(s.image, spec.size, spec.size));
          bar.tick(1);
        }
      }
    }
    bar.finish();
    writeJsonAtomic(path.join(tmp, "dataset.json"), manifest);
  });
  return manifest;
}
