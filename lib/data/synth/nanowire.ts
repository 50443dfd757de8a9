import { Rng } from "../../util/rng";
import { clamp, grainNoise, lerp, smoothNoise } from "./field";
import { Canvas, measurePath, PathSpec, randomPath, smoothProfile, WirePath, WireTruth } from "./wire";
import { drawScaleBar, renderTem, resizeNoiseScale, ScaleBar, TemParams } from "./tem";

/** The four nanowire morphology classes of the paper, in label order. */
export const NANOWIRE_CLASSES = ["bundle", "dispersed", "network", "singular"] as const;
/** One nanowire morphology class. */
export type NanowireClass = (typeof NANOWIRE_CLASSES)[number];

/** Options for {@link generateNanowire}. */
export interface NanowireOptions {
  /** How much the classes overlap, 0 (easy) … 1 (hard): wire density, length, width and noise move toward each other. Default 0.3. */
  difficulty?: number;
  /** Burn a scale bar into the image (never into the mask). Default false. */
  scaleBar?: boolean;
}

/** Ground truth written beside every synthetic nanowire image (`_truth/<class>/<stem>.json`). */
export interface NanowireTruth {
  class: NanowireClass;
  size: number;
  difficulty: number;
  /** Physical pixel size the image pretends to have, nm/px. */
  nmPerPx: number;
  /** Number of filaments (wires or bundles) with at least 1 px of centre line inside the image. */
  wireCount: number;
  /** Fraction of mask pixels that are foreground. */
  maskDensity: number;
  /** Whether one cluster of mask pixels (pixels within distance 2 joined) spans ≥ size − 2 px both ways (network: always; dispersed: never). */
  spansBothWays: boolean;
  /** Each filament's in-image geometry. `kind` "bundle" is a thick aggregate; "wire" a single nanowire. */
  wires: (WireTruth & { kind: "wire" | "bundle" })[];
  scaleBar: ScaleBar | null;
}

/** One generated image: 8-bit grey pixels, a 0/1 mask, and its ground truth. */
export interface NanowireSample {
  image: Uint8Array;
  mask: Uint8Array;
  truth: NanowireTruth;
}

/** Reference frame: shapes are drawn as if the image were 512 px wide, then scaled to the real size. */
const REF = 512;

function scalePath(p: WirePath, k: number, minHalfWidth: number): WirePath {
  const xs = p.xs.map((v) => v * k);
  const ys = p.ys.map((v) => v * k);
  const hw = p.hw.map((v) => Math.max(minHalfWidth, v * k));
  return { xs, ys, hw, ds: p.ds * k };
}

function density(mask: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < mask.length; i++) s += mask[i];
  return s / mask.length;
}

