import type { Mask } from "../image/mask";

/**
 * Ground-truth test shapes with known length and width, drawn into a mask in place. A pixel is set
 * when its centre lies inside the shape, with half-open intervals, so an axis-aligned bar of integer
 * length L and width W covers exactly L×W pixels wherever it sits. Angles follow `lib/quantify` (degrees, counter-clockwise from
 * +x, y up). Used by tests and the notebook to validate the measurements.
 */

/** cos of an angle in degrees, exact (0, ±1) on multiples of 90° so axis-aligned bars are true rectangles. */
function cosDeg(deg: number): number {
  const r = ((deg % 360) + 360) % 360;
  if (r === 90 || r === 270) return 0;
  if (r === 0) return 1;
  if (r === 180) return -1;
  return Math.cos((deg * Math.PI) / 180);
}

/** A straight bar (flat ends) of `length` × `width` px centred at (cx, cy), axis at `angleDeg`. */
export function drawBar(m: Mask, cx: number, cy: number, length: number, width: number, angleDeg: number): void {
  const ux = cosDeg(angleDeg), uy = -cosDeg(angleDeg - 90); // y down in pixel rows
  const reach = Math.hypot(length, width) / 2 + 1;
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(m.height - 1, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(m.width - 1, Math.ceil(cx + reach)); x++) {
      const dx = x - cx, dy = y - cy;
      const along = dx * ux + dy * uy, across = -dx * uy + dy * ux;
      if (along >= -length / 2 && along < length / 2 && across >= -width / 2 && across < width / 2) m.data[y * m.width + x] = 1;
    }
  }
}

/**
 * An arc band: centre (cx, cy), centre-line radius `radius`, from angle a0 to a1 (degrees, a0 < a1),
 * `width` px across. Its centre-line length is radius·(a1−a0)·π/180.
 */
export function drawArc(m: Mask, cx: number, cy: number, radius: number, a0: number, a1: number, width: number): void {
  const reach = radius + width / 2 + 1;
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(m.height - 1, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(m.width - 1, Math.ceil(cx + reach)); x++) {
      const dx = x - cx, dy = cy - y;
      const r = Math.hypot(dx, dy);
      let a = (Math.atan2(dy, dx) * 180) / Math.PI;
      if (a < a0) a += 360;
      if (r - radius >= -width / 2 && r - radius < width / 2 && a >= a0 && a < a1) m.data[y * m.width + x] = 1;
    }
  }
}
