import type { InstanceLabels } from "./instances";

/**
 * Perimeter of one instance by the Cauchy–Crofton formula, P = ½ ∫₀^π n(θ) s(θ) dθ, sampled along the
 * four pixel-grid directions (rows, columns, both diagonals): n = membership changes along all grid
 * lines of a direction, s = the perpendicular spacing of those lines, and each direction weighted by
 * the angle it stands for. Physical pixel sizes `sx`, `sy` (1 for pixels, nm/px for nm) set the
 * directions' angles, spacings and weights, so non-square pixels are measured in the physical frame.
 * Why Crofton and not a traced outline: outline lengths (pixel edges, chain codes, marching squares)
 * run 5–8 % long on round objects whatever their size, which biases circularity low; Crofton is
 * unbiased for shapes in random orientation: a digital disc of radius r reads 2πr + 8 % at r = 5 px,
 * + 4 % at 10, + 1.6 % at 20, + 0.6 % at 40 (the digitised outline itself is rougher than the circle).
 * Its bias is on axis-aligned straight edges: an a×a square reads ≈ 0.93·4a. Same numbers as
 * scikit-image's `perimeter_crofton(directions=4)` on square pixels. Holes count.
 * `bbox` = [xmin, ymin, xmax, ymax] inclusive of the instance.
 */
export function croftonPerimeter(inst: InstanceLabels, id: number, bbox: readonly [number, number, number, number], sx = 1, sy = 1): number {
  const { width: w, height: h, labels } = inst;
  const [x0, y0, x1, y1] = bbox;
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && labels[y * w + x] === id;
  let nh = 0, nv = 0, nd = 0, na = 0;
  for (let y = y0 - 1; y <= y1; y++) {
    for (let x = x0 - 1; x <= x1; x++) {
      const a = inside(x, y), b = inside(x + 1, y), c = inside(x, y + 1), d = inside(x + 1, y + 1);
      if (a !== b && y >= y0) nh++; // row y (rows above y0 hold nothing)
      if (a !== c && x >= x0) nv++; // column x
      if (a !== d) nd++; // diagonal step (+1, +1)
      if (b !== c) na++; // anti-diagonal step (−1, +1)
    }
  }
  // Line directions in the physical frame: rows (0), columns (π/2), diagonal α = atan(sy/sx), anti π − α.
  const alpha = Math.atan2(sy, sx);
  const diagSpacing = (sx * sy) / Math.hypot(sx, sy);
  // Each direction stands for half the angular gaps to its neighbours: α, π/4, π/2 − α, π/4.
  return 0.5 * (alpha * nh * sy + (Math.PI / 2 - alpha) * nv * sx + (Math.PI / 4) * (nd + na) * diagSpacing);
}