/** Union-find over clusters of mask pixels (pixels within distance 2 belong together), with bounding boxes. */
class Clusters {
  private readonly of: Int32Array;
  private parent: number[] = [];
  private box: [number, number, number, number][] = []; // x0, y0, x1, y1
  constructor(private readonly size: number) {
    this.of = new Int32Array(size * size).fill(-1);
  }
  private find(a: number): number {
    while (this.parent[a] !== a) {
      this.parent[a] = this.parent[this.parent[a]];
      a = this.parent[a];
    }
    return a;
  }
  /** Roots of clusters within Euclidean distance 2 of any of `pixels`. */
  neighbours(pixels: ArrayLike<number>): Set<number> {
    const roots = new Set<number>();
    const S = this.size;
    for (let j = 0; j < pixels.length; j++) {
      const i = pixels[j];
      const x = i % S;
      const y = (i - x) / S;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          if (dx * dx + dy * dy > 4) continue;
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= S || yy >= S) continue;
          const c = this.of[yy * S + xx];
          if (c >= 0) roots.add(this.find(c));
        }
      }
    }
    return roots;
  }
  /** Bounding-box extents (x, y) of `pixels` merged with the given clusters. */
  mergedExtent(pixels: ArrayLike<number>, roots: Set<number>): [number, number] {
    const S = this.size;
    let x0 = S, y0 = S, x1 = -1, y1 = -1;
    for (let j = 0; j < pixels.length; j++) {
      const x = pixels[j] % S;
      const y = (pixels[j] - x) / S;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    for (const r of roots) {
      const b = this.box[r];
      x0 = Math.min(x0, b[0]); y0 = Math.min(y0, b[1]); x1 = Math.max(x1, b[2]); y1 = Math.max(y1, b[3]);
    }
    return [x1 - x0 + 1, y1 - y0 + 1];
  }
  /** Add `pixels` as a cluster joined with `roots`. */
  add(pixels: ArrayLike<number>, roots: Set<number>): void {
    const S = this.size;
    const id = this.parent.length;
    this.parent.push(id);
    let x0 = S, y0 = S, x1 = -1, y1 = -1;
    for (let j = 0; j < pixels.length; j++) {
      const x = pixels[j] % S;
      const y = (pixels[j] - x) / S;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
      this.of[pixels[j]] = id;
    }
    this.box.push([x0, y0, x1, y1]);
    for (const r of roots) {
      this.parent[r] = id;
      const b = this.box[r];
      const me = this.box[id];
      this.box[id] = [Math.min(me[0], b[0]), Math.min(me[1], b[1]), Math.max(me[2], b[2]), Math.max(me[3], b[3])];
    }
  }
}

interface Drawn {
  path: WirePath;
  kind: "wire" | "bundle";
}

/** A path that runs edge to edge along `axis` (0: left→right, 1: top→bottom) and stays inside the other way. */
function spanningPath(rng: Rng, size: number, k: number, hwRef: number, minHw: number, axis: 0 | 1): WirePath {
  for (let attempt = 0; attempt < 60; attempt++) {
    const r = rng.fork(`span${axis}/${attempt}`);
    const across = r.uniform(0.2, 0.8) * REF;
    const along = r.uniform(0.4, 0.6) * REF;
    const theta = (axis === 0 ? 0 : Math.PI / 2) + r.normal(0, 0.25);
    const spec: PathSpec = {
      x: axis === 0 ? along : across,
      y: axis === 0 ? across : along,
      theta,
      length: REF * r.uniform(1.5, 1.9),
      halfWidth: hwRef,
      curvatureNoise: attempt < 40 ? 0.0018 : 0.0008,
      curvatureMemory: 80,
      steer: { theta: axis === 0 ? 0 : Math.PI / 2, strength: 0.004 },
    };
    const p = scalePath(randomPath(r, spec), k, minHw);
    const a = axis === 0 ? p.xs : p.ys;
    const b = axis === 0 ? p.ys : p.xs;
    let lo = Infinity, hi = -Infinity, ok = true;
    for (let i = 0; i < a.length; i++) {
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
      if (a[i] >= 0 && a[i] < size && (b[i] < 1.5 || b[i] > size - 1.5)) ok = false;
    }
    if (ok && lo < 0 && hi > size) return p;
  }
  // Unreachable in practice; a straight wire through the middle keeps the guarantee.
  const spec: PathSpec = { x: REF / 2, y: REF / 2, theta: axis === 0 ? 0 : Math.PI / 2, length: REF * 1.2, halfWidth: hwRef, curvatureNoise: 0 };
  return scalePath(randomPath(rng.fork(`span${axis}/straight`), spec), k, minHw);
}

/**
 * Generate one synthetic TEM image of a nanowire morphology with its mask and ground truth.
 * `singular`: one long isolated wire (harder: a few short distractors); `dispersed`: many short wires,
 * mostly separate, no cluster spanning the image either way (bounding box kept below 50–75 % of the
 * side); `network`: long wires including one edge-to-edge wire each way, so a cluster spans both ways;
 * `bundle`: one to three thick fibre aggregates with internal fibrils on a lighter background.
 * Mask density targets (default difficulty 0.3): dispersed ≈ 0.10–0.16, network ≈ 0.29–0.41 (paper:
 * 0.10–0.17 and 0.33–0.45). Deterministic in (cls, size, difficulty, rng seed).
 */
