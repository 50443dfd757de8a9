import type { Mask } from "./mask";

/** Thinning rule: Zhang–Suen with the Lü–Wang fix (default), plain Zhang–Suen, or Guo–Hall. */
export type ThinningMethod = "guo-hall" | "zhang-suen" | "zhang-suen-lw";

/**
 * Thinning to a one-pixel-wide, 8-connected skeleton.
 *
 * 1. Zhang & Suen (1984), "A fast parallel algorithm for thinning digital patterns": two alternating
 *    sub-iterations delete boundary pixels with B foreground neighbours in range and exactly one 0→1
 *    transition around the ring, until nothing changes. Plain Zhang–Suen uses 2 ≤ B ≤ 6 and erases
 *    two-pixel-thick diagonal lines (a 45° bar 7 px wide collapses to 2 pixels); the default
 *    `zhang-suen-lw` uses Lü & Wang's (1986) 3 ≤ B ≤ 6, which keeps them. `guo-hall` is Guo & Hall
 *    (1989) algorithm A1 (C(P) = 1, 2 ≤ N(P) ≤ 3, directional condition), which grows more corner spurs.
 * 2. Thinning leaves 4-connected "staircase" corners (a pixel whose N and E neighbours, say, are both
 *    set). These are removed in a raster pass when the pixel is simple (Yokoi 8-connectivity number 1)
 *    and not an end point, which keeps the topology and makes every step of the skeleton a true 8-step.
 * A 2×2 block is erased completely; callers that need one skeleton pixel per domain restore it (see
 * `measureDomains`). Pixels outside the image count as background. Returns a new mask.
 */
