import { Rng } from "../../util/rng";

/**
 * Curved filaments ("wires") for the synthetic TEM generators: centre-line paths from a curvature
 * random walk, rasterised as tubes of varying width into an absorbance map and a ground-truth mask.
 * Coordinates are in pixels, x right, y down, pixel (i, j) centred at (i + 0.5, j + 0.5).
 */

/** A sampled centre line with the half-width (px) at every sample. */
export interface WirePath {
  xs: Float64Array;
  ys: Float64Array;
  /** Half-width at each sample, px. */
  hw: Float64Array;
  /** Arc length between samples, px. */
  ds: number;
}

/** Parameters of {@link randomPath}. */
export interface PathSpec {
  /** Centre of the path (it grows both ways from here), px. */
  x: number;
  y: number;
  /** Heading at the centre, radians. */
  theta: number;
  /** Total arc length, px. */
  length: number;
  /** Mean half-width, px. */
  halfWidth: number;
  /** Relative slow variation of the width along the path (0 = constant). Default 0.15. */
  widthVariation?: number;
  /** Std of the curvature random walk per √px (rad/px per √px). Default 0.004. */
  curvatureNoise?: number;
  /** Curvature memory length, px (curvature relaxes to 0 over this distance). Default 40. */
  curvatureMemory?: number;
  /** Optional steering: the heading is pulled toward `theta` with this strength (1/px). */
  steer?: { theta: number; strength: number };
  /** Sample spacing, px. Default 0.5. */
  ds?: number;
}

function walk(rng: Rng, n: number, theta0: number, spec: PathSpec, ds: number, dir: 1 | -1): { xs: number[]; ys: number[] } {
  const sigma = (spec.curvatureNoise ?? 0.004) * Math.sqrt(ds);
  const decay = ds / (spec.curvatureMemory ?? 40);
  let x = spec.x;
  let y = spec.y;
  let th = theta0;
  let k = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    k = k * (1 - decay) + rng.normal(0, sigma);
    th += k * ds;
    if (spec.steer) {
      const target = dir === 1 ? spec.steer.theta : spec.steer.theta + Math.PI;
      th -= spec.steer.strength * Math.sin(th - target) * ds;
    }
    x += Math.cos(th) * ds;
    y += Math.sin(th) * ds;
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

/** A smooth random 1-D profile over [0, n) samples, mean ≈ 0, amplitude ≈ 1 (sum of 3 sinusoids). */
export function smoothProfile(rng: Rng, n: number, ds: number, minWave: number): Float64Array {
  const out = new Float64Array(n);
  const waves = [0, 1, 2].map(() => ({ lam: minWave * (1 + 3 * rng.next()), ph: rng.uniform(0, 2 * Math.PI), a: rng.uniform(0.3, 1) }));
  const norm = waves.reduce((s, w) => s + w.a, 0) / 1.4;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const w of waves) v += w.a * Math.sin((2 * Math.PI * i * ds) / w.lam + w.ph);
    out[i] = v / norm;
  }
  return out;
}

/** A random curved path grown both ways from (spec.x, spec.y), with a slowly varying width. */
export function randomPath(rng: Rng, spec: PathSpec): WirePath {
  const ds = spec.ds ?? 0.5;
  const n = Math.max(2, Math.round(spec.length / ds));
  const half = Math.floor(n / 2);
  const fwd = walk(rng, n - half, spec.theta, spec, ds, 1);
  const back = walk(rng, half, spec.theta + Math.PI, spec, ds, -1);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < half; i++) {
    xs[i] = back.xs[half - 1 - i];
    ys[i] = back.ys[half - 1 - i];
  }
  for (let i = 0; i < n - half; i++) {
    xs[half + i] = fwd.xs[i];
    ys[half + i] = fwd.ys[i];
  }
  const prof = smoothProfile(rng, n, ds, Math.max(20, spec.length / 3));
  const wv = spec.widthVariation ?? 0.15;
  const hw = new Float64Array(n);
  for (let i = 0; i < n; i++) hw[i] = Math.max(0.5, spec.halfWidth * (1 + wv * prof[i]));
  return { xs, ys, hw, ds };
}