export function generateNanowire(cls: NanowireClass, size: number, rng: Rng, opts: NanowireOptions = {}): NanowireSample {
  if (!(Number.isInteger(size) && size >= 32)) throw new Error(`generateNanowire: size must be an integer >= 32, got ${size}`);
  if (!NANOWIRE_CLASSES.includes(cls)) throw new Error(`generateNanowire: unknown class '${cls}' (${NANOWIRE_CLASSES.join(", ")})`);
  const d = clamp(opts.difficulty ?? 0.3, 0, 1);
  const k = size / REF;
  const minHw = 1; // at least 2 px wide at any size, so the wire survives in the mask
  const canvas = new Canvas(size, size);
  const texture = grainNoise(rng.fork("wiretex"), size, size, Math.max(0.7, 1.2 * k));
  const drawn: Drawn[] = [];
  const tem: TemParams = {
    beam: rng.uniform(0.5, 0.6),
    gradient: rng.uniform(0.04, 0.2),
    mottle: rng.uniform(0.02, 0.07),
    grain: rng.uniform(0.1, 0.16) * (1 + 0.4 * d),
    grainSigma: rng.uniform(0.7, 1.0),
    psfSigma: rng.uniform(0.45, 0.8),
    dose: rng.uniform(80, 200) / (1 + d),
    gain: rng.uniform(0.85, 1.25),
    offset: rng.uniform(-0.05, 0.05),
    noiseScale: resizeNoiseScale(size),
  };
  const place = rng.fork("place");

  if (cls === "singular") {
    const hwRef = place.uniform(3.5, 6);
    const p = scalePath(
      randomPath(place, { x: place.uniform(0.3, 0.7) * REF, y: place.uniform(0.3, 0.7) * REF, theta: place.uniform(0, Math.PI), length: REF * place.uniform(0.9, 1.5), halfWidth: hwRef, curvatureNoise: 0.0012, curvatureMemory: 150 }),
      k, minHw);
    canvas.stamp(p, { amp: place.uniform(0.55, 0.85), soft: Math.max(0.35, 0.8 * k), texture, texAmp: 0.6 });
    drawn.push({ path: p, kind: "wire" });
    const extra = place.poisson(d * 4);
    for (let j = 0; j < extra; j++) {
      const q = scalePath(randomPath(place, { x: place.uniform(0, REF), y: place.uniform(0, REF), theta: place.uniform(0, Math.PI), length: place.uniform(15, 40 + 80 * d), halfWidth: hwRef * 0.9, curvatureNoise: 0.003 }), k, minHw);
      canvas.stamp(q, { amp: place.uniform(0.3, 0.6), soft: Math.max(0.35, 0.8 * k), texture, texAmp: 0.6 });
      drawn.push({ path: q, kind: "wire" });
    }
  } else if (cls === "dispersed") {
    const hwRef = place.uniform(2.5, 3.8);
    const target = place.uniform(lerp(0.08, 0.14, d), lerp(0.14, 0.2, d));
    const limit = Math.floor(lerp(0.5, 0.75, d) * size);
    const touchP = lerp(0.3, 0.7, d);
    const lens: [number, number] = [lerp(40, 80, d), lerp(140, 240, d)];
    const clusters = new Clusters(size);
    for (let attempt = 0; attempt < 3000 && canvas.maskCount / (size * size) < target; attempt++) {
      const spec: PathSpec = { x: place.uniform(-0.05, 1.05) * REF, y: place.uniform(-0.05, 1.05) * REF, theta: place.uniform(0, Math.PI), length: place.uniform(lens[0], lens[1]), halfWidth: hwRef * place.uniform(0.8, 1.2), curvatureNoise: 0.003, curvatureMemory: 40 };
      const p = scalePath(randomPath(place, spec), k, minHw);
      const core = canvas.corePixels(p);
      if (core.length === 0) continue;
      const roots = clusters.neighbours(core);
      const allowTouch = place.bernoulli(touchP);
      if (roots.size > (allowTouch ? 1 : 0)) continue;
      const [ex, ey] = clusters.mergedExtent(core, roots);
      if (ex >= limit || ey >= limit) continue;
      canvas.stamp(p, { amp: place.uniform(0.5, 0.85), soft: Math.max(0.35, 0.7 * k), texture, texAmp: 0.5 });
      clusters.add(core, roots);
      drawn.push({ path: p, kind: "wire" });
    }
  } else if (cls === "network") {
    const hwRef = place.uniform(2.3, 3.6);
    const amp = (): number => place.uniform(0.28, 0.55);
    const soft = Math.max(0.35, 0.8 * k);
    for (const axis of [0, 1] as const) {
      const p = spanningPath(place, size, k, hwRef, minHw, axis);
      canvas.stamp(p, { amp: amp(), soft, texture, texAmp: 0.5 });
      drawn.push({ path: p, kind: "wire" });
    }
    const target = place.uniform(lerp(0.3, 0.2, d), lerp(0.42, 0.28, d));
    for (let attempt = 0; attempt < 400 && canvas.maskCount / (size * size) < target; attempt++) {
      const spec: PathSpec = { x: place.uniform(0, REF), y: place.uniform(0, REF), theta: place.uniform(0, Math.PI), length: REF * place.uniform(lerp(0.6, 0.35, d), lerp(1.4, 0.9, d)), halfWidth: hwRef * place.uniform(0.8, 1.2), curvatureNoise: 0.0018, curvatureMemory: 80 };
      const p = scalePath(randomPath(place, spec), k, minHw);
      canvas.stamp(p, { amp: amp(), soft, texture, texAmp: 0.5 });
      drawn.push({ path: p, kind: "wire" });
    }
  } else {
    // bundle: thick aggregates of fibrils, lighter and smoother background
    tem.beam = rng.uniform(0.66, 0.78);
    tem.grain = rng.uniform(0.03, 0.06) * (1 + 0.5 * d);
    tem.dose = (tem.dose ?? 120) * 2;
    const nb = 1 + Math.min(2, place.poisson(0.5));
    const fibTex = grainNoise(rng.fork("fibtex"), size, size, Math.max(0.8, 1.5 * k));
    // body thickness: fine grain plus slow variation (parts of the aggregate are denser than others)
    const slow = smoothNoise(rng.fork("bodyslow"), size, size, 3);
    const bodyTex = new Float32Array(size * size);
    for (let i = 0; i < bodyTex.length; i++) bodyTex[i] = 0.35 * fibTex[i] + 0.9 * slow[i];
    for (let b = 0; b < nb; b++) {
      const hwRef = place.uniform(lerp(50, 22, d), lerp(110, 55, d)) / Math.sqrt(b + 1);
      const spec: PathSpec = { x: place.uniform(0.25, 0.75) * REF, y: place.uniform(0.25, 0.75) * REF, theta: place.uniform(0, Math.PI), length: REF * 1.8, halfWidth: hwRef, widthVariation: 0.25, curvatureNoise: 0.00035, curvatureMemory: 250 };
      const body = randomPath(place, spec);
      const p = scalePath(body, k, minHw);
      canvas.stamp(p, { amp: place.uniform(0.45, 0.8), soft: Math.max(0.6, 5 * k), texture: bodyTex, texAmp: 0.3 });
      drawn.push({ path: p, kind: "bundle" });
      // fibrils: thin strands following the body at fixed lateral offsets with slow drift (streaky texture, frayed edges)
      const nf = Math.round((2 * hwRef) / 3.5);
      for (let f = 0; f < nf; f++) {
        const base = place.uniform(-1.1, 1.1);
        const drift = place.uniform(2, 8);
        const wob = smoothProfile(place, body.xs.length, body.ds, 60);
        const off = new Float64Array(body.xs.length);
        for (let i = 0; i < off.length; i++) off[i] = (base * body.hw[i] + drift * wob[i]) * k;
        const fw = Math.max(0.5, place.uniform(0.6, 1.8) * k);
        const fib: WirePath = { xs: p.xs, ys: p.ys, hw: p.hw.map(() => fw), ds: p.ds };
        canvas.stamp(fib, { amp: place.uniform(0.05, 0.25), soft: Math.max(0.3, 0.8 * k), mask: false, offset: off });
      }
    }
  }

  // a little debris: small dark specks that are not nanowires (not in the mask)
  const specks = place.poisson(3 + 4 * d);
  for (let j = 0; j < specks; j++) {
    const r = place.uniform(1, 3) * k + 0.5;
    const q = randomPath(place, { x: place.uniform(0, size), y: place.uniform(0, size), theta: 0, length: 0.5, halfWidth: r, curvatureNoise: 0, ds: 0.25 });
    canvas.stamp(q, { amp: place.uniform(0.2, 0.6), soft: 0.5, mask: false });
  }

  const image = renderTem(canvas.absorb, size, size, tem, rng.fork("tem"));
  const nmPerPx = (rng.uniform(0.25, 1.0) * REF) / size;
  const scaleBar = opts.scaleBar ? drawScaleBar(image, size, size, nmPerPx) : null;
  const wires: NanowireTruth["wires"] = [];
  for (const w of drawn) {
    const m = measurePath(w.path, size, size);
    if (m) wires.push({ kind: w.kind, ...m });
  }
  const truth: NanowireTruth = {
    class: cls,
    size,
    difficulty: d,
    nmPerPx: Math.round(nmPerPx * 1e4) / 1e4,
    wireCount: wires.length,
    maskDensity: Math.round(density(canvas.mask) * 1e5) / 1e5,
    spansBothWays: spanningExtent(canvas.mask, size).both,
    wires,
    scaleBar,
  };
  return { image, mask: canvas.mask, truth };
}