export function skeletonize(mask: Mask, method: ThinningMethod = "zhang-suen-lw"): Mask {
  const { width: w, height: h } = mask;
  // Work on a copy padded by one background pixel on every side (no bounds checks in the hot loop).
  const W = w + 2;
  const img = new Uint8Array(W * (h + 2));
  for (let y = 0; y < h; y++) img.set(mask.data.subarray(y * w, (y + 1) * w), (y + 1) * W + 1);
  // Only pixels with a background 4-neighbour can ever be deleted (every rule above needs one), so
  // each pass visits the current border instead of the whole image; neighbours of deleted pixels join it.
  const inCand = new Uint8Array(img.length);
  let cand: number[] = [];
  for (let y = 1; y <= h; y++) for (let x = 1; x <= w; x++) {
    const p = y * W + x;
    if (img[p] && (!img[p - 1] || !img[p + 1] || !img[p - W] || !img[p + W])) { cand.push(p); inCand[p] = 1; }
  }
  const ring = [-W, -W + 1, 1, W + 1, W, W - 1, -1, -W - 1]; // P2..P9 clockwise from north
  const del: number[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (let step = 0; step < 2; step++) {
      del.length = 0;
      for (const p of cand) {
        if (!img[p]) continue;
        const p2 = img[p + ring[0]], p3 = img[p + ring[1]], p4 = img[p + ring[2]], p5 = img[p + ring[3]];
        const p6 = img[p + ring[4]], p7 = img[p + ring[5]], p8 = img[p + ring[6]], p9 = img[p + ring[7]];
        if (method !== "guo-hall") {
          const b = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
          if (b < (method === "zhang-suen-lw" ? 3 : 2) || b > 6) continue;
          const a = (p2 === 0 && p3 === 1 ? 1 : 0) + (p3 === 0 && p4 === 1 ? 1 : 0) + (p4 === 0 && p5 === 1 ? 1 : 0) +
            (p5 === 0 && p6 === 1 ? 1 : 0) + (p6 === 0 && p7 === 1 ? 1 : 0) + (p7 === 0 && p8 === 1 ? 1 : 0) +
            (p8 === 0 && p9 === 1 ? 1 : 0) + (p9 === 0 && p2 === 1 ? 1 : 0);
          if (a !== 1) continue;
          if (step === 0 ? (p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0) : (p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0)) del.push(p);
        } else {
          // Guo & Hall (1989) A1: C(P) = 1, 2 ≤ N(P) ≤ 3, and the sub-iteration's directional condition.
          const c = (!p2 && (p3 || p4) ? 1 : 0) + (!p4 && (p5 || p6) ? 1 : 0) + (!p6 && (p7 || p8) ? 1 : 0) + (!p8 && (p9 || p2) ? 1 : 0);
          if (c !== 1) continue;
          const n1 = (p9 | p2) + (p3 | p4) + (p5 | p6) + (p7 | p8);
          const n2 = (p2 | p3) + (p4 | p5) + (p6 | p7) + (p8 | p9);
          const n = Math.min(n1, n2);
          if (n < 2 || n > 3) continue;
          const m = step === 0 ? (p6 | p7 | (1 - p9)) & p8 : (p2 | p3 | (1 - p5)) & p4;
          if (m === 0) del.push(p);
        }
      }
      if (!del.length) continue;
      changed = true;
      for (const p of del) img[p] = 0;
      const next: number[] = [];
      for (const p of cand) { if (img[p]) next.push(p); else inCand[p] = 0; }
      for (const p of del) for (const o of ring) {
        const q = p + o;
        if (img[q] && !inCand[q]) { inCand[q] = 1; next.push(q); }
      }
      cand = next;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) out.set(img.subarray((y + 1) * W + 1, (y + 1) * W + 1 + w), y * w);
  removeStaircases(out, w, h);
  return { width: w, height: h, data: out };
}

/** Yokoi 8-connectivity number of a pixel given its ring (E, NE, N, NW, W, SW, S, SE). 1 ⇔ simple point. */
function yokoi8(r: number[]): number {
  let n = 0;
  for (let k = 0; k < 8; k += 2) {
    const a = 1 - r[k], b = 1 - r[(k + 1) % 8], c = 1 - r[(k + 2) % 8];
    n += a - a * b * c;
  }
  return n;
}

function removeStaircases(img: Uint8Array, w: number, h: number): void {
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : img[y * w + x]);
  let changed = true;
  while (changed) {
    changed = false;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (!img[y * w + x]) continue;
        const e = at(x + 1, y), ne = at(x + 1, y - 1), n = at(x, y - 1), nw = at(x - 1, y - 1);
        const ww = at(x - 1, y), sw = at(x - 1, y + 1), s = at(x, y + 1), se = at(x + 1, y + 1);
        const corner = (n && e) || (e && s) || (s && ww) || (ww && n);
        if (!corner) continue;
        if (e + ne + n + nw + ww + sw + s + se < 2) continue;
        if (yokoi8([e, ne, n, nw, ww, sw, s, se]) !== 1) continue;
        img[y * w + x] = 0;
        changed = true;
      }
    }
  }
}

/** Per-pixel count of 8-neighbours on the skeleton (0 off the skeleton). */
export function neighbourCounts(skel: Mask): Uint8Array {
  const { width: w, height: h, data } = skel;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!data[y * w + x]) continue;
    let c = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      if (dx === 0 && dy === 0) continue;
      const xx = x + dx, yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < w && yy < h && data[yy * w + xx]) c++;
    }
    out[y * w + x] = c;
  }
  return out;
}

/** Chain-code factor of a digital straight line at axial angle θ (degrees): chain length / true length. */
export function chainFactor(angleDeg: number): number {
  let t = ((angleDeg % 90) + 90) % 90;
  if (t > 45) t = 90 - t;
  const r = (t * Math.PI) / 180;
  return Math.cos(r) + (Math.SQRT2 - 1) * Math.sin(r);
}

/** Skeleton length per group: the plain chain code and the orientation-corrected one. */
export interface SkeletonLengths {
  /** Σ links, orthogonal 1 and diagonal √2 (over-estimates oblique lines by up to 8% at 22.5°). */
  chain: Float64Array;
  /** Σ link / chainFactor(local orientation): unbiased for straight lines at any angle. */
  corrected: Float64Array;
}