/** Ground truth of one filament as seen inside the image. */
export interface WireTruth {
  /** Arc length of the centre line inside the image, px. */
  lengthPx: number;
  /** Mean full width (2 × half-width) over the in-image part, px. */
  widthPx: number;
  /** Axial mean direction of the in-image centre line, degrees in [0, 180), from +x toward +y (image rows down). */
  orientationDeg: number;
  /** End-to-end straightness of the in-image part: chord / arc length, in (0, 1]. */
  straightness: number;
  /** Centre line inside the image, every ~4 px, rounded to 0.1 px: [[x, y], …]. */
  points: [number, number][];
}

/** Measure a path's in-image part (see {@link WireTruth}); null when less than 1 px of it lies inside. */
export function measurePath(p: WirePath, width: number, height: number): WireTruth | null {
  let len = 0;
  let wsum = 0;
  let c2 = 0;
  let s2 = 0;
  let count = 0;
  let first = -1;
  let last = -1;
  const pts: [number, number][] = [];
  const every = Math.max(1, Math.round(4 / p.ds));
  for (let i = 0; i < p.xs.length; i++) {
    const inside = p.xs[i] >= 0 && p.xs[i] < width && p.ys[i] >= 0 && p.ys[i] < height;
    if (!inside) continue;
    if (first < 0) first = i;
    last = i;
    count++;
    wsum += 2 * p.hw[i];
    if (i + 1 < p.xs.length) {
      const dx = p.xs[i + 1] - p.xs[i];
      const dy = p.ys[i + 1] - p.ys[i];
      len += Math.hypot(dx, dy);
      const th = Math.atan2(dy, dx);
      c2 += Math.cos(2 * th);
      s2 += Math.sin(2 * th);
    }
    if (count % every === 1 || every === 1) pts.push([Math.round(p.xs[i] * 10) / 10, Math.round(p.ys[i] * 10) / 10]);
  }
  if (count === 0 || len < 1) return null;
  let deg = ((Math.atan2(s2, c2) / 2) * 180) / Math.PI;
  if (deg < 0) deg += 180;
  if (deg >= 180) deg -= 180;
  const chord = Math.hypot(p.xs[last] - p.xs[first], p.ys[last] - p.ys[first]);
  return {
    lengthPx: Math.round(len * 100) / 100,
    widthPx: Math.round((wsum / count) * 100) / 100,
    orientationDeg: Math.round(deg * 100) / 100,
    straightness: len > 0 ? Math.round(Math.min(1, chord / len) * 1000) / 1000 : 1,
    points: pts,
  };
}

/** Options for {@link Canvas.stamp}. */
export interface StampOptions {
  /** Peak absorbance added at the tube centre (optical density). */
  amp: number;
  /** Edge softness, px: absorbance falls as a logistic of (distance − half-width)/soft. */
  soft: number;
  /** Multiplicative texture field (mean 0) modulating the absorbance: amp·(1 + texAmp·tex). */
  texture?: Float32Array;
  texAmp?: number;
  /** Whether the tube's core (distance ≤ half-width) goes into the truth mask. Default true. */
  mask?: boolean;
  /** Extra lateral offset (px) along the path normal at each sample, for fibrils inside a bundle. */
  offset?: Float64Array;
}

/**
 * Accumulates filaments: `absorb` (optical density, ≥ 0) and `mask` (1 where any filament's core is).
 * Overlapping filaments add their absorbance (thicker material transmits less), like mass-thickness
 * contrast in TEM.
 */
export class Canvas {
  readonly absorb: Float32Array;
  readonly mask: Uint8Array;
  private readonly owner: Int32Array;
  private readonly nd: Float32Array;
  private stamps = 0;
  /** Number of mask pixels set so far. */
  maskCount = 0;

