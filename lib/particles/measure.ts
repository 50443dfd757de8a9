import type { Calibration } from "../data/calibration";
import type { InstanceLabels } from "./instances";
import { convexHull, feretDiameters, type Point } from "./hull";
import { croftonPerimeter } from "./perimeter";

/** Length unit of a measurement: nanometres when calibrated, pixels otherwise. Areas are unit². */
export type LengthUnit = "nm" | "px";

/**
 * Shape measurements of one particle. Lengths are in `unit` (nm when a calibration was given, else
 * px), areas in unit²; x and y pixel sizes may differ (every length is measured in the physical frame).
 * Definitions:
 * - area: pixel count × pixel area; equivalentDiameter: √(4·area/π);
 * - feretMax / feretMin: largest distance / smallest caliper width of the convex hull of the pixels'
 *   corners (the outer extent of the pixel union: a digital disc of radius r reads ≈ 2r + 1 px, an
 *   a×a square a√2 / a); aspectRatio = feretMax / feretMin;
 * - perimeter: Cauchy–Crofton estimate (see `croftonPerimeter`); circularity = 4π·area/perimeter²
 *   (≈ 1 for discs, ≈ 0.89 for axis-aligned squares whose true value is π/4: see `croftonPerimeter`);
 * - convexArea: pixels whose centres lie in the convex hull of the pixels' edge midpoints, × pixel area
 *   (scikit-image's `convex_image` rule); solidity = area / convexArea (≤ 1; → 1 for large convex shapes,
 *   a digital disc of radius 20 px reads 0.96 as in scikit-image);
 * - orientation, majorAxis, minorAxis, eccentricity: from the second central moments of the pixel
 *   centres as scikit-image's regionprops (axes = 4√λ, eccentricity = √(1 − λ₂/λ₁)); orientation in
 *   degrees in [0,180), counter-clockwise from +x with y up (as lib/quantify);
 * - centroid: [column, row] in pixels (an image position, never in nm).
 */
export interface ParticleMeasure {
  /** Instance id in the labelling it was measured from. */
  id: number;
  unit: LengthUnit;
  /** Pixel count. */
  areaPixels: number;
  /** [column, row], px. */
  centroid: [number, number];
  /** [xmin, ymin, xmax, ymax] inclusive, px. */
  bbox: [number, number, number, number];
  area: number;
  equivalentDiameter: number;
  feretMax: number;
  feretMin: number;
  /** Direction of feretMax, degrees [0,180), counter-clockwise from +x with y up. */
  feretAngle: number;
  aspectRatio: number;
  perimeter: number;
  circularity: number;
  convexArea: number;
  solidity: number;
  orientation: number;
  majorAxis: number;
  minorAxis: number;
  eccentricity: number;
}

/**
 * Measure the instances `ids` of a labelling (all when omitted). `calibration` null or undefined →
 * pixels. Throws on an id outside 0..count-1 or an instance without pixels.
 */