/**
 * Skeleton length per group, in pixels: each link between 8-adjacent skeleton pixels counts 1
 * (orthogonal) or √2 (diagonal); a diagonal link is skipped when the two pixels also share an orthogonal
 * skeleton neighbour (the path goes round the corner already). A link is credited to the group of its
 * first pixel, `group[p]` for the row-major index p (values outside 0..nGroups-1 are ignored). With local
 * orientations (degrees, NaN where unknown) each link is also divided by the chain factor of the mean
 * local orientation of its two ends, which removes the chain code's orientation bias.
 */
export function skeletonLengths(skel: Mask, group: Int32Array, nGroups: number, orient?: Float64Array): SkeletonLengths {
  const { width: w, height: h, data } = skel;
  const chain = new Float64Array(nGroups), corrected = new Float64Array(nGroups);
  const on = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] === 1;
  const factor = (p: number, q: number): number => {
    if (!orient) return 1;
    const a = orient[p], b = orient[q];
    if (Number.isFinite(a) && Number.isFinite(b)) {
      // Axial mean of two angles.
      const t1 = (a * Math.PI) / 90, t2 = (b * Math.PI) / 90;
      return chainFactor((Math.atan2(Math.sin(t1) + Math.sin(t2), Math.cos(t1) + Math.cos(t2)) * 90) / Math.PI);
    }
    if (Number.isFinite(a)) return chainFactor(a);
    if (Number.isFinite(b)) return chainFactor(b);
    return 1;
  };
  const link = (g: number, p: number, q: number, len: number): void => {
    chain[g] += len;
    corrected[g] += len / factor(p, q);
  };
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const p = y * w + x;
    if (!data[p]) continue;
    const g = group[p];
    if (g < 0 || g >= nGroups) continue;
    if (on(x + 1, y)) link(g, p, p + 1, 1);
    if (on(x, y + 1)) link(g, p, p + w, 1);
    if (on(x + 1, y + 1) && !on(x + 1, y) && !on(x, y + 1)) link(g, p, p + w + 1, Math.SQRT2);
    if (on(x - 1, y + 1) && !on(x - 1, y) && !on(x, y + 1)) link(g, p, p + w - 1, Math.SQRT2);
  }
  return { chain, corrected };
}

/**
 * Remove spurs: terminal branches (end point → first pixel with ≥ 3 skeleton neighbours) whose chain
 * length is below `factor` × DT at that junction pixel. Such branches run to boundary noise or to the
 * corners of a flat wire end and stay within about one local width of the junction. Up to `passes`
 * rounds (a pruned junction can expose a new short stub), then staircases are removed again. Branches
 * of a skeleton with no junction (a simple curve) are never touched. Modifies `skel` in place.
 */
export function pruneSpurs(skel: Mask, dt: Float64Array, factor = 2, passes = 3): void {
  const { width: w, height: h, data } = skel;
  const nbrs = (p: number): number[] => {
    const x = p % w, y = (p / w) | 0, out: number[] = [];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      if (dx === 0 && dy === 0) continue;
      const xx = x + dx, yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < w && yy < h && data[yy * w + xx]) out.push(yy * w + xx);
    }
    return out;
  };
  const step = (p: number, q: number): number => ((p % w) !== (q % w) && ((p / w) | 0) !== ((q / w) | 0) ? Math.SQRT2 : 1);
  for (let pass = 0; pass < passes; pass++) {
    const kill: number[] = [];
    for (let p = 0; p < w * h; p++) {
      if (!data[p] || nbrs(p).length !== 1) continue;
      const path = [p];
      const onPath = new Set<number>(path);
      let len = 0, cur = p, junction = -1;
      for (;;) {
        const next = nbrs(cur).filter((q) => !onPath.has(q));
        if (nbrs(cur).length >= 3 && cur !== p) { junction = cur; path.pop(); break; }
        if (next.length !== 1) {
          // Either the far end (a curve without junctions) or the start touches a junction cluster.
          if (next.length >= 2) { junction = cur; path.pop(); }
          break;
        }
        len += step(cur, next[0]);
        cur = next[0];
        path.push(cur); onPath.add(cur);
      }
      if (junction < 0) continue;
      if (len < factor * dt[junction]) for (const q of path) kill.push(q);
    }
    if (!kill.length) break;
    for (const q of kill) data[q] = 0;
    removeStaircases(data, w, h);
  }
}