  constructor(readonly width: number, readonly height: number) {
    this.absorb = new Float32Array(width * height);
    this.mask = new Uint8Array(width * height);
    this.owner = new Int32Array(width * height).fill(-1);
    this.nd = new Float32Array(width * height);
  }

  /**
   * The pixels a path's core would cover (distance to the centre line ≤ half-width), without drawing.
   * Sorted ascending pixel indices.
   */
  corePixels(p: WirePath, offset?: Float64Array): Int32Array {
    const touched = this.distanceField(p, 0, offset);
    const id = this.stamps - 1;
    const out: number[] = [];
    for (const i of touched) if (this.owner[i] === id && this.nd[i] <= 0) out.push(i);
    return Int32Array.from(out.sort((a, b) => a - b));
  }

  /** Signed distance (distance − half-width) of every pixel near the path, in `nd`; returns touched pixels. */
  private distanceField(p: WirePath, reach: number, offset?: Float64Array): number[] {
    const id = this.stamps++;
    const { width: W, height: H } = this;
    const touched: number[] = [];
    const n = p.xs.length;
    // Thick tubes need few samples: the distance to the nearest sample overestimates the distance to
    // the centre line by at most h²/(8·r) for sample spacing h at radius r, so spacing
    // h = √(0.8·r) keeps that error ≤ 0.1 px. The last sample is always visited.
    for (let s = 0; s < n; s = s === n - 1 ? n : Math.min(n - 1, s + Math.max(1, Math.floor(Math.sqrt(0.8 * Math.max(p.hw[s], 0.5)) / p.ds)))) {
      let cx = p.xs[s];
      let cy = p.ys[s];
      if (offset) {
        const a = Math.max(0, s - 1);
        const b = Math.min(n - 1, s + 1);
        const tx = p.xs[b] - p.xs[a];
        const ty = p.ys[b] - p.ys[a];
        const tl = Math.hypot(tx, ty) || 1;
        cx += (-ty / tl) * offset[s];
        cy += (tx / tl) * offset[s];
      }
      const hw = p.hw[s];
      const R = hw + reach + 1;
      const x0 = Math.max(0, Math.floor(cx - R));
      const x1 = Math.min(W - 1, Math.ceil(cx + R));
      const y0 = Math.max(0, Math.floor(cy - R));
      const y1 = Math.min(H - 1, Math.ceil(cy + R));
      for (let y = y0; y <= y1; y++) {
        const dy = y + 0.5 - cy;
        for (let x = x0; x <= x1; x++) {
          const dx = x + 0.5 - cx;
          const d = Math.sqrt(dx * dx + dy * dy) - hw;
          if (d > reach) continue;
          const i = y * W + x;
          if (this.owner[i] !== id) {
            this.owner[i] = id;
            this.nd[i] = d;
            touched.push(i);
          } else if (d < this.nd[i]) this.nd[i] = d;
        }
      }
    }
    return touched;
  }

  /**
   * Draw a filament: absorbance amp·(1 + texAmp·tex)·σ(−(d − hw)/soft) added to every pixel within
   * reach, and its core (d ≤ hw) into the mask unless `mask: false`. Returns the core pixels.
   */
  stamp(p: WirePath, o: StampOptions): number[] {
    const reach = Math.max(1, 4 * o.soft);
    const touched = this.distanceField(p, reach, o.offset);
    const id = this.stamps - 1;
    const core: number[] = [];
    const texAmp = o.texAmp ?? 0;
    for (const i of touched) {
      if (this.owner[i] !== id) continue;
      const d = this.nd[i];
      const t = 1 / (1 + Math.exp(d / Math.max(1e-3, o.soft)));
      const tex = o.texture ? Math.max(0, 1 + texAmp * o.texture[i]) : 1;
      this.absorb[i] += o.amp * tex * t;
      if (d <= 0) {
        core.push(i);
        if (o.mask !== false && this.mask[i] === 0) {
          this.mask[i] = 1;
          this.maskCount++;
        }
      }
    }
    return core;
  }
}
