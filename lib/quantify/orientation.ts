import type { Mask } from "../image/mask";

/**
 * Orientation conventions for all of `lib/quantify`: angles in degrees in [0, 180), measured
 * counter-clockwise from the +x axis (image columns) with y pointing UP (i.e. against the row index),
 * so a wire running from bottom-left to top-right has 45°. Orientations are axial (θ ≡ θ + 180°).
 */

/** Axial angle (degrees, [0,180)) of the principal axis of a 2×2 second-moment matrix (image rows down). */
export function principalAngle(sxx: number, syy: number, sxy: number): number {
  // With y up, the row-based covariance term flips sign.
  const rad = 0.5 * Math.atan2(-2 * sxy, sxx - syy);
  let deg = (rad * 180) / Math.PI;
  if (deg < 0) deg += 180;
  if (deg >= 180) deg -= 180;
  return deg;
}

/**
 * Local orientation at every skeleton pixel: principal axis of the skeleton pixels of the same
 * group within a (2r+1)² window (r = `radius`, default 3). Returns NaN where a pixel has no skeleton
 * neighbour (isolated points have no direction) and for pixels off the skeleton.
 */
export function localOrientations(skel: Mask, group: Int32Array, radius = 3): Float64Array {
  const { width: w, height: h, data } = skel;
  if (!(Number.isInteger(radius) && radius >= 1)) throw new Error(`localOrientations: radius must be an integer >= 1, got ${radius}`);
  const out = new Float64Array(w * h).fill(NaN);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = y * w + x;
    if (!data[p]) continue;
    let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (let yy = Math.max(0, y - radius); yy <= Math.min(h - 1, y + radius); yy++) {
      for (let xx = Math.max(0, x - radius); xx <= Math.min(w - 1, x + radius); xx++) {
        const q = yy * w + xx;
        if (!data[q] || group[q] !== group[p]) continue;
        const dx = xx - x, dy = yy - y;
        n++; sx += dx; sy += dy; sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
      }
    }
    if (n < 2) continue;
    const mx = sx / n, my = sy / n;
    out[p] = principalAngle(sxx / n - mx * mx, syy / n - my * my, sxy / n - mx * my);
  }
  return out;
}

/** 2-D nematic order of a set of axial angles. */
export interface NematicOrder {
  /** S = |⟨exp(2iθ)⟩| in [0,1]: 1 = all parallel, ≈0 = isotropic. */
  order: number;
  /** Director (mean axial direction), degrees in [0,180). NaN for an empty set. */
  director: number;
}

/** Nematic order parameter and director of axial angles in degrees (optionally weighted). */
export function nematicOrder(anglesDeg: ArrayLike<number>, weights?: ArrayLike<number>): NematicOrder {
  let c = 0, s = 0, wsum = 0;
  for (let i = 0; i < anglesDeg.length; i++) {
    const a = anglesDeg[i];
    if (!Number.isFinite(a)) continue;
    const wt = weights ? weights[i] : 1;
    const t = (2 * a * Math.PI) / 180;
    c += wt * Math.cos(t); s += wt * Math.sin(t); wsum += wt;
  }
  if (wsum <= 0) return { order: NaN, director: NaN };
  let director = (0.5 * Math.atan2(s, c) * 180) / Math.PI;
  if (director < 0) director += 180;
  return { order: Math.hypot(c, s) / wsum, director };
}

/** Histogram of axial angles in `bins` equal bins over [0,180) (default 18 bins of 10°), as counts. */
export function orientationHistogram(anglesDeg: ArrayLike<number>, bins = 18): number[] {
  const out = new Array<number>(bins).fill(0);
  for (let i = 0; i < anglesDeg.length; i++) {
    const a = anglesDeg[i];
    if (!Number.isFinite(a)) continue;
    out[Math.min(bins - 1, Math.floor(((((a % 180) + 180) % 180) / 180) * bins))]++;
  }
  return out;
}