/** Result of {@link spanningExtent}. */
export interface SpanResult {
  /** Largest horizontal / vertical span (max − min of pixel coordinates, px) of any cluster. */
  maxX: number;
  maxY: number;
  /** True when one cluster spans ≥ size − 2 px in both directions (the paper's percolation rule). */
  both: boolean;
}

/**
 * Clusters of foreground pixels, two pixels joined when their distance is ≤ 2 (what DBSCAN with
 * eps 2 and min_samples 2 finds, noise aside), and the largest extents. Used to label the ground truth;
 * the percolation analysis itself lives in lib/quantify.
 */
export function spanningExtent(mask: Uint8Array, size: number): SpanResult {
  const seen = new Uint8Array(mask.length);
  const stack: number[] = [];
  let maxX = 0, maxY = 0, both = false;
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || seen[s]) continue;
    seen[s] = 1;
    stack.push(s);
    let x0 = size, y0 = size, x1 = -1, y1 = -1, count = 0;
    while (stack.length) {
      const i = stack.pop() as number;
      const x = i % size;
      const y = (i - x) / size;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          if (dx * dx + dy * dy > 4) continue;
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
          const j = yy * size + xx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    if (count < 2) continue; // an isolated pixel is DBSCAN noise
    const ex = x1 - x0, ey = y1 - y0;
    maxX = Math.max(maxX, ex);
    maxY = Math.max(maxY, ey);
    if (ex >= size - 2 && ey >= size - 2) both = true;
  }
  return { maxX, maxY, both };
}
