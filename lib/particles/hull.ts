/** A 2-D point [x, y]. */
export type Point = [number, number];

/**
 * Convex hull of points by Andrew's monotone chain: vertices counter-clockwise in a y-up frame
 * (clockwise as drawn with y down), no collinear vertices, first vertex not repeated. Fewer than 3
 * distinct points come back as they are (deduplicated).
 */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const uniq: Point[] = [];
  for (const p of pts) if (!uniq.length || uniq[uniq.length - 1][0] !== p[0] || uniq[uniq.length - 1][1] !== p[1]) uniq.push(p);
  if (uniq.length < 3) return uniq;
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of uniq) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = uniq.length - 1; i >= 0; i--) {
    const p = uniq[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Area of a simple polygon (shoelace), always ≥ 0. */
export function polygonArea(poly: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x0, y0] = poly[i], [x1, y1] = poly[(i + 1) % poly.length];
    s += x0 * y1 - x1 * y0;
  }
  return Math.abs(s) / 2;
}

/** Feret (caliper) diameters of a convex polygon. */
export interface Feret {
  /** Largest distance between two vertices (= the maximum caliper width). */
  max: number;
  /** Smallest caliper width: the least distance between two parallel support lines. */
  min: number;
  /** Direction of the maximum diameter, degrees in [0,180), counter-clockwise from +x with y up. */
  maxAngle: number;
}

/**
 * Feret diameters of a convex hull (from {@link convexHull}). The minimum width comes from rotating
 * calipers: the minimum caliper width of a convex polygon is attained with one support line flush
 * with an edge, so for each edge the farthest vertex is advanced monotonically around the hull (O(n)).
 * The maximum is the largest vertex–vertex distance (exact; O(n²) over hull vertices, which are few).
 * Points are taken in a y-down image frame; `maxAngle` is reported y-up. 1 point: 0/0; 2 points: their
 * distance / 0.
 */
export function feretDiameters(hull: readonly Point[]): Feret {
  const n = hull.length;
  if (n === 0) return { max: 0, min: 0, maxAngle: 0 };
  let max = 0, ax = 1, ay = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = hull[j][0] - hull[i][0], dy = hull[j][1] - hull[i][1];
      const d = Math.hypot(dx, dy);
      if (d > max) { max = d; ax = dx; ay = dy; }
    }
  }
  const angle = ((Math.atan2(-ay, ax) * 180) / Math.PI + 360) % 180;
  if (n < 3) return { max, min: 0, maxAngle: angle };
  const dist = (i: number, j: number): number => {
    // distance of vertex j from the line through edge (i, i+1)
    const a = hull[i], b = hull[(i + 1) % n], p = hull[j];
    const ex = b[0] - a[0], ey = b[1] - a[1];
    return Math.abs(ex * (p[1] - a[1]) - ey * (p[0] - a[0])) / Math.hypot(ex, ey);
  };
  let min = Infinity;
  let j = 1;
  for (let i = 0; i < n; i++) {
    if (j === i) j = (j + 1) % n;
    // The tolerance is relative to the polygon's size, so the same shape gives the same walk in nm or px.
    while (dist(i, (j + 1) % n) > dist(i, j) + 1e-12 * max) j = (j + 1) % n;
    min = Math.min(min, dist(i, j));
  }
  return { max, min, maxAngle: angle };
}