export function measureParticles(inst: InstanceLabels, calibration?: Calibration | null, ids?: readonly number[]): ParticleMeasure[] {
  const { width: w, height: h, labels, count } = inst;
  const sx = calibration ? calibration.nmPerPxX : 1, sy = calibration ? calibration.nmPerPxY : 1;
  const unit: LengthUnit = calibration ? "nm" : "px";
  // One pass for counts, sums and boxes.
  const n = new Float64Array(count), sumX = new Float64Array(count), sumY = new Float64Array(count);
  const bx0 = new Int32Array(count).fill(w), by0 = new Int32Array(count).fill(h), bx1 = new Int32Array(count).fill(-1), by1 = new Int32Array(count).fill(-1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const id = labels[y * w + x];
      if (id < 0) continue;
      n[id]++; sumX[id] += x; sumY[id] += y;
      if (x < bx0[id]) bx0[id] = x;
      if (x > bx1[id]) bx1[id] = x;
      if (y < by0[id]) by0[id] = y;
      if (y > by1[id]) by1[id] = y;
    }
  }
  const want = ids ?? Array.from({ length: count }, (_, i) => i);
  return want.map((id) => {
    if (!(Number.isInteger(id) && id >= 0 && id < count)) throw new Error(`measureParticles: id ${id} outside 0..${count - 1}`);
    if (n[id] === 0) throw new Error(`measureParticles: instance ${id} has no pixels`);
    const cx = sumX[id] / n[id], cy = sumY[id] / n[id];
    let m20 = 0, m02 = 0, m11 = 0;
    const corners: Point[] = [], mids: Point[] = [];
    for (let y = by0[id]; y <= by1[id]; y++) {
      let lo = -1, hi = -1;
      for (let x = bx0[id]; x <= bx1[id]; x++) {
        if (labels[y * w + x] !== id) continue;
        if (lo < 0) lo = x;
        hi = x;
        const dx = (x - cx) * sx, dy = (y - cy) * sy;
        m20 += dx * dx; m02 += dy * dy; m11 += dx * dy;
      }
      if (lo < 0) continue;
      // Pixel corners in whole pixels: the hull is then exact (scaled coordinates such as 3·0.15 carry
      // rounding that makes collinear corners look convex, and the calipers then met near-zero edges
      // of arbitrary direction: feretMin 0 at 0.15 nm/px). The exact hull is scaled afterwards.
      corners.push([lo, y], [lo, y + 1], [hi + 1, y], [hi + 1, y + 1]);
      // Edge midpoints of the row's end pixels span the hull of every pixel's edge midpoints in the row.
      for (const x of [lo, hi]) mids.push([x * sx, (y + 0.5) * sy], [(x + 1) * sx, (y + 0.5) * sy], [(x + 0.5) * sx, y * sy], [(x + 0.5) * sx, (y + 1) * sy]);
    }
    m20 /= n[id]; m02 /= n[id]; m11 /= n[id];
    const hull = convexHull(corners).map(([x, y]): Point => [x * sx, y * sy]);
    const feret = feretDiameters(hull);
    const area = n[id] * sx * sy;
    const convexArea = hullPixelCount(convexHull(mids), by0[id], by1[id], sx, sy) * sx * sy;
    const bbox: [number, number, number, number] = [bx0[id], by0[id], bx1[id], by1[id]];
    const perimeter = croftonPerimeter(inst, id, bbox, sx, sy);
    // Eigenvalues of the covariance; orientation with y up (rows grow downward, hence −m11).
    const tr = (m20 + m02) / 2, det = Math.sqrt(((m20 - m02) / 2) ** 2 + m11 * m11);
    const l1 = tr + det, l2 = Math.max(0, tr - det);
    const orientation = (((0.5 * Math.atan2(-2 * m11, m20 - m02) * 180) / Math.PI) + 180) % 180;
    return {
      id, unit, areaPixels: n[id], centroid: [cx, cy], bbox,
      area, equivalentDiameter: Math.sqrt((4 * area) / Math.PI),
      feretMax: feret.max, feretMin: feret.min, feretAngle: feret.maxAngle,
      aspectRatio: feret.min > 0 ? feret.max / feret.min : Infinity,
      perimeter, circularity: perimeter > 0 ? (4 * Math.PI * area) / (perimeter * perimeter) : 0,
      convexArea, solidity: convexArea > 0 ? Math.min(1, area / convexArea) : 1,
      orientation, majorAxis: 4 * Math.sqrt(l1), minorAxis: 4 * Math.sqrt(l2),
      eccentricity: l1 > 0 ? Math.sqrt(Math.max(0, 1 - l2 / l1)) : 0,
    };
  });
}

/**
 * Pixels whose centres lie inside (or on) a convex polygon given in the physical frame (pixel x spans
 * [x·sx, (x+1)·sx]), counted row by row from the polygon's extent at each row's centre line.
 */
function hullPixelCount(hull: readonly Point[], y0: number, y1: number, sx: number, sy: number): number {
  const m = hull.length;
  if (m < 3) return 0;
  const eps = 1e-9 * Math.max(sx, sy);
  let total = 0;
  for (let y = y0; y <= y1; y++) {
    const yc = (y + 0.5) * sy;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < m; i++) {
      const [ax, ay] = hull[i], [bx, by] = hull[(i + 1) % m];
      if ((yc < Math.min(ay, by) - eps) || (yc > Math.max(ay, by) + eps)) continue;
      if (Math.abs(by - ay) <= eps) { lo = Math.min(lo, ax, bx); hi = Math.max(hi, ax, bx); continue; }
      const xc = ax + ((yc - ay) * (bx - ax)) / (by - ay);
      lo = Math.min(lo, xc); hi = Math.max(hi, xc);
    }
    if (hi < lo) continue;
    // centres (x + 0.5)·sx within [lo, hi]
    const first = Math.ceil(lo / sx - 0.5 - 1e-9), last = Math.floor(hi / sx - 0.5 + 1e-9);
    if (last >= first) total += last - first + 1;
  }
  return total;
}
